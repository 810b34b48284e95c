package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/cli"
	"github.com/ks3sync/ks3sync/config"
	"github.com/ks3sync/ks3sync/daemon"
	svc "github.com/ks3sync/ks3sync/service"
)

// serviceVerbs are the arguments of `ks3sync service`.
var serviceVerbs = []string{"install", "uninstall", "start", "stop", "restart", "status"}

type serviceFlags struct {
	name    string
	user    bool
	timeout time.Duration
}

func newServiceCmd(a *app) *cobra.Command {
	var f serviceFlags
	cmd := &cobra.Command{
		Use:   "service install|uninstall|start|stop|restart|status [--config F] [--name NAME] [--user]",
		Short: "Install and control ks3sync as an OS service running `watch`",
		Long: `service registers ks3sync with the operating system's service manager
(systemd or SysV init on Linux, launchd on macOS, the Service Control Manager
on Windows) to run "ks3sync watch --config F --env-file E" with the absolute
path of the config file, and controls it. install usually needs
administrator rights.

A service does not see your shell's environment. install therefore records
the variables the config refers to (${VAR}), and KS3_ACCESS_KEY and
KS3_SECRET_KEY when they are set, in an environment file only its owner can
read (Linux: /etc/ks3sync/NAME.env), and refuses when a variable the config
needs is not set. Other global flags are not recorded: put them in the config.

start waits until the daemon is healthy (its first reconcile succeeded) and
says why not if it is not within --timeout. uninstall stops the service and
removes everything install wrote. --name runs several instances side by
side (each with its own config and state); --user installs a per-user
service (a systemd user unit, a launchd agent) where the platform has one.`,
		ValidArgs: serviceVerbs,
		Args:      exactArgs(1, "one of "+strings.Join(serviceVerbs, ", ")),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.service(cmd.Context(), cmd.OutOrStdout(), args[0], f)
		},
	}
	cmd.Flags().StringVar(&f.name, "name", svc.DefaultName, "service name, for several instances")
	cmd.Flags().BoolVar(&f.user, "user", false, "a per-user service (systemd user unit, launchd agent)")
	cmd.Flags().DurationVar(&f.timeout, "timeout", time.Minute, "how long start waits for the daemon to be healthy")
	return cmd
}

func (a *app) service(ctx context.Context, out io.Writer, verb string, f serviceFlags) error {
	if !slices.Contains(serviceVerbs, verb) {
		return usageError("service: %q is not one of %s", verb, strings.Join(serviceVerbs, ", "))
	}
	s, err := a.serviceFor(f)
	if err != nil {
		return err
	}
	d := s.Definition()
	switch verb {
	case "install":
		return a.installService(out, s)
	case "uninstall":
		if err := s.Uninstall(); err != nil {
			return err
		}
		fmt.Fprintf(out, "ks3sync service %s: uninstalled; removed %s\n", d.Name, strings.Join(s.Files(), ", "))
		return nil
	case "status":
		st, err := s.Status()
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "ks3sync service %s (%s): %s\n", d.Name, svc.Platform(), st)
		return nil
	case "start":
		return a.startService(ctx, out, s, f.timeout)
	case "stop":
		err = s.Stop()
	default:
		err = s.Restart()
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "ks3sync service %s: %s done\n", d.Name, verb)
	return nil
}

// serviceFor describes the service of this configuration and name.
func (a *app) serviceFor(f serviceFlags) (*svc.Service, error) {
	cfgPath := a.cfg.Path()
	if cfgPath == "" {
		return nil, usageError("service needs a config file (--config F)")
	}
	cfgPath, err := filepath.Abs(cfgPath)
	if err != nil {
		return nil, err
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("service: find this executable: %w", err)
	}
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	d, err := svc.NewDefinition(f.name, exe, cfgPath, f.user)
	if err != nil {
		return nil, usageError("%v", err)
	}
	return svc.New(d, svc.NewProgram(nil, 0))
}

func (a *app) installService(out io.Writer, s *svc.Service) error {
	env, err := a.serviceEnv()
	if err != nil {
		return err
	}
	if err := s.Install(env); err != nil {
		return err
	}
	d := s.Definition()
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range env {
			if !yield(k) {
				return
			}
		}
	})
	fmt.Fprintf(out, "ks3sync service %s (%s): installed\n  runs:        %s\n  environment: %s (%s)\nstart it with: ks3sync service start --config %s --name %s\n",
		d.Name, svc.Platform(), strings.Join(d.Command(), " "), d.EnvFile, strings.Join(names, ", "), shellQuote(d.ConfigFile), d.Name)
	return nil
}

