// Package daemon is ks3sync's watch loop: for every pair it reconciles once,
// then follows the watcher's settled changes through the durable dirty
// queue in small passes, retries failed paths with backoff, and runs a full
// reconcile every rescan interval to catch anything missed.
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

// Pair is one pair to follow.
type Pair struct {
	Syncer *syncer.Syncer
	// Watch configures the watcher. Its Match should be the pair's filter.
	Watch watcher.Options
	// Rescan is the full reconcile interval; 0 = one hour.
	Rescan time.Duration
	// OnWatcher, if set, receives the pair's watcher once it exists (to
	// route the syncer's echo suppression to it).
	OnWatcher func(*watcher.Watcher)
}

// Options configure the daemon.
type Options struct {
	DB      *state.DB
	Pairs   []Pair
	Logger  zerolog.Logger
	Metrics *Metrics         // nil = no metrics
	Now     func() time.Time // nil = time.Now
	// BatchLimit caps the paths of one small pass; 0 = 500.
	BatchLimit int
	// StaleUploads is the age after which a pair's interrupted multipart
	// uploads are aborted, checked before every full reconcile; 0 = never.
	StaleUploads time.Duration
}

// Run follows every pair until ctx is done. It returns nil on a clean stop.
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
	g, gctx := errgroup.WithContext(ctx)
	for _, p := range opts.Pairs {
		l := &loop{opts: opts, pair: p, name: p.Syncer.Options().Pair}
		l.log = opts.Logger.With().Str("component", "watch").Str("pair", l.name).Logger()
		g.Go(func() error { return l.run(gctx) })
	}
	err := g.Wait()
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// loop follows one pair. Its run goroutine owns all of the loop's state.
type loop struct {
	opts     Options
	pair     Pair
	name     string
	log      zerolog.Logger
	rescan   time.Duration
	full     *time.Timer // next full reconcile
	failures int         // full reconciles failed in a row
}

func (l *loop) run(ctx context.Context) error {
	w, err := watcher.New(l.pair.Syncer.Options().Root, l.pair.Watch)
	if err != nil {
		return fmt.Errorf("pair %s: %w", l.name, err)
	}
	if l.pair.OnWatcher != nil {
		l.pair.OnWatcher(w)
	}
	batches := make(chan watcher.Batch, 64)
	werr := make(chan error, 1)
	go func() { werr <- w.Run(ctx, batches) }()

	// The watcher's first batch asks for a full rescan once every watch is
	// in place: that is the initial reconcile, and nothing made before the
	// watches existed is missed.
	l.rescan = l.pair.Rescan
	if l.rescan <= 0 {
		l.rescan = time.Hour
	}
	l.full = time.NewTimer(l.rescan)
	defer l.full.Stop()
	retry := time.NewTimer(time.Hour)
	defer retry.Stop()
	for {
		l.drainDue(ctx, retry)
		select {
		case <-ctx.Done():
			return nil
		case err := <-werr:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("pair %s: watcher stopped: %w", l.name, err)
		case b := <-batches:
			l.take(ctx, b)
		case <-l.full.C:
			l.reconcile(ctx)
		case <-retry.C:
		}
	}
}

// take records a watcher batch in the durable queue (or reconciles at once
// when the watcher lost track).
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
	}
}

// drainDue runs small passes over due queued paths until none are due, then
// arms the retry timer for the next backoff deadline.
func (l *loop) drainDue(ctx context.Context, retry *time.Timer) {
	for ctx.Err() == nil {
		due, err := l.opts.DB.DueDirty(ctx, l.name, l.opts.Now(), l.opts.BatchLimit)
		if err != nil {
			l.log.Error().Err(err).Msg("read queue")
			return
		}
		if len(due) == 0 {
			break
		}
		l.pass(ctx, due)
	}
	l.armRetry(ctx, retry)
}

