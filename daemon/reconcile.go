package daemon

import (
	"context"
	"slices"

	"github.com/rs/zerolog"

	"github.com/ks3sync/ks3sync/state"
)

// reconcile runs a full pass. After a success it clears the queued paths
// the pass covered and waits the rescan interval; after a failure it keeps
// the queue and tries again after a backoff that grows with the failures in
// a row.
func (l *loop) reconcile(ctx context.Context) {
	l.abortStale(ctx)
	queued, qerr := l.queued(ctx)
	res, err := l.pair.Syncer.Run(ctx, state.KindReconcile)
	if ctx.Err() != nil {
		return
	}
	l.observe(res)
	if err != nil {
		l.failures++
		wait := Backoff(l.failures)
		l.failure(err, zerolog.ErrorLevel).Dur("retry_in", wait).Msg("reconcile failed")
		l.full.Reset(wait)
		return
	}
	l.failures = 0
	l.full.Reset(l.rescan)
	if l.opts.Metrics != nil {
		l.opts.Metrics.reconciled(l.name, l.opts.Now())
	}
	if qerr != nil {
		l.queueFailed(ctx, qerr)
		return
	}
	failed := newFailedSet(failedPaths(res))
	done := slices.DeleteFunc(queued, func(d state.DirtyEntry) bool { return failed.covers(d.Path) })
	if err := l.opts.DB.ClearDirtyEntries(ctx, done...); err != nil {
		l.queueFailed(ctx, err)
	}
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
