package daemon

import (
	"context"
	"errors"
	"slices"

	"github.com/rs/zerolog"

	"github.com/ks3sync/ks3sync/state"
)

// reconcile runs a full pass. After a success it clears the queued paths
// the pass covered, queues the items that failed with a backoff, and waits
// the rescan interval; after a failure it keeps the queue and tries again
// after a backoff that grows with the failures in a row. A pass a pause
// interrupted runs again on the resume.
func (l *loop) reconcile(ctx context.Context) {
	l.fullDue = false
	l.abortStale(ctx)
	queued, qerr := l.queued(ctx)
	res, err := l.runPass(ctx, nil)
	if ctx.Err() != nil {
		return
	}
	if errors.Is(err, ErrPaused) {
		l.fullDue = true
		return
	}
	l.observe(res)
	if err != nil {
		l.failures++
		wait := Backoff(l.failures)
		l.failure(err, zerolog.ErrorLevel).Float64("retry_in_seconds", wait.Seconds()).Msg("reconcile failed")
		l.full.Reset(wait)
		return
	}
	l.failures = 0
	l.full.Reset(l.rescan)
	if qerr == nil {
		qerr = l.settleFull(ctx, queued, failedPaths(res))
	}
	if qerr != nil {
		l.queueFailed(ctx, qerr)
	}
	l.queueChanged(ctx)
}

// settleFull clears the queued entries a successful full pass covered and
// queues the items it could not sync, backed off like a small pass's: they
// are retried long before the next rescan.
func (l *loop) settleFull(ctx context.Context, queued []state.DirtyEntry, failed []string) error {
	covered := newFailedSet(failed)
	byPath := make(map[string]state.DirtyEntry, len(queued))
	for _, d := range queued {
		byPath[d.Path] = d
	}
	done := slices.DeleteFunc(queued, func(d state.DirtyEntry) bool { return covered.covers(d.Path) })
	now := l.opts.Now()
	if err := l.opts.DB.ClearDirtyEntries(ctx, done...); err != nil {
		return err
	}
	for _, p := range failed {
		if p == "" {
			continue // the root itself: the next full pass retries it
		}
		d, ok := byPath[p]
		if !ok {
			d = state.DirtyEntry{Pair: l.name, Path: p}
		}
		if err := l.opts.DB.FailDirty(ctx, d, "item failed", now.Add(Backoff(d.Attempts+1))); err != nil {
			return err
		}
	}
	return nil
}

// abortStale aborts the pair's interrupted multipart uploads older than
// Options.StaleUploads; a failure only delays that to the next reconcile.
func (l *loop) abortStale(ctx context.Context) {
	n, err := l.pair.Syncer.AbortStale(ctx, l.opts.StaleUploads)
	switch {
	case err != nil:
		l.log.Warn().Err(err).Msg("abort stale uploads")
	case n > 0:
		l.log.Info().Int("aborted", n).Msg("aborted stale multipart uploads")
	}
}

// queued reads the pair's queue as it is before a full pass: the entries
// that pass may clear. One marked again while the pass runs keeps a newer
// Seq and stays queued.
func (l *loop) queued(ctx context.Context) ([]state.DirtyEntry, error) {
	var q []state.DirtyEntry
	for d, err := range l.opts.DB.Dirty(ctx, l.name) {
		if err != nil {
			return nil, err
		}
		q = append(q, d)
	}
	return q, nil
}
