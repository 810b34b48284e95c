package daemon

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/ks3sync/ks3sync/state"
	"github.com/ks3sync/ks3sync/syncer"
)

// drainDue runs small passes over the due queued paths until none are due,
// then arms the retry timer for the next backoff deadline. A pause stops
// it.
func (l *loop) drainDue(ctx context.Context) {
	for ctx.Err() == nil && !l.gate.isPaused() {
		due, err := l.opts.DB.DueDirty(ctx, l.name, l.opts.Now(), l.opts.BatchLimit)
		if err != nil {
			l.queueFailed(ctx, err)
			return
		}
		if len(due) == 0 {
			l.armRetry(ctx)
			l.queueChanged(ctx)
			return
		}
		if err := l.pass(ctx, due); err != nil {
			l.queueFailed(ctx, err)
			return
		}
	}
}

// queueFailed logs a queue that could not be read or written and looks at
// it again after the first backoff step, rather than at once: passes whose
// outcome cannot be recorded would otherwise repeat without pause.
func (l *loop) queueFailed(ctx context.Context, err error) {
	if ctx.Err() != nil {
		return
	}
	l.log.Error().Err(err).Float64("retry_in_seconds", firstBackoff.Seconds()).Msg("dirty queue")
	l.retry.Reset(firstBackoff)
}

// pass syncs the due paths and settles the queue with the outcome. A pass
// stopped by ctx or a pause leaves them queued as they were, for the next
// start or the resume; the error is for the queue only.
func (l *loop) pass(ctx context.Context, due []state.DirtyEntry) error {
	paths := make([]string, len(due))
	for i, d := range due {
		paths[i] = d.Path
	}
	res, err := l.runPass(ctx, paths)
	if ctx.Err() != nil || errors.Is(err, ErrPaused) {
		return nil
	}
	l.observe(res)
	if err != nil {
		l.failure(err, zerolog.WarnLevel).Int("paths", len(paths)).Msg("pass failed; its paths stay queued")
		return l.failAll(ctx, due, err.Error())
	}
	return l.settle(ctx, due, newFailedSet(failedPaths(res)), "item failed")
}

// failAll backs off the entries of a pass that failed as a whole to one
// time, after the backoff of the entry tried most, recording msg as their
// last error: they are retried in one pass, as they failed. A pass the
// max_delete guard refused must not come back as smaller passes that each
// get through the guard.
func (l *loop) failAll(ctx context.Context, due []state.DirtyEntry, msg string) error {
	attempts := 0
	for _, d := range due {
		attempts = max(attempts, d.Attempts)
	}
	next := l.opts.Now().Add(Backoff(attempts + 1))
	for _, d := range due {
		if err := l.opts.DB.FailDirty(ctx, d, msg, next); err != nil {
			return err
		}
	}
	return nil
}

// settle clears the due entries that synced and backs off the ones that
// failed, recording msg as their last error. An entry marked again while
// its pass ran stays queued.
func (l *loop) settle(ctx context.Context, due []state.DirtyEntry, failed failedSet, msg string) error {
	var ok []state.DirtyEntry
	now := l.opts.Now()
	for _, d := range due {
		if !failed.covers(d.Path) {
			ok = append(ok, d)
			continue
		}
		next := now.Add(Backoff(d.Attempts + 1))
		if err := l.opts.DB.FailDirty(ctx, d, msg, next); err != nil {
			return err
		}
	}
	return l.opts.DB.ClearDirtyEntries(ctx, ok...)
}

// armRetry arms the retry timer for the earliest backed-off path: at least
// 100 ms and at most an hour from now.
func (l *loop) armRetry(ctx context.Context) {
	wait := time.Hour
	for d, err := range l.opts.DB.Dirty(ctx, l.name) {
		if err != nil {
			l.queueFailed(ctx, err)
			return
		}
		wait = min(wait, max(d.NextAttempt.Sub(l.opts.Now()), 100*time.Millisecond))
	}
	l.retry.Reset(wait)
}

// failedSet is the paths whose items failed in a pass.
type failedSet map[string]bool

func newFailedSet(paths []string) failedSet {
	f := make(failedSet, len(paths))
	for _, p := range paths {
		f[p] = true
	}
	return f
}

// covers reports whether the queued path p did not sync: it failed, or a
// path inside it (p is a folder), or a folder holding it ("" is the root).
func (f failedSet) covers(p string) bool {
	if f[p] || f[""] {
		return true
	}
	for q := range f {
		if within(q, p) || within(p, q) {
			return true
		}
	}
	return false
}

// within reports whether the slash-separated path p lies inside the folder
// dir.
func within(p, dir string) bool {
	return len(p) > len(dir) && p[len(dir)] == '/' && strings.HasPrefix(p, dir)
}

// failedPaths returns the failed paths of a pass's result, which may be
// nil.
func failedPaths(res *syncer.Result) []string {
	if res == nil {
		return nil
	}
	return res.FailedPaths
}
