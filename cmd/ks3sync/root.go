package main

import (
	"github.com/spf13/cobra"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/tool"
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
	envFile   string
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
	f.StringVar(&app.flags.envFile, "env-file", "", "read environment variables (KEY=value lines) from this file first, as an installed service does")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError("%v", err) })
	root.AddCommand(
		newRunCmd(app), newSyncCmd(app), newWatchCmd(app), newStatusCmd(app), newServiceCmd(app), newServeCmd(app),
		newHistoryCmd(app), newRestoreCmd(app), newPruneCmd(app), newCheckCmd(app),
		newVersionCmd(),
	)
	tool.AddCommands(root, app)
	return root, app
}
