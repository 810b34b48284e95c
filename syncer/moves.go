package syncer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"time"

	"github.com/ks3sync/ks3sync/localfs"
	"github.com/ks3sync/ks3sync/planner"
	"github.com/ks3sync/ks3sync/state"
)

// A file renamed on another device arrives as the download of a new name
// and the local deletion of the old one. When the new object is the one
// the old file was synced from (the same ETag and size), the pass renames
// the local file instead of downloading it again: a folder renamed on one
// device is renamed on the others without moving its bytes.

// move is a download of a new name paired with the local deletion of a
// file that holds the same object.
type move struct {
	from, to planner.Action
}

// pairMoves takes the moves out of a plan's actions: every download of a
// name that has no local file whose object is the base of a file the plan
// deletes locally. Each deletion pairs with one download at most.
func pairMoves(actions []planner.Action) ([]move, []planner.Action) {
	type object struct {
		etag string
		size int64
	}
	deletes := map[object][]int{}
	for i, a := range actions {
		if a.Kind == planner.DeleteLocal && a.Local != nil && a.Base != nil && a.Base.ETag != "" && !a.Base.Encrypted {
			o := object{a.Base.ETag, a.Base.RemoteSize}
			deletes[o] = append(deletes[o], i)
		}
	}
	if len(deletes) == 0 {
		return nil, actions
	}
	var moves []move
	paired := map[int]bool{}
	for i, a := range actions {
		if a.Kind != planner.Download || a.Local != nil || a.KeepLocal || a.Remote == nil || a.Remote.Encrypted {
			continue
		}
		o := object{a.Remote.ETag, a.Remote.Size}
		if d := deletes[o]; len(d) > 0 {
			moves = append(moves, move{from: actions[d[0]], to: a})
			deletes[o] = d[1:]
			paired[i], paired[d[0]] = true, true
		}
	}
	if len(moves) == 0 {
		return nil, actions
	}
	rest := make([]planner.Action, 0, len(actions)-len(paired))
	for i, a := range actions {
		if !paired[i] {
			rest = append(rest, a)
		}
	}
	return moves, rest
}

// errNoMove says that a move cannot be made by a rename; the download and
// the deletion are then made as planned.
var errNoMove = errors.New("not renamed")

// doMove renames the local file of m.from to m.to's path and records it as
// synced with m.to's object. When it cannot (the old file changed, the new
// path exists), the two actions run as planned. It returns an error only
// when the whole pass must stop (see endpointDown).
func (s *Syncer) doMove(ctx context.Context, m move, t *tally) error {
	start := s.opts.Now()
	err := s.rename(ctx, m)
	if errors.Is(err, errNoMove) {
		if err := s.do(ctx, m.to, t); err != nil {
			return err
		}
		return s.do(ctx, m.from, t)
	}
	if err != nil {
		return s.failed(ctx, m.to, err, t)
	}
	t.add(func(c *state.RunCounts) { c.Downloaded++; c.Deleted++ })
	took := s.opts.Now().Sub(start).Seconds()
	s.emit(Event{Kind: EventDownload, Path: m.to.Path, Key: m.to.Key, Reason: "renamed from " + m.from.Path + " (the same object; nothing downloaded)", Duration: took})
	s.emit(Event{Kind: EventDeleteLocal, Path: m.from.Path, Key: m.from.Key, Reason: "renamed to " + m.to.Path, Duration: took})
	return nil
}

// rename makes a move. Until the rename, errNoMove lets the planned
// actions run instead; after it, a failure to record leaves the next pass
// to find both names as they are.
func (s *Syncer) rename(ctx context.Context, m move) error {
	from, err := s.writePath(m.from.Path)
	if err != nil {
		return errNoMove
	}
	to, err := s.writePath(m.to.Path)
	if err != nil {
		return errNoMove
	}
	if s.unchanged(m.from.Path, m.from.Local.Fingerprint) != nil {
		return errNoMove
	}
	if _, err := os.Lstat(to); !errors.Is(err, os.ErrNotExist) {
		return errNoMove
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o777); err != nil {
		return errNoMove
	}
	defer s.suppress(m.from.Path)()
	defer s.suppress(m.to.Path)()
	if err := localfs.RetryLocked(ctx, true, func() error { return os.Rename(from, to) }); err != nil {
		return errNoMove
	}
	r := m.to.Remote
	if r.MTime != 0 && r.MTime != m.from.Local.MTime {
		mt := time.Unix(0, r.MTime)
		if err := os.Chtimes(to, mt, mt); err != nil {
			return fmt.Errorf("set the mtime of %s: %w", m.to.Path, err)
		}
	}
	fp, err := localfs.Stat(s.opts.Root, m.to.Path)
	if err != nil {
		return err
	}
	md5 := r.MD5
	if md5 == "" {
		md5 = m.from.Base.MD5
	}
	err = s.putBase(ctx, m.to.Path, fp, md5, remoteState{key: r.Key, size: r.Size, etag: r.ETag,
		storageClass: r.StorageClass, encrypted: r.Encrypted, mtime: r.MTime})
	if err != nil {
		return err
	}
	if err := s.db.DeleteBase(context.WithoutCancel(ctx), s.opts.Pair, m.from.Path); err != nil {
		return err
	}
	s.removeEmptied(m.from.Path)
	return nil
}

// removeEmptied removes the folders above rel that a pass emptied by
// removing or renaming rel, up to the pair's root, as the other device
// did. It stops at the first folder that is not empty; with
// keep_empty_folders on, empty folders are synced as such and stay.
func (s *Syncer) removeEmptied(rel string) {
	if s.opts.KeepEmptyFolders {
		return
	}
	for dir := path.Dir(rel); dir != "." && dir != "/"; dir = path.Dir(dir) {
		p, err := localfs.ResolveFolder(s.opts.Root, dir)
		if err != nil {
			return
		}
		done := s.suppress(dir)
		err = os.Remove(p)
		done()
		if err != nil {
			return
		}
	}
}
