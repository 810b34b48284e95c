// Package daemon is ks3sync's watch loop: for every pair it reconciles once,
// then follows the watcher's settled changes through the durable dirty
// queue in small passes, retries failed paths with backoff, and runs a full
// reconcile every rescan interval to catch anything missed.
package daemon

import (
	"context"
	"errors"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/sync/errgroup"

	"github.com/ks3sync/ks3sync/state"
)

// Options configure the daemon.
type Options struct {
	DB      *state.DB        // holds the dirty queue; required
	Pairs   []Pair           // at least one
	Logger  zerolog.Logger   // scoped per pair with component=watch
	Monitor *Monitor         // keeps the status; nil = a private one
	Control *Control         // pauses, resumes and triggers pairs; nil = none
	Now     func() time.Time // nil = time.Now
	// BatchLimit caps the paths of one small pass; 0 = 500.
	BatchLimit int
	// StaleUploads is the age after which a pair's interrupted multipart
	// uploads are aborted, checked before every full reconcile; 0 = never.
	StaleUploads time.Duration
}

// Run follows every pair until ctx is done. It returns nil on a clean stop,
// once every pair's pass in flight and batch source have returned; it
// returns an error when a pair's source cannot start or stops on its own,
// after stopping the other pairs. The monitor runs for as long as Run.
func Run(ctx context.Context, opts Options) error {
	if opts.DB == nil || len(opts.Pairs) == 0 {
		return errors.New("daemon: a state DB and at least one pair are required")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.BatchLimit <= 0 {
		opts.BatchLimit = 500
	}
	if opts.Monitor == nil {
		opts.Monitor = NewMonitor(MonitorOptions{Now: opts.Now, Logger: opts.Logger})
	}
	loops := make([]*loop, len(opts.Pairs))
	configs := make([]PairConfig, len(opts.Pairs))
	gates := make([]*gate, len(opts.Pairs))
	for i, p := range opts.Pairs {
		loops[i] = newLoop(opts, p)
		configs[i], gates[i] = loops[i].config(), loops[i].gate
	}
	if opts.Control != nil {
		if err := opts.Control.attach(gates); err != nil {
			return err
		}
		defer opts.Control.detach()
	}
	// A pause before the monitor starts waits in its queue of updates.
	opts.Monitor.start(configs)
	defer opts.Monitor.stop()
	g, gctx := errgroup.WithContext(ctx)
	for _, l := range loops {
		g.Go(func() error { return l.run(gctx) })
	}
	err := g.Wait()
	if ctx.Err() != nil {
		return nil
	}
	return err
}
