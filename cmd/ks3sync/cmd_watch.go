package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/ks3sync/ks3sync/config"
	"github.com/ks3sync/ks3sync/daemon"
	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/notify"
	"github.com/ks3sync/ks3sync/planner"
	svc "github.com/ks3sync/ks3sync/service"
	"github.com/ks3sync/ks3sync/state"
	"github.com/ks3sync/ks3sync/syncer"
	"github.com/ks3sync/ks3sync/watcher"
	"github.com/ks3sync/ks3sync/webui"
)

func newWatchCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "watch [--config F]",
		Short: "Reconcile, then follow changes until stopped (foreground daemon)",
		Long: `watch reconciles every pair once, then follows local changes: each changed
path is synced after a quiet period (watch.delay) and at most watch.max_delay
after its first change. Every remote_poll (default 30s) pull and both pairs
read the change journal that ks3sync on other devices writes under the
pair's prefix, and sync the names it lists. A full reconcile every
watch.rescan catches anything missed, including remote changes made by
other tools. Failed paths, and
items that failed in a full reconcile, are retried with backoff (5 s,
doubling up to 10 minutes). SIGINT or SIGTERM stops it cleanly: finished
parts of large uploads are checkpointed and resume on the next start.

With http: ADDR in the config, it serves the status page on ADDR (/: every
pair, transfer, error and refusal, live, with "sync now" and "pause"
buttons; "ks3sync status --url" prints its address with the token the
buttons need), /healthz (200 only while every pair's last pass succeeded
recently; 503 with the reasons otherwise), /readyz (once every pair's first
reconcile succeeded), /metrics (Prometheus, per pair) and /api/status (the
status document). ADDR must be a loopback address unless http_token is set
in the config. With
notify: in the config, failures, recoveries, refusals and conflicts are
sent to a webhook or a command. It keeps its health in a file beside the
state database, which "ks3sync service start" waits on.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			log := a.log.With().Logger()
			rep := newReporter(cmd.OutOrStdout(), cmd.ErrOrStderr(), reporterOptions{json: asJSON, log: &log})
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
	monitor, control, err := a.startMonitor(ctx)
	if err != nil {
		return err
	}
	report := func(ev syncer.Event) { monitor.Observe(ev); rep.report(ev) }
	var dp []daemon.Pair
	for _, p := range pairs {
		d, err := a.daemonPair(ctx, client, db, p, report)
		if err != nil {
			return err
		}
		dp = append(dp, d)
	}
	a.log.Info().Int("pairs", len(dp)).Str("state", a.cfg.State).Str("http", a.cfg.HTTP).Msg("watching")
	err = daemon.Run(ctx, daemon.Options{DB: db, Pairs: dp, Logger: a.log, Monitor: monitor, Control: control,
		StaleUploads: a.cfg.StaleUploads.D()})
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	a.log.Info().Msg("stopped")
	return nil
}

// startMonitor makes the daemon's monitor, with its notifier and health
// file, and the control of its pairs, and serves both with the status page
// on the http address when one is configured.
func (a *app) startMonitor(ctx context.Context) (*daemon.Monitor, *daemon.Control, error) {
	opts := daemon.MonitorOptions{Device: a.cfg.Device, HealthFile: daemon.HealthFileFor(a.cfg.State), Logger: a.log, AfterFailures: a.cfg.Notify.AfterFailures}
	if n := a.cfg.Notify; n.Enabled() {
		notifier, err := notify.New(notify.Options{Webhook: n.Webhook, Command: n.Command, Logger: a.log})
		if err != nil {
			return nil, nil, usageError("notify: %v", err)
		}
		go notifier.Run(ctx)
		opts.Notifier = notifier
	}
	monitor, control := daemon.NewMonitor(opts), daemon.NewControl()
	if a.cfg.HTTP != "" {
		if err := a.serveStatus(ctx, monitor, control); err != nil {
			return nil, nil, err
		}
	}
	return monitor, control, nil
}

// serveStatus listens on the http address and serves the status page and
// endpoints there. Anywhere but loopback it needs a configured token: the
// page's actions would otherwise rest on a file only this machine has.
func (a *app) serveStatus(ctx context.Context, monitor *daemon.Monitor, control *daemon.Control) error {
	addr := a.cfg.HTTP
	exposed := usageError("http: %s is not a loopback address: set http_token in the config (at least %d characters) "+
		"to serve the status page there, or listen on 127.0.0.1", addr, config.MinHTTPTokenLen)
	if !a.cfg.HTTPLoopback() && a.cfg.HTTPToken == "" {
		return exposed
	}
	token, err := a.httpToken()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return usageError("http: %v", err)
	}
	loopback := isLoopback(ln.Addr())
	if !loopback && a.cfg.HTTPToken == "" {
		ln.Close()
		return exposed
	}
	h, err := webui.Handler(webui.Options{API: monitor.Handler(), Control: control, Token: token, Loopback: loopback, Logger: a.log})
	if err != nil {
		ln.Close()
		return err
	}
	go func() {
		if err := webui.Serve(ctx, ln, h); err != nil {
			a.log.Error().Err(err).Str("addr", addr).Msg("http server")
		}
	}()
	return nil
}

// daemonPair builds the daemon's view of one configured pair.
func (a *app) daemonPair(ctx context.Context, client *ks3.Client, db *state.DB, p config.Pair, report func(syncer.Event)) (daemon.Pair, error) {
	m, err := planner.NewMatcher(p.Include, p.Exclude)
	if err != nil {
		return daemon.Pair{}, usageError("pair %s: %v", p.Name, err)
	}
	if err := os.MkdirAll(p.Local, 0o755); err != nil {
		return daemon.Pair{}, fmt.Errorf("pair %s: %w", p.Name, err)
	}
	w := &watcherRef{}
	s, err := a.newSyncer(ctx, client, db, p, false, report, w)
	if err != nil {
		return daemon.Pair{}, err
	}
	return daemon.Pair{
		Syncer:     s,
		Rescan:     p.Watch.Rescan.D(),
		RemotePoll: p.RemotePoll.D(),
		Watch: watcher.Options{
			Delay: p.Watch.Delay.D(), MaxDelay: p.Watch.MaxDelay.D(),
			Match:  m.Match,
			Logger: a.log.With().Str("pair", p.Name).Logger(), // scoped component=watcher by the watcher
		},
		OnWatcher: w.set,
	}, nil
}

// watcherRef lets a syncer tell the pair's watcher (created later by the
// daemon) which paths it is writing, so downloads do not echo as uploads.
type watcherRef struct {
	w *watcher.Watcher
}

func (r *watcherRef) set(w *watcher.Watcher) { r.w = w }

// Suppress implements syncer.Echoes.
func (r *watcherRef) Suppress(rel string, until time.Time) {
	if r.w != nil {
		r.w.Suppress(rel, until)
	}
}

// Settle implements syncer.Echoes.
func (r *watcherRef) Settle(rel string) {
	if r.w != nil {
		r.w.Settle(rel)
	}
}
