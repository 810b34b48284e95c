package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	svc "github.com/ks3sync/ks3sync/service"
)

func newServiceCmd(a *app) *cobra.Command {
	verbs := append(slices.Clone(svc.Actions), "status")
	return &cobra.Command{
		Use:   "service install|uninstall|start|stop|restart|status [--config F]",
		Short: "Install and control ks3sync as an OS service running `watch`",
		Long: `service registers ks3sync with the operating system's service manager
(systemd on Linux, launchd on macOS, the Service Control Manager on Windows)
to run "ks3sync watch --config F" with the absolute path of the config file,
and controls it. install usually needs administrator rights.`,
		ValidArgs: verbs,
		Args:      exactArgs(1, "one of "+strings.Join(verbs, ", ")),
		RunE: func(cmd *cobra.Command, args []string) error {
			verb := args[0]
			if !slices.Contains(verbs, verb) {
				return usageError("service: %q is not one of %s", verb, strings.Join(verbs, ", "))
			}
			if verb == "install" && a.cfg.Path() == "" {
				return usageError("service install needs a config file (--config F)")
			}
			s, err := svc.New(a.serviceConfig(), svc.NewProgram(nil, 0))
			if err != nil {
				return err
			}
			if verb == "status" {
				st, err := svc.Status(s)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "ks3sync service (%s): %s\n", svc.Platform(), st)
				return nil
			}
			if err := svc.Control(s, verb); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "ks3sync service: %s done\n", verb)
			return nil
		},
	}
}
