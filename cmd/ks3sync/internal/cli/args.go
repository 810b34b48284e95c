package cli

import (
	"strings"

	"github.com/spf13/cobra"
)

// ExactArgs is cobra.ExactArgs with exit code ExitUsage and a message that
// says what the command needs: what describes the n arguments.
func ExactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return UsageError("%s needs %s (got %d argument(s)); see 'ks3sync %s --help'", cmd.Name(), what, len(args), cmd.Name())
		}
		return nil
	}
}

// cobraUsage are the starts of the messages cobra itself returns for a bad
// command line.
var cobraUsage = []string{
	"unknown command", "unknown flag", "unknown shorthand flag", "accepts ", "requires at least",
	"requires at most", "invalid argument", "flag needs an argument", "required flag",
}

// IsUsage recognises the errors cobra itself returns for a bad command line.
func IsUsage(err error) bool {
	msg := err.Error()
	for _, p := range cobraUsage {
		if strings.HasPrefix(msg, p) || strings.Contains(msg, " "+p) {
			return true
		}
	}
	return false
}
