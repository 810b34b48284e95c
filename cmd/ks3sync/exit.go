package main

import (
	"github.com/spf13/cobra"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/cli"
)

// usageError is cli.UsageError under the short name the daemon commands use.
func usageError(format string, args ...any) error { return cli.UsageError(format, args...) }

// exactArgs is cli.ExactArgs under the short name the daemon commands use.
func exactArgs(n int, what string) cobra.PositionalArgs { return cli.ExactArgs(n, what) }
