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
	gate     *gate       // pause and sync now
	full     *time.Timer // next full reconcile
	retry    *time.Timer // next backed-off path due
	failures int         // full reconciles failed in a row
	fullDue  bool        // a full reconcile waits for the pair to be resumed
	cursor   syncer.JournalCursor
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
		gate:   newGate(name, opts.Monitor, opts.Now),
		log:    opts.Logger.With().Str("component", "watch").Str("pair", name).Logger(),
	}
}

// config describes the pair for the status.
func (l *loop) config() PairConfig {
	o := l.pair.Syncer.Options()
	return PairConfig{Name: l.name, Rescan: l.rescan, Direction: string(o.Direction), Local: o.Root,
		Bucket: o.Bucket, Prefix: o.Prefix, Encrypted: o.Key != nil, History: o.History}
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

// follow takes batches, timers and requests until ctx is done. The
// source's first batch asks for a full rescan once every watch is in place:
// that is the initial reconcile, and nothing made before the watches
// existed is missed. While the pair is paused, batches are still queued and
// the passes wait.
func (l *loop) follow(ctx context.Context, batches <-chan watcher.Batch) {
	l.full = time.NewTimer(l.rescan)
	defer l.full.Stop()
	l.retry = time.NewTimer(time.Hour)
	defer l.retry.Stop()
	poller, every := l.poller()
	var polls <-chan time.Time
	if poller != nil {
		t := time.NewTicker(every)
		defer t.Stop()
		polls = t.C
	}
	for {
		l.catchUp(ctx)
		select {
		case <-ctx.Done():
			return
		case b := <-batches:
			l.take(ctx, b)
		case <-l.full.C:
			l.wantFull(ctx)
		case <-l.gate.trigger:
			l.log.Info().Msg("full reconcile asked for")
			l.wantFull(ctx)
		case <-l.gate.changed:
			l.log.Info().Bool("paused", l.gate.isPaused()).Msg("pause changed")
		case <-l.retry.C:
		case <-polls:
			l.poll(ctx, poller)
		}
	}
}

// catchUp runs, unless the pair is paused, the full reconcile that a pause
// put off, then the due queued paths.
func (l *loop) catchUp(ctx context.Context) {
	if l.gate.isPaused() {
		return
	}
	if l.fullDue {
		l.reconcile(ctx)
	}
	l.drainDue(ctx)
}

// wantFull runs a full reconcile now, or once the pair is resumed.
func (l *loop) wantFull(ctx context.Context) {
	if l.gate.isPaused() {
		l.fullDue = true
		return
	}
	l.reconcile(ctx)
}

// take records a batch in the durable queue, or reconciles at once when the
// source lost track.
func (l *loop) take(ctx context.Context, b watcher.Batch) {
	if b.Rescan {
		l.log.Info().Str("reason", b.Reason).Msg("full rescan")
		l.wantFull(ctx)
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
// reports its start and end to the monitor. It returns ErrPaused, and no
// pass ran or the pass was interrupted, when the pair is or was paused.
func (l *loop) runPass(ctx context.Context, paths []string) (*syncer.Result, error) {
	pctx, end, err := l.gate.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer end()
	full := paths == nil
	kind := state.KindWatchPass
	if full {
		kind = state.KindReconcile
	}
	started := l.opts.Now()
	l.opts.Monitor.passStarted(l.name, full)
	var res *syncer.Result
	if full {
		res, err = l.pair.Syncer.Run(pctx, kind)
	} else {
		res, err = l.pair.Syncer.RunPaths(pctx, paths)
	}
	l.opts.Monitor.passEnded(l.name, summarize(pctx, kind, started, l.opts.Now(), res, err), full)
	if ctx.Err() == nil && errors.Is(context.Cause(pctx), ErrPaused) {
		return res, ErrPaused
	}
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
