package daemon

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/sync/errgroup"

	"github.com/ks3sync/ks3sync/state"
	"github.com/ks3sync/ks3sync/syncer"
	"github.com/ks3sync/ks3sync/watcher"
)

// loop follows one pair. The goroutine running follow owns all of the
// loop's state; the batch source runs on a goroutine of its own and only
// sends batches.
type loop struct {
	opts     Options
	pair     Pair
	name     string
	log      zerolog.Logger
	rescan   time.Duration
	full     *time.Timer // next full reconcile
	retry    *time.Timer // next backed-off path due
	failures int         // full reconciles failed in a row
}

func newLoop(opts Options, p Pair) *loop {
	name := p.Syncer.Options().Pair
	rescan := p.Rescan
	if rescan <= 0 {
		rescan = time.Hour
	}
	return &loop{
		opts:   opts,
		pair:   p,
		name:   name,
		rescan: rescan,
		log:    opts.Logger.With().Str("component", "watch").Str("pair", name).Logger(),
	}
}

// run follows the pair's batch source until ctx is done or the source
// stops. It returns only once both have returned.
func (l *loop) run(ctx context.Context) error {
	src, err := l.pair.source(l.pair.Syncer.Options().Root)
	if err != nil {
		return fmt.Errorf("pair %s: %w", l.name, err)
	}
	batches := make(chan watcher.Batch, 64)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		err := src.Run(gctx, batches)
		if gctx.Err() != nil {
			return nil
		}
		if err == nil {
			err = errors.New("returned while the daemon runs")
		}
		return fmt.Errorf("pair %s: watcher stopped: %w", l.name, err)
	})
	g.Go(func() error {
		l.follow(gctx, batches)
		return nil
	})
	return g.Wait()
}

// follow takes batches and timers until ctx is done. The source's first
// batch asks for a full rescan once every watch is in place: that is the
// initial reconcile, and nothing made before the watches existed is missed.
func (l *loop) follow(ctx context.Context, batches <-chan watcher.Batch) {
	l.full = time.NewTimer(l.rescan)
	defer l.full.Stop()
	l.retry = time.NewTimer(time.Hour)
	defer l.retry.Stop()
	for {
		l.drainDue(ctx)
		select {
		case <-ctx.Done():
			return
		case b := <-batches:
			l.take(ctx, b)
		case <-l.full.C:
			l.reconcile(ctx)
		case <-l.retry.C:
		}
	}
}

// take records a batch in the durable queue, or reconciles at once when the
// source lost track.
func (l *loop) take(ctx context.Context, b watcher.Batch) {
	if b.Rescan {
		l.log.Info().Str("reason", b.Reason).Msg("full rescan")
		l.reconcile(ctx)
		return
	}
	if err := l.opts.DB.MarkDirty(ctx, l.name, l.opts.Now(), b.Paths...); err != nil {
		// The changes are not queued durably: a full reconcile soon finds
		// them anyway.
		l.log.Error().Err(err).Msg("queue changes; a full reconcile follows")
		l.full.Reset(time.Second)
		return
	}
	l.queueChanged(ctx)
}

// runPass runs a full pass (paths nil) or a small one over paths, and
// reports its start and end to the monitor.
func (l *loop) runPass(ctx context.Context, paths []string) (*syncer.Result, error) {
	full := paths == nil
	kind := state.KindWatchPass
	if full {
		kind = state.KindReconcile
	}
	started := l.opts.Now()
	l.opts.Monitor.passStarted(l.name, full)
	var (
		res *syncer.Result
		err error
	)
	if full {
		res, err = l.pair.Syncer.Run(ctx, kind)
	} else {
		res, err = l.pair.Syncer.RunPaths(ctx, paths)
	}
	l.opts.Monitor.passEnded(l.name, summarize(ctx, kind, started, l.opts.Now(), res, err), full)
	return res, err
}

// queueChanged tells the monitor the pair's queue depth, read here on the
// loop's goroutine so that no scrape ever reads the database.
func (l *loop) queueChanged(ctx context.Context) {
	n, oldest, err := l.opts.DB.DirtyStats(ctx, l.name)
	if err != nil {
		if ctx.Err() == nil {
			l.log.Warn().Err(err).Msg("read queue depth")
		}
		return
	}
	l.opts.Monitor.queueSeen(l.name, n, oldest)
}