// serviceEnv collects what the service's environment needs: the variables
// the config refers to, and the credentials ks3sync reads from the
// environment or the command line. It refuses when a variable the config
// needs is unset, or when the daemon would have no credentials.
func (a *app) serviceEnv() (map[string]string, error) {
	f, err := os.Open(a.cfg.Path())
	if err != nil {
		return nil, usageError("service install: %v", err)
	}
	defer f.Close()
	refs, err := config.References(f)
	if err != nil {
		return nil, usageError("service install: %v", err)
	}
	env := map[string]string{}
	var missing []string
	for _, r := range refs {
		if v, ok := os.LookupEnv(r.Name); ok && v != "" {
			env[r.Name] = v
		} else if !r.HasDefault {
			missing = append(missing, fmt.Sprintf("${%s} (line %d)", r.Name, r.Line))
		}
	}
	if len(missing) > 0 {
		return nil, usageError("service install: %s refers to %s, which is not set here; a service does not see this shell's environment, so set it and install again",
			a.cfg.Path(), strings.Join(missing, ", "))
	}
	for k, v := range map[string]string{"KS3_ACCESS_KEY": firstNonEmpty(a.flags.accessKey, os.Getenv("KS3_ACCESS_KEY")),
		"KS3_SECRET_KEY": firstNonEmpty(a.flags.secretKey, os.Getenv("KS3_SECRET_KEY"))} {
		if v != "" {
			env[k] = v
		}
	}
	if a.cfg.LocalStore() == "" && (a.cfg.AccessKey == "" || a.cfg.SecretKey == "") {
		return nil, usageError("service install: no credentials: set access_key/secret_key in %s, or KS3_ACCESS_KEY and KS3_SECRET_KEY here", a.cfg.Path())
	}
	return env, nil
}

// startService starts the service and waits until the daemon says it is
// healthy, or reports why not.
func (a *app) startService(ctx context.Context, out io.Writer, s *svc.Service, timeout time.Duration) error {
	since := time.Now().Add(-time.Second) // the health file's times have a coarser clock than ours
	if err := s.Start(); err != nil {
		return err
	}
	w := healthWait{svc: s, path: daemon.HealthFileFor(a.cfg.State), since: since, timeout: timeout}
	if err := w.wait(ctx); err != nil {
		return fmt.Errorf("service %s started, but: %w", s.Definition().Name, err)
	}
	fmt.Fprintf(out, "ks3sync service %s: started; healthy\n", s.Definition().Name)
	return nil
}

// runAsService hands the daemon to the service manager, which calls Start
// and Stop.
func (a *app) runAsService(run svc.Runner) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	cfgPath, err := filepath.Abs(a.cfg.Path())
	if err != nil || a.cfg.Path() == "" {
		return usageError("a service needs a config file (--config F)")
	}
	d, err := svc.NewDefinition("", exe, cfgPath, false)
	if err != nil {
		return err
	}
	prog := svc.NewProgram(run, 10*time.Second)
	s, err := svc.New(d, prog)
	if err != nil {
		return err
	}
	ended := make(chan error, 1)
	go func() { ended <- a.endWithDaemon(prog) }()
	if err := s.Run(); err != nil {
		return err
	}
	select {
	case err := <-ended:
		return err
	default:
		return nil // stopped by the service manager
	}
}

// endWithDaemon waits for the daemon to end by itself (a start-up failure
// such as missing credentials, or a fatal error later) and then ends the
// service process, so the service manager reports the failure or restarts
// the service instead of keeping an idle process that looks healthy. It
// returns the daemon's error for runAsService to exit with.
func (a *app) endWithDaemon(prog *svc.Program) error {
	err := <-prog.Exited()
	if err == nil {
		err = errors.New("the daemon stopped by itself")
	}
	a.log.Error().Err(err).Msg("the daemon ended; stopping the service")
	if serr := svc.StopSelf(); serr != nil {
		a.log.Error().Err(serr).Msg("exiting")
		os.Exit(cli.Code(err, cli.ExitPartial))
	}
	return err
}

var errServiceStopped = errors.New("the service stopped")
