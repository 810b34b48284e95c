package main

import (
	"strings"

	"github.com/spf13/cobra"
)

// globalFlags are accepted by every command.
type globalFlags struct {
	config    string
	endpoint  string
	signature string
	region    string
	accessKey string
	secretKey string
	logLevel  string
	logFormat string
}

// newRootCmd builds the command tree. The caller closes the app when the
// command has finished, whatever its outcome.
func newRootCmd() (*cobra.Command, *app) {
	app := &app{}
	root := &cobra.Command{
		Use:   "ks3sync",
		Short: "Keep folders in sync with KS3 object storage",
		Long: `ks3sync keeps local folders in sync with Kingsoft Cloud KS3 buckets.

Run it once (ks3sync run), as a foreground daemon (ks3sync watch) or as an OS
service (ks3sync service install). It also offers every KS3 operation from the
command line (ls, cp, rm, acl, url, uploads ...) and a KS3-compatible local
server (ks3sync serve).

Exit codes: 0 all done, 1 some items failed (the rest done), 2 usage or
configuration error, 3 interrupted.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return app.init(cmd)
		},
	}
	f := root.PersistentFlags()
	f.StringVar(&app.flags.config, "config", "", "config file (default ./ks3sync.yaml, then the per-user config folder)")
	f.StringVar(&app.flags.endpoint, "endpoint", "", "endpoint: host[:port], http(s)://host[:port] or local:DIR (overrides the config)")
	f.StringVar(&app.flags.signature, "signature", "", "request signing: kss or v4 (overrides the config)")
	f.StringVar(&app.flags.region, "region", "", "region for v4 signing (overrides the config)")
	f.StringVar(&app.flags.accessKey, "access-key", "", "access key (default $KS3_ACCESS_KEY, then the config)")
	f.StringVar(&app.flags.secretKey, "secret-key", "", "secret key (default $KS3_SECRET_KEY, then the config)")
	f.StringVar(&app.flags.logLevel, "log-level", "", "log level: trace, debug, info, warn, error (overrides the config)")
	f.StringVar(&app.flags.logFormat, "log-format", "", "log format: console or json (overrides the config)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError("%v", err) })
	root.AddCommand(
		newRunCmd(app), newWatchCmd(app), newStatusCmd(app), newServiceCmd(app), newServeCmd(app),
		newVersionCmd(),
	)
	addToolCommands(root, app)
	return root, app
}

// isUsage recognises the errors cobra itself returns for a bad command line.
func isUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "accepts ", "requires at least", "requires at most", "invalid argument", "flag needs an argument", "required flag"} {
		if strings.HasPrefix(msg, p) || strings.Contains(msg, " "+p) {
			return true
		}
	}
	return false
}

// exactArgs is cobra.ExactArgs with an exit code of 2 and a clearer message.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageError("%s needs %s (got %d argument(s)); see 'ks3sync %s --help'", cmd.Name(), what, len(args), cmd.Name())
		}
		return nil
	}
}
