package syncer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/ks3sync/ks3sync/history"
	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/localfs"
	"github.com/ks3sync/ks3sync/objmeta"
	"github.com/ks3sync/ks3sync/planner"
)

// RestoreOptions configure Restore.
type RestoreOptions struct {
	// At is the time whose files are restored.
	At time.Time
	// To is the folder the files are written into; "" is the pair's folder.
	To string
	// Paths restricts the restore to these files and folders (relative,
	// slash-separated); none restores everything.
	Paths []string
	// Overwrite replaces local files whose content differs from the version
	// restored; without it they are left as they are and reported.
	Overwrite bool
	// DryRun reports what would be written and writes nothing.
	DryRun bool
}

// RestoreResult sums up a restore.
type RestoreResult struct {
	Files     int   // files the pair held at At, under Paths
	Restored  int   // written (with DryRun, that would be)
	Bytes     int64 // their plaintext bytes
	Unchanged int   // already in place with the same content
	// Kept are the local files that differ from their version and were
	// left as they are (no Overwrite).
	Kept []string
	// Failed are the files that could not be restored, each with why.
	Failed []string
}

// restoreAction is the Action of the EventPlanned events of a dry-run
// Restore. A restore that writes reports each file as a download (EventPlan,
// EventStart, EventBytes, then EventDownload or EventError), and a local file
// it leaves because it differs as an EventWarning.
const restoreAction = "restore"

// Restore rebuilds the pair's files as the bucket held them at opts.At:
// the current objects and the versions kept in the pair's history, resolved
// with history.At. Every file goes through the verified download path of a
// pull (a temporary file beside the destination, decrypted, checked against
// the MD5 the object records, synced, given its mtime, renamed into place),
// but no sync record is written: Restore needs no state store, and leaves
// the pair's next pass to treat restored files as local changes. A local
// file with the same content only gets its mtime back; one that differs is
// replaced only with Overwrite. Restore never deletes a local file.
func (s *Syncer) Restore(ctx context.Context, opts RestoreOptions) (*RestoreResult, error) {
	r := *s // the same pair, writing into opts.To, under that folder's name rules
	if opts.To != "" && opts.To != s.opts.Root {
		r.opts.Root, r.rules = opts.To, nil
	}
	rules := r.nameRules()
	var unders []string
	for _, p := range dedupePaths(opts.Paths) {
		p = strings.Trim(localfs.CleanRel(p), "/")
		if p == "" {
			unders = nil // the whole pair
			break
		}
		rel, err := planner.KeyFor("", p, rules)
		if err != nil {
			return nil, err
		}
		unders = append(unders, rel)
	}
	versions, err := s.pointInTime(ctx, opts.At, unders)
	if err != nil {
		return nil, err
	}
	res := r.restoreAll(ctx, versions, opts)
	slices.Sort(res.Kept)
	slices.Sort(res.Failed)
	return res, ctx.Err()
}

// restoreAll restores versions into the Syncer's root, Transfers at a time.
func (s *Syncer) restoreAll(ctx context.Context, versions []history.Version, opts RestoreOptions) *RestoreResult {
	res := &RestoreResult{}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.opts.Transfers)
	for _, v := range versions {
		path, err := s.pathFor(s.opts.Prefix + v.Name)
		switch {
		case err != nil:
			res.Files++
			res.add(0, v, err)
			s.emit(Event{Kind: EventError, Action: string(planner.Download), Path: v.Name, Key: v.Key, Error: err.Error()})
			continue
		case !s.match(path, false):
			continue
		}
		res.Files++
		g.Go(func() error {
			out, err := s.restoreOne(gctx, path, v, opts)
			switch {
			case err == nil && ctx.Err() != nil:
				err = ctx.Err()
			case err != nil && ctx.Err() == nil:
				s.emit(Event{Kind: EventError, Action: string(planner.Download), Path: path, Key: v.Key, Error: err.Error()})
			}
			mu.Lock()
			defer mu.Unlock()
			res.add(out, v, err)
			if out == keptLocal && err == nil {
				res.Kept = append(res.Kept, path)
			}
			return nil
		})
	}
	g.Wait()
	return res
}

// pointInTime lists what the pair held at t under the names unders (all of
// it for none).
func (s *Syncer) pointInTime(ctx context.Context, t time.Time, unders []string) ([]history.Version, error) {
	area := s.historyArea()
	if len(unders) == 0 {
		unders = []string{""}
	}
	current, kept := map[string]history.Version{}, map[string]history.Version{}
	for _, under := range unders {
		for v, err := range history.Current(ctx, s.store, area, under) {
			if err != nil {
				return nil, err
			}
			current[v.Key] = v
		}
		for v, err := range history.List(ctx, s.store, area, history.ListOptions{Under: under}) {
			if err != nil {
				return nil, err
			}
			kept[v.Key] = v
		}
	}
	return history.At(t, mapValues(current), mapValues(kept)), nil
}