func (l *loop) pass(ctx context.Context, due []state.DirtyEntry) {
	paths := make([]string, len(due))
	for i, d := range due {
		paths[i] = d.Path
	}
	res, err := l.pair.Syncer.RunPaths(ctx, paths)
	if ctx.Err() != nil {
		return // still queued: the next start picks them up
	}
	failed := make(map[string]bool)
	if err != nil {
		l.log.Warn().Err(err).Int("paths", len(paths)).Msg("pass failed")
		for _, p := range paths {
			failed[p] = true
		}
	} else {
		for _, p := range res.FailedPaths {
			failed[p] = true
		}
	}
	l.settle(ctx, due, failed, err)
	l.observe(res)
}

// settle clears the paths that synced and backs off the ones that failed.
func (l *loop) settle(ctx context.Context, due []state.DirtyEntry, failed map[string]bool, passErr error) {
	var ok []state.DirtyEntry
	for _, d := range due {
		if !failed[d.Path] && !failedUnder(failed, d.Path) {
			ok = append(ok, d)
			continue
		}
		msg := "item failed"
		if passErr != nil {
			msg = passErr.Error()
		}
		next := l.opts.Now().Add(Backoff(d.Attempts + 1))
		if err := l.opts.DB.FailDirty(ctx, l.name, d.Path, msg, next); err != nil {
			l.log.Error().Err(err).Msg("record failure")
		}
	}
	// Entries marked again while the pass ran stay queued.
	if err := l.opts.DB.ClearDirtyEntries(ctx, ok...); err != nil {
		l.log.Error().Err(err).Msg("clear queue")
	}
}

// failedUnder reports whether a failed path lies inside the folder dir.
func failedUnder(failed map[string]bool, dir string) bool {
	for p := range failed {
		if len(p) > len(dir) && p[:len(dir)] == dir && p[len(dir)] == '/' {
			return true
		}
	}
	return false
}

// Backoff is the wait before the n-th retry of a failed path: 5 s doubling
// up to 10 minutes.
func Backoff(n int) time.Duration {
	d := 5 * time.Second
	for i := 1; i < n && d < 10*time.Minute; i++ {
		d *= 2
	}
	return min(d, 10*time.Minute)
}

func (l *loop) armRetry(ctx context.Context, retry *time.Timer) {
	wait := time.Hour
	for d, err := range l.opts.DB.Dirty(ctx, l.name) {
		if err != nil {
			break
		}
		if w := d.NextAttempt.Sub(l.opts.Now()); w < wait {
			wait = max(w, 100*time.Millisecond)
		}
	}
	retry.Reset(wait)
}

// reconcile runs a full pass; queued paths it covered are cleared.
func (l *loop) reconcile(ctx context.Context) {
	started := l.opts.Now()
	if n, err := l.pair.Syncer.AbortStale(ctx, l.opts.StaleUploads); err != nil {
		l.log.Warn().Err(err).Msg("abort stale uploads")
	} else if n > 0 {
		l.log.Info().Int("aborted", n).Msg("aborted stale multipart uploads")
	}
	res, err := l.pair.Syncer.Run(ctx, "reconcile")
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		l.failures++
		wait := Backoff(l.failures)
		l.log.Error().Err(err).Dur("retry_in", wait).Msg("reconcile failed")
		l.full.Reset(wait)
		return
	}
	l.failures = 0
	l.full.Reset(l.rescan)
	l.observe(res)
	if l.opts.Metrics != nil {
		l.opts.Metrics.reconciled(l.name, l.opts.Now())
	}
	failed := make(map[string]bool, len(res.FailedPaths))
	for _, p := range res.FailedPaths {
		failed[p] = true
	}
	var done []state.DirtyEntry
	for d, err := range l.opts.DB.Dirty(ctx, l.name) {
		if err != nil {
			break
		}
		if d.FirstSeen.Before(started) && !failed[d.Path] && !failedUnder(failed, d.Path) {
			done = append(done, d)
		}
	}
	if err := l.opts.DB.ClearDirtyEntries(ctx, done...); err != nil {
		l.log.Error().Err(err).Msg("clear queue")
	}
}

func (l *loop) observe(res *syncer.Result) {
	if res == nil {
		return
	}
	if res.Counts.Failed > 0 {
		l.log.Warn().Int("failed", res.Counts.Failed).Strs("errors", first(res.Errors, 5)).Msg("some items failed; they will be retried")
	}
}

func first(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
