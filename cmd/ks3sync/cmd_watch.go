package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/ks3sync/ks3sync/daemon"
	"github.com/ks3sync/ks3sync/planner"
	svc "github.com/ks3sync/ks3sync/service"
	"github.com/ks3sync/ks3sync/syncer"
	"github.com/ks3sync/ks3sync/watcher"
)

func newWatchCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "watch [--config F]",
		Short: "Reconcile, then follow changes until stopped (foreground daemon)",
		Long: `watch reconciles every pair once, then follows local changes: each changed
path is synced after a quiet period (watch.delay) and at most watch.max_delay
after its first change. A full reconcile every watch.rescan catches anything
missed, including remote changes for pull and both pairs. Failed paths are
retried with backoff. SIGINT or SIGTERM stops it cleanly: finished parts of
large uploads are checkpointed and resume on the next start.

With metrics: ADDR in the config, /metrics (Prometheus) and /healthz are
served on ADDR.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			rep := newReporter(cmd.OutOrStdout(), cmd.ErrOrStderr(), asJSON, true)
			run := func(ctx context.Context) error { return a.watch(ctx, rep) }
			if !svc.Interactive() {
				return a.runAsService(run)
			}
			return run(cmd.Context())
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per event")
	return cmd
}

// watch runs the daemon until ctx is done.
func (a *app) watch(ctx context.Context, rep *reporter) error {
	pairs, db, client, err := a.openPairs(ctx, "", false)
	if err != nil {
		return err
	}
	var metrics *daemon.Metrics
	report := rep.report
	if a.cfg.Metrics != "" {
		ln, err := net.Listen("tcp", a.cfg.Metrics)
		if err != nil {
			return usageError("metrics: %v", err)
		}
		metrics = daemon.NewMetrics(db, nil)
		report = func(ev syncer.Event) { metrics.Observe(ev); rep.report(ev) }
		go func() {
			if err := metrics.Serve(ctx, ln); err != nil {
				a.log.Error().Err(err).Str("addr", a.cfg.Metrics).Msg("metrics server")
			}
		}()
	}
	var dp []daemon.Pair
	for _, p := range pairs {
		m, err := planner.NewMatcher(p.Include, p.Exclude)
		if err != nil {
			return usageError("pair %s: %v", p.Name, err)
		}
		if err := os.MkdirAll(p.Local, 0o755); err != nil {
			return fmt.Errorf("pair %s: %w", p.Name, err)
		}
		w := &watcherRef{}
		s, err := a.newSyncer(ctx, client, db, p, false, report, w.suppress)
		if err != nil {
			return err
		}
		dp = append(dp, daemon.Pair{
			Syncer: s,
			Rescan: p.Watch.Rescan.D(),
			Watch: watcher.Options{
				Delay: p.Watch.Delay.D(), MaxDelay: p.Watch.MaxDelay.D(),
				Match:  m.Match,
				Logger: a.log.With().Str("pair", p.Name).Logger(), // scoped component=watcher by the watcher
			},
			OnWatcher: w.set,
		})
	}
	a.log.Info().Int("pairs", len(dp)).Str("state", a.cfg.State).Msg("watching")
	err = daemon.Run(ctx, daemon.Options{DB: db, Pairs: dp, Logger: a.log, Metrics: metrics, StaleUploads: a.cfg.StaleUploads.D()})
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	a.log.Info().Msg("stopped")
	return nil
}

// watcherRef lets a syncer tell the pair's watcher (created later by the
// daemon) which paths it is writing, so downloads do not echo as uploads.
type watcherRef struct {
	w *watcher.Watcher
}

func (r *watcherRef) set(w *watcher.Watcher) { r.w = w }

func (r *watcherRef) suppress(rel string, until time.Time) {
	if r.w != nil {
		r.w.Suppress(rel, until)
	}
}

// runAsService hands the daemon to the service manager, which calls Start
// and Stop.
func (a *app) runAsService(run svc.Runner) error {
	s, err := svc.New(a.serviceConfig(), svc.NewProgram(run, 10*time.Second))
	if err != nil {
		return err
	}
	return s.Run()
}

func (a *app) serviceConfig() svc.Config {
	cfgPath := a.cfg.Path()
	if cfgPath != "" {
		cfgPath, _ = filepath.Abs(cfgPath)
	}
	args := []string{"watch"}
	if cfgPath != "" {
		args = append(args, "--config", cfgPath)
	}
	return svc.Config{
		Name:        "ks3sync",
		DisplayName: "ks3sync",
		Description: "Keeps folders in sync with KS3 object storage.",
		Arguments:   args,
	}
}
