package syncer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/ks3sync/ks3sync/localfs"
	"github.com/ks3sync/ks3sync/planner"
	"github.com/ks3sync/ks3sync/state"
)

// execute runs the plan: transfers first on the worker pool, then remote
// deletions in batches, so a rename never leaves a moment with neither copy.
// When the endpoint turns out to be down (the client's circuit breaker
// opens), the pass stops at once with that error instead of failing every
// item in turn.
func (s *Syncer) execute(ctx context.Context, plan *planner.Result, t *tally) error {
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	var deletes []planner.Action
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.opts.Transfers)
	moves, actions := pairMoves(plan.Actions)
	for _, m := range moves {
		g.Go(func() error {
			if gctx.Err() == nil {
				if err := s.doMove(gctx, m, t); err != nil {
					stop(err)
				}
			}
			return nil
		})
	}
	for _, a := range actions {
		if a.Kind == planner.DeleteRemote {
			deletes = append(deletes, a)
			continue
		}
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if gctx.Err() != nil {
				return nil // stopped while this one waited for a worker
			}
			if err := s.do(gctx, a, t); err != nil {
				stop(err)
			}
			return nil
		})
	}
	g.Wait()
	if ctx.Err() != nil {
		return passEnd(ctx)
	}
	if err := s.deleteRemote(ctx, deletes, t); err != nil {
		return err
	}
	return ctx.Err()
}

// passEnd is the error of a pass whose context ended: why it was stopped.
func passEnd(ctx context.Context) error {
	if err := context.Cause(ctx); endpointDown(err) != nil {
		return err
	}
	return ctx.Err()
}

// do executes one action and accounts for it. It returns an error only
// when the whole pass must stop (see endpointDown).
func (s *Syncer) do(ctx context.Context, a planner.Action, t *tally) error {
	start := s.opts.Now()
	var (
		err   error
		kind  EventKind
		bytes int64
	)
	switch a.Kind {
	case planner.Upload:
		kind = EventUpload
		bytes, err = s.upload(ctx, a)
		if lr, ok := isLostRace(err); ok {
			// Sent, then replaced by another device: the local version
			// lives on as a conflict copy.
			kind, err, a.Reason = EventConflict, nil, lr.Error()
			t.add(func(c *state.RunCounts) { c.Uploaded++; c.Conflicts++; c.Bytes += bytes })
		} else if err == nil {
			t.add(func(c *state.RunCounts) {
				c.Uploaded++
				c.Bytes += bytes
				if a.Settles {
					c.Conflicts++
				}
			})
			if a.Settles {
				kind = EventConflict
			}
		}
	case planner.Download:
		kind = EventDownload
		bytes, err = s.downloadOver(ctx, &a)
		conflict := a.Kind == planner.Conflict || a.Settles
		if conflict {
			kind = EventConflict
		}
		if err == nil {
			t.add(func(c *state.RunCounts) {
				c.Downloaded++
				c.Bytes += bytes
				if conflict {
					c.Conflicts++
				}
			})
		}
	case planner.Conflict:
		kind = EventConflict
		bytes, err = s.conflict(ctx, a)
		if err == nil {
			t.add(func(c *state.RunCounts) { c.Conflicts++; c.Downloaded++; c.Bytes += bytes })
		}
	case planner.DeleteLocal:
		kind = EventDeleteLocal
		err = s.deleteLocal(ctx, a)
		if err == nil {
			t.add(func(c *state.RunCounts) { c.Deleted++ })
		}
	case planner.RefreshMTime:
		kind = EventRefreshMTime
		err = s.refreshMTime(ctx, a)
		if err == nil {
			t.add(func(c *state.RunCounts) { c.Skipped++ })
		}
	case planner.UpdateBase, planner.ForgetBase:
		kind = EventUpdateBase
		err = s.updateBase(ctx, a)
		if err == nil {
			t.add(func(c *state.RunCounts) { c.Skipped++ })
		}
	case planner.Error:
		if errors.Is(a.Err, planner.ErrNameCollision) {
			// Names this folder cannot tell apart: skipped, and said
			// so, but not a failure (no pass could do better).
			name := a.Path
			if a.Key != "" {
				name = a.Key
			}
			t.skip(fmt.Sprintf("%s: %s", name, a.Reason))
			s.emit(Event{Kind: EventWarning, Path: a.Path, Key: a.Key, Reason: a.Reason})
			return nil
		}
		err = a.Err
		if err == nil {
			err = errors.New(a.Reason)
		}
	default:
		t.add(func(c *state.RunCounts) { c.Skipped++ })
		return nil
	}
	if err != nil {
		return s.failed(ctx, a, err, t)
	}
	if a.Kind == planner.UpdateBase || a.Kind == planner.ForgetBase {
		return nil // bookkeeping only; not worth an event line
	}
	ev := Event{Kind: kind, Path: a.Path, Key: a.Key, Size: bytes, Reason: a.Reason, Duration: s.opts.Now().Sub(start).Seconds()}
	if kind == EventConflict {
		ev.Action = string(a.Kind) // conflict (a copy kept), or the upload or download of a winner
	}
	s.emit(ev)
	return nil
}

