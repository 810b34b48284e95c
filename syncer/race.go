package syncer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/ks3sync/ks3sync/history"
	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/planner"
)

// Several devices may write one prefix (direction both). KS3 has no
// conditional writes, so a pass of such a pair checks an object with HEAD
// just before it replaces or deletes it (beforeDisplace), and after an
// upload checks that the object is still the one it wrote (afterWrite). A
// write of another device that landed in between makes the local version
// a conflict copy named after this device, so both versions survive.

// checksOthers reports whether the pair's bucket may be written by other
// devices between the listing and an action.
func (s *Syncer) checksOthers() bool { return s.opts.Direction == planner.Both }

// beforeDisplace runs just before an action writes over or deletes the
// object at a.Key: for a pair in direction both, the object must still be
// the one the plan was made from (absent for a new file), or the action
// waits for the next pass, which plans with what is there; with history
// on, the object is kept first. cause says what is about to displace it.
func (s *Syncer) beforeDisplace(ctx context.Context, a planner.Action, cause history.Cause) error {
	if !s.checksOthers() {
		return s.keep(ctx, a, cause)
	}
	info, err := s.current(ctx, a)
	switch {
	case err != nil:
		return err
	case info == nil && a.Remote != nil && cause == history.Replaced:
		return fmt.Errorf("%w: ks3://%s/%s was deleted since it was listed", errRetryLater, s.opts.Bucket, a.Key)
	case info != nil && a.Remote == nil:
		return fmt.Errorf("%w: ks3://%s/%s appeared since the listing (another device wrote it)", errRetryLater, s.opts.Bucket, a.Key)
	case info != nil && s.opts.History.On():
		return s.keepObject(ctx, a, info, cause)
	}
	return nil
}

// lostRace is the outcome of an upload whose object another device
// replaced right after it was written: the local version was moved to a
// conflict copy, which the next pass uploads.
type lostRace struct {
	conflictPath string
}

func (e *lostRace) Error() string {
	return "another device wrote the object right after this upload; the local version is kept as " + e.conflictPath
}

// afterWrite checks, for a pair in direction both, that the object at key
// is still the one just written (etag), and with history on keeps it in the
// history at once (history.JustWritten), so that it survives even a write
// of another device that lands right after this check: that device's HEAD
// came before this write, and nothing else would keep this version. When
// another device's write landed first, the local file, unless it changed
// meanwhile, becomes a conflict copy named after this device and a
// *lostRace is returned: the version survives as that copy, and the next
// pass downloads the other device's.
func (s *Syncer) afterWrite(ctx context.Context, a planner.Action, src *source, etag string) error {
	if !s.checksOthers() {
		return nil
	}
	var ours bool
	var err error
	if s.opts.History.On() {
		ours, err = s.keepWritten(ctx, a, etag)
	} else {
		ours, err = s.stillOurs(ctx, a.Key, etag)
	}
	if err != nil {
		return err
	}
	if ours {
		return nil
	}
	if err := s.unchanged(a.Path, src.fp); err != nil {
		return err
	}
	conflict := planner.ConflictName(a.Path, s.opts.Host, s.opts.Now().UTC().Format("20060102-150405"))
	from, err := s.writePath(a.Path)
	if err != nil {
		return err
	}
	to, err := s.writePath(conflict)
	if err != nil {
		return err
	}
	if _, err := os.Lstat(to); err == nil {
		return fmt.Errorf("%w: conflict copy %s already exists", errRetryLater, conflict)
	}
	defer s.suppress(a.Path)()
	if err := os.Rename(from, to); err != nil {
		return fmt.Errorf("keep %s as a conflict copy: %w", a.Path, err)
	}
	return &lostRace{conflictPath: conflict}
}

// stillOurs reports whether the object at key is the one with etag.
func (s *Syncer) stillOurs(ctx context.Context, key, etag string) (bool, error) {
	info, err := s.store.HeadObject(ctx, s.opts.Bucket, key)
	if ks3.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("head ks3://%s/%s after writing it: %w", s.opts.Bucket, key, err)
	}
	return sameETag(info.ETag, etag), nil
}

// keepWritten copies the object just written at a.Key into the history
// and reports whether the copy holds this device's version (etag). A copy
// in parts has an ETag of its own; the object is then looked at again,
// since a version written once cannot come back after another's replaced
// it, and so it is after a copy that failed (the object deleted or
// replaced meanwhile by another device: a lost race). A copy that failed
// while the object is still this device's is only a warning: whoever
// displaces it keeps it, unless that happens unseen.
func (s *Syncer) keepWritten(ctx context.Context, a planner.Action, etag string) (bool, error) {
	info, err := s.store.HeadObject(ctx, s.opts.Bucket, a.Key)
	if ks3.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("head ks3://%s/%s after writing it: %w", s.opts.Bucket, a.Key, err)
	}
	if !sameETag(info.ETag, etag) {
		return false, nil
	}
	k := history.Keeper{Copier: s.store, Area: s.historyArea(), Host: s.opts.Host}
	v, err := k.Keep(ctx, history.Source{Name: strings.TrimPrefix(a.Key, s.opts.Prefix), Info: info}, history.JustWritten, s.opts.Now())
	if err == nil && sameETag(v.ETag, etag) {
		return true, nil
	}
	ours, herr := s.stillOurs(ctx, a.Key, etag)
	if err != nil && herr == nil && ours {
		// Still in place, only not kept: whoever displaces it keeps it,
		// unless that happens unseen.
		msg := fmt.Sprintf("keep %s in history right after writing it: %v", a.Key, err)
		s.log.Warn().Msg(msg)
		s.emit(Event{Kind: EventWarning, Path: a.Path, Key: a.Key, Reason: msg})
	}
	return ours, herr
}

// sameETag compares two ETags, quoted or not.
func sameETag(a, b string) bool {
	return strings.EqualFold(strings.Trim(a, `"`), strings.Trim(b, `"`))
}

// isLostRace reports whether err is a *lostRace.
func isLostRace(err error) (*lostRace, bool) {
	var lr *lostRace
	ok := errors.As(err, &lr)
	return lr, ok
}