func mapValues(m map[string]history.Version) []history.Version {
	out := make([]history.Version, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// restoreOutcome is what happened to one file.
type restoreOutcome int

const (
	restored restoreOutcome = iota
	unchangedFile
	keptLocal
)

// add accounts for one file (Kept is filled by the caller).
func (res *RestoreResult) add(out restoreOutcome, v history.Version, err error) {
	switch {
	case err != nil:
		res.Failed = append(res.Failed, fmt.Sprintf("%s: %v", v.Name, err))
	case out == restored:
		res.Restored++
		res.Bytes += v.Size
	case out == unchangedFile:
		res.Unchanged++
	}
}

// restoreOne restores the version v of one file at path. The Syncer's root
// is the restore's folder.
func (s *Syncer) restoreOne(ctx context.Context, path string, v history.Version, opts RestoreOptions) (restoreOutcome, error) {
	out, info, err := s.compareTarget(ctx, path, v, opts.Overwrite)
	switch {
	case err != nil:
		return 0, err
	case out == unchangedFile && !opts.DryRun:
		local, err := s.writePath(path)
		if err != nil {
			return 0, err
		}
		return out, restoreMTime(local, info)
	case out == keptLocal:
		s.emit(Event{Kind: EventWarning, Action: restoreAction, Path: path, Key: v.Key,
			Reason: path + ": the local file differs from the version restored; left as it is (--overwrite replaces it)"})
		return out, nil
	case out != restored:
		return out, nil
	}
	ev := Event{Kind: EventDownload, Action: string(planner.Download), Path: path, Key: v.Key, Size: v.Size,
		Reason: "version written " + v.Written.UTC().Format(time.RFC3339Nano)}
	if opts.DryRun {
		ev.Kind, ev.Action, ev.DryRun = EventPlanned, restoreAction, true
		s.emit(ev)
		return restored, nil
	}
	s.emit(Event{Kind: EventPlan, Plan: &PlanTotals{Files: 1, Bytes: v.Size}})
	a := planner.Action{Kind: planner.Download, Path: path, Key: v.Key, Remote: &planner.RemoteEntry{Key: v.Key, Path: path, Size: v.Size, ETag: v.ETag}}
	f, err := s.fetch(ctx, a, path)
	defer s.release(ctx, f, path)
	if err != nil {
		return 0, err
	}
	if !opts.Overwrite {
		if err := s.checkLocalTarget(a, path); err != nil {
			return 0, err
		}
	}
	if err := f.file.Place(); err != nil {
		return 0, err
	}
	ev.Size = f.size
	s.emit(ev)
	return restored, nil
}

// compareTarget looks at what is at path now: nothing (restore it), a
// file with the version's content (only its mtime may need restoring; info
// is the version's HEAD), or a file that differs (restore it only with
// overwrite).
func (s *Syncer) compareTarget(ctx context.Context, path string, v history.Version, overwrite bool) (restoreOutcome, *ks3.ObjectInfo, error) {
	local, err := s.writePath(path)
	if err != nil {
		return 0, nil, err
	}
	fi, err := os.Lstat(local)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return restored, nil, nil
	case err != nil:
		return 0, nil, err
	case !fi.Mode().IsRegular():
		return 0, nil, fmt.Errorf("%s is in the way: it is not a regular file", local)
	}
	info, err := s.store.HeadObject(ctx, s.opts.Bucket, v.Key)
	if err != nil {
		return 0, nil, fmt.Errorf("head ks3://%s/%s: %w", s.opts.Bucket, v.Key, err)
	}
	sum, err := hashFile(local)
	if err != nil {
		return 0, nil, err
	}
	same, err := s.recordsMD5(info, sum)
	if err != nil {
		return 0, nil, fmt.Errorf("object ks3://%s/%s: %w", s.opts.Bucket, v.Key, err)
	}
	switch {
	case same:
		return unchangedFile, info, nil
	case overwrite:
		return restored, info, nil
	}
	return keptLocal, info, nil
}

// restoreMTime gives a local file that already has a version's content the
// version's mtime.
func restoreMTime(local string, info *ks3.ObjectInfo) error {
	mtime := objmeta.Read(info.Metadata).MTime
	if mtime.IsZero() {
		return nil
	}
	return os.Chtimes(local, mtime, mtime)
}