// failed accounts for an item that failed. An item that fails because the
// endpoint is down is not counted: failed returns the error that stops the
// pass instead.
func (s *Syncer) failed(ctx context.Context, a planner.Action, err error, t *tally) error {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return nil // interrupted, not failed: the pass reports the interruption
	}
	if down := endpointDown(err); down != nil {
		return down
	}
	if localfs.IsLocked(err) || localfs.IsReplaceBlocked(err) {
		// Another program holds the file open (Windows): not a failure;
		// nothing was recorded, so the next pass tries it again.
		t.add(func(c *state.RunCounts) { c.Skipped++ })
		msg := fmt.Sprintf("%s is open in another program; it is tried again in the next pass (%v)", a.Path, err)
		s.log.Info().Str("action", string(a.Kind)).Str("path", a.Path).Err(err).Msg("file in use; retried next pass")
		s.emit(Event{Kind: EventWarning, Action: string(a.Kind), Path: a.Path, Key: a.Key, Reason: msg})
		return nil
	}
	t.fail(a.Path, fmt.Sprintf("%s %s: %v", a.Kind, a.Path, err))
	// Reported once, as the event; the log has it at debug level.
	s.log.Debug().Str("action", string(a.Kind)).Str("path", a.Path).Err(err).Msg("item failed")
	s.emit(Event{Kind: EventError, Action: string(a.Kind), Path: a.Path, Key: a.Key, Error: err.Error(), ErrorKind: ErrorKind(err), Reason: a.Reason})
	return nil
}

// updateBase records that both sides already agree (or are both gone).
func (s *Syncer) updateBase(ctx context.Context, a planner.Action) error {
	if a.Kind == planner.ForgetBase || (a.Local == nil && a.Remote == nil) {
		return s.db.DeleteBase(context.WithoutCancel(ctx), s.opts.Pair, a.Path)
	}
	if a.Local == nil || a.Remote == nil {
		return fmt.Errorf("update base of %s: both sides are needed", a.Path)
	}
	return s.db.PutBase(context.WithoutCancel(ctx), s.agreedBase(a))
}

// agreedBase is the base entry of an UpdateBase action with both sides.
func (s *Syncer) agreedBase(a planner.Action) state.BaseEntry {
	md5 := a.Local.MD5
	if md5 == "" {
		md5 = a.Remote.MD5
	}
	return s.baseEntry(a.Path, a.Local.Fingerprint, md5, remoteState{
		key: a.Remote.Key, size: a.Remote.Size, etag: a.Remote.ETag,
		storageClass: a.Remote.StorageClass, encrypted: a.Remote.Encrypted,
	})
}

// remoteState is what an object looked like after ks3sync wrote or read it.
type remoteState struct {
	key          string
	size         int64
	etag         string
	storageClass string
	encrypted    bool
	mtime        int64
}

func (s *Syncer) putBase(ctx context.Context, path string, fp planner.Fingerprint, md5 string, r remoteState) error {
	return s.db.PutBase(context.WithoutCancel(ctx), s.baseEntry(path, fp, md5, r))
}

// racyWindow is how recent a file's mtime may be for its fingerprint not
// to be trusted yet: two writes of the same size within one tick of the
// filesystem's clock (a few milliseconds on Linux, a second on HFS+, two
// on FAT) leave the same size, mtime and change time, so a fingerprint
// taken in that tick cannot tell the second write from the first.
const racyWindow = 2 * time.Second

// racyCTime is the change time recorded in a base entry whose file was
// modified within racyWindow of being synced: it matches no file, so the
// next look at the path hashes the file instead of trusting its
// fingerprint (a file left alone is then only "touched", and its base is
// refreshed without a transfer).
const racyCTime = -1

