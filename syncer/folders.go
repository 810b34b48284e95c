package syncer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/planner"
	"github.com/ks3sync/ks3sync/state"
)

// Empty folders (keep_empty_folders). Files carry their folders with them,
// so only a folder with nothing in it needs a trace in the bucket: a
// zero-byte object named "folder/", as the KS3 console creates. A full
// pass, after its files, makes both sides agree on those:
//
//   - push (and both): an empty local folder without a marker gets one;
//     with delete: propagate, a marker whose folder is no longer empty
//     locally (removed, or it got files) is deleted;
//   - pull (and both): a marker whose folder does not exist locally
//     becomes an empty folder; local folders are never removed, since
//     without a record of which folders came from the bucket an emptied
//     folder cannot be told from one the user just made.
//
// The planner never sees markers: they are not files (see listable).

// folderSet is the relative slash paths of empty folders, or of markers.
type folderSet map[string]bool

// syncFolders runs the empty-folder step of a full pass.
func (s *Syncer) syncFolders(ctx context.Context, t *tally) error {
	local, err := s.emptyLocalFolders()
	if err != nil {
		return fmt.Errorf("scan folders of %s: %w", s.opts.Root, err)
	}
	markers, err := s.listMarkers(ctx)
	if err != nil {
		return err
	}
	dir := s.opts.Direction
	if dir == planner.Push || dir == planner.Both {
		for _, rel := range sortedKeys(local) {
			if !markers[rel] {
				s.folderAction(ctx, t, "upload", rel, func() error { return s.putMarker(ctx, rel) })
			}
		}
	}
	if dir == planner.Push && s.opts.Delete == planner.Propagate {
		var gone []string
		for _, rel := range sortedKeys(markers) {
			if !local[rel] {
				gone = append(gone, rel)
			}
		}
		s.deleteMarkers(ctx, t, gone)
	}
	if dir == planner.Pull || dir == planner.Both {
		for _, rel := range sortedKeys(markers) {
			if !local[rel] {
				s.folderAction(ctx, t, "download", rel, func() error { return s.makeFolder(rel) })
			}
		}
	}
	return nil
}

// folderAction runs one step and reports it: done (an event naming the
// folder with a trailing slash) or failed (a failed item).
func (s *Syncer) folderAction(ctx context.Context, t *tally, action, rel string, fn func() error) {
	switch err := fn(); {
	case errors.Is(err, errAlreadyThere):
	case err != nil:
		s.failed(ctx, planner.Action{Kind: planner.ActionKind(action), Path: rel + "/"}, err, t)
	case action == "upload":
		t.add(func(c *state.RunCounts) { c.Uploaded++ })
		s.emit(Event{Kind: EventUpload, Path: rel + "/", Key: s.opts.Prefix + rel + "/", Reason: "empty folder"})
	default:
		t.add(func(c *state.RunCounts) { c.Downloaded++ })
		s.emit(Event{Kind: EventDownload, Path: rel + "/", Key: s.opts.Prefix + rel + "/", Reason: "empty folder"})
	}
}

// errAlreadyThere says a folder step found its work done.
var errAlreadyThere = errors.New("already there")

// emptyLocalFolders returns the folders under the root (not the root
// itself) that hold nothing, among those the pair's filters take in.
func (s *Syncer) emptyLocalFolders() (folderSet, error) {
	out := folderSet{}
	err := filepath.WalkDir(s.opts.Root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() || p == s.opts.Root {
			return nil
		}
		rel, err := filepath.Rel(s.opts.Root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if !s.match(rel, true) {
			return filepath.SkipDir
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return err
		}
		if len(entries) == 0 {
			out[rel] = true
		}
		return nil
	})
	return out, err
}

// listMarkers returns the folder markers under the pair's prefix: zero-byte
// objects whose key ends in "/", outside ks3sync's own folder.
func (s *Syncer) listMarkers(ctx context.Context) (folderSet, error) {
	out := folderSet{}
	reserved := planner.ReservedPrefix(s.opts.Prefix)
	for item, err := range s.store.Walk(ctx, s.opts.Bucket, ks3.ListObjectsOptions{Prefix: s.opts.Prefix}) {
		if err != nil {
			return nil, fmt.Errorf("list ks3://%s/%s: %w", s.opts.Bucket, s.opts.Prefix, err)
		}
		k := item.Object.Key
		if item.Prefix != "" || !strings.HasSuffix(k, "/") || item.Object.Size != 0 || strings.HasPrefix(k, reserved) || k == s.opts.Prefix {
			continue
		}
		rel, err := s.pathFor(strings.TrimSuffix(k, "/"))
		if err != nil {
			s.emit(Event{Kind: EventWarning, Key: k, Reason: fmt.Sprintf("folder marker %s skipped: %v", k, err)})
			continue
		}
		if s.match(rel, true) {
			out[rel] = true
		}
	}
	return out, nil
}

// putMarker uploads the zero-byte marker of an empty local folder.
func (s *Syncer) putMarker(ctx context.Context, rel string) error {
	key, err := planner.KeyFor(s.opts.Prefix, rel, s.passRules)
	if err != nil {
		return err
	}
	_, err = s.store.PutObject(ctx, s.opts.Bucket, key+"/", bytes.NewReader(nil), 0, ks3.PutOptions{
		ContentType: "application/x-directory", StorageClass: s.opts.StorageClass, ACL: s.opts.ACL,
	})
	return err
}

// deleteMarkers deletes the markers of folders that are no longer empty
// locally.
func (s *Syncer) deleteMarkers(ctx context.Context, t *tally, rels []string) {
	if len(rels) == 0 {
		return
	}
	keys := make([]string, 0, len(rels))
	for _, rel := range rels {
		if key, err := planner.KeyFor(s.opts.Prefix, rel, s.passRules); err == nil {
			keys = append(keys, key+"/")
		}
	}
	res, err := s.store.DeleteObjects(ctx, s.opts.Bucket, keys)
	if err != nil {
		for _, rel := range rels {
			s.failed(ctx, planner.Action{Kind: planner.DeleteRemote, Path: rel + "/"}, err, t)
		}
		return
	}
	failed := map[string]string{}
	for _, e := range res.Errors {
		failed[e.Key] = e.Code + ": " + e.Message
	}
	for _, key := range keys {
		if msg, bad := failed[key]; bad {
			s.failed(ctx, planner.Action{Kind: planner.DeleteRemote, Path: strings.TrimPrefix(key, s.opts.Prefix), Key: key}, errors.New(msg), t)
			continue
		}
		t.add(func(c *state.RunCounts) { c.Deleted++ })
		s.emit(Event{Kind: EventDeleteRemote, Path: strings.TrimPrefix(key, s.opts.Prefix), Key: key, Reason: "folder no longer empty locally"})
	}
}

// makeFolder creates the empty local folder of a marker, unless a file or
// folder is already there.
func (s *Syncer) makeFolder(rel string) error {
	p, err := s.writePath(rel)
	if err != nil {
		return err
	}
	if _, err := os.Lstat(p); err == nil {
		return errAlreadyThere
	}
	defer s.suppress(rel)()
	return os.MkdirAll(p, 0o777) // less the umask, as any new folder
}

func sortedKeys(m folderSet) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