// baseEntry is the base entry of path synced as fp and r.
func (s *Syncer) baseEntry(path string, fp planner.Fingerprint, md5 string, r remoteState) state.BaseEntry {
	ctime := fp.CTime
	if s.opts.Now().Sub(time.Unix(0, fp.MTime)) < racyWindow {
		ctime = racyCTime
	}
	return state.BaseEntry{
		Pair: s.opts.Pair, Path: path,
		LocalSize: fp.Size, LocalMTime: fp.MTime, LocalCTime: ctime, LocalInode: fp.Inode,
		MD5:       md5,
		RemoteKey: r.key, RemoteSize: r.size, ETag: r.etag, StorageClass: r.storageClass, Encrypted: r.encrypted,
		RemoteMTime: r.mtime,
		SyncedAt:    s.opts.Now(),
	}
}

// readPath is the absolute path of the relative slash path rel, as the
// name is actually spelled on disk (which may not be NFC, on macOS for
// example), for reading. A path that would lead out of the root is an
// error: there is no unguarded fallback.
func (s *Syncer) readPath(rel string) (string, error) {
	p, err := localfs.Resolve(s.opts.Root, rel)
	if err != nil {
		return "", fmt.Errorf("local path of %s: %w", rel, err)
	}
	return p, nil
}

// writePath is readPath for a path about to be written, renamed or
// removed: it also refuses a path through a symbolic link, whatever
// follow_symlinks says (that option is about what is read and uploaded),
// so a pull never touches anything outside the root.
func (s *Syncer) writePath(rel string) (string, error) {
	p, err := localfs.ResolveWrite(s.opts.Root, rel)
	if err != nil {
		return "", fmt.Errorf("local path of %s: %w", rel, err)
	}
	return p, nil
}

// suppress tells the watcher to ignore our own writes to rel for a while;
// the function it returns says that the write is done (see Echoes), and
// must be called once rel is as the pass leaves it. Only its first call
// counts, so a caller may settle early and still defer it for the paths
// that return before.
func (s *Syncer) suppress(rel string) (settled func()) {
	if s.opts.Echoes == nil {
		return func() {}
	}
	s.opts.Echoes.Suppress(rel, s.opts.Now().Add(5*time.Second))
	var once sync.Once
	return func() { once.Do(func() { s.opts.Echoes.Settle(rel) }) }
}

// deleteLocal removes a file that was deleted remotely, unless it changed
// locally since the scan.
func (s *Syncer) deleteLocal(ctx context.Context, a planner.Action) error {
	if a.Local != nil {
		if err := s.unchanged(a.Path, a.Local.Fingerprint); err != nil {
			return err
		}
	}
	p, err := s.writePath(a.Path)
	if err != nil {
		return err
	}
	settle := s.suppress(a.Path)
	defer settle()
	err = localfs.RetryLocked(ctx, true, func() error { return os.Remove(p) })
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := s.db.DeleteBase(context.WithoutCancel(ctx), s.opts.Pair, a.Path); err != nil {
		return err
	}
	settle()
	if err := s.stillAsLeft(a.Path, nil); err != nil {
		return err
	}
	s.removeEmptied(a.Path)
	return nil
}

// deleteRemote deletes objects in batches and forgets their base entries;
// with history on, each object is kept first, or not deleted. It returns
// an error only when the pass must stop (see endpointDown).
func (s *Syncer) deleteRemote(ctx context.Context, actions []planner.Action, t *tally) error {
	const batch = 1000
	actions = s.keepBeforeDelete(ctx, actions, t)
	for len(actions) > 0 && ctx.Err() == nil {
		n := min(batch, len(actions))
		chunk := actions[:n]
		actions = actions[n:]
		keys := make([]string, len(chunk))
		for i, a := range chunk {
			keys[i] = a.Key
		}
		res, err := s.store.DeleteObjects(ctx, s.opts.Bucket, keys)
		if down := endpointDown(err); down != nil {
			return down
		}
		if err != nil {
			for _, a := range chunk {
				s.failed(ctx, a, err, t)
			}
			continue
		}
		failed := make(map[string]string, len(res.Errors))
		for _, e := range res.Errors {
			failed[e.Key] = e.Code + ": " + e.Message
		}
		for _, a := range chunk {
			if msg, bad := failed[a.Key]; bad {
				s.failed(ctx, a, errors.New(msg), t)
				continue
			}
			if err := s.db.DeleteBase(context.WithoutCancel(ctx), s.opts.Pair, a.Path); err != nil {
				s.failed(ctx, a, err, t)
				continue
			}
			t.add(func(c *state.RunCounts) { c.Deleted++ })
			s.emit(Event{Kind: EventDeleteRemote, Path: a.Path, Key: a.Key, Reason: a.Reason})
		}
	}
	return nil
}
