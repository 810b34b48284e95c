package watcher

import (
	"errors"
	"io/fs"
	"path/filepath"

	"github.com/fsnotify/fsnotify"

	"github.com/ks3sync/ks3sync/localfs"
)

// notifier is the part of fsnotify.Watcher the watch loop drives. Add
// watches one directory (not its subdirectories); Remove drops that watch,
// and may fail when the kernel already dropped it.
type notifier interface {
	Add(name string) error
	Remove(name string) error
}

var _ notifier = (*fsnotify.Watcher)(nil)

// watchSet is the tree of watched directories, keyed by path relative to
// the root in the operating system's form ("" is the root), so that a
// removed or renamed directory drops the watches of its whole subtree
// without a pass over every watch.
type watchSet map[string]map[string]struct{} // directory -> watched children

func (s watchSet) has(raw string) bool {
	_, ok := s[raw]
	return ok
}

func (s watchSet) add(raw string) {
	if s.has(raw) {
		return
	}
	s[raw] = nil
	if raw == "" {
		return
	}
	parent := rawParent(raw)
	if s.has(parent) {
		if s[parent] == nil {
			s[parent] = make(map[string]struct{})
		}
		s[parent][raw] = struct{}{}
	}
}

// remove drops raw and every directory below it, calling fn for each.
func (s watchSet) remove(raw string, fn func(string)) {
	children, ok := s[raw]
	if !ok {
		return
	}
	for c := range children {
		s.remove(c, fn)
	}
	delete(s, raw)
	if raw != "" {
		delete(s[rawParent(raw)], raw)
	}
	fn(raw)
}

func rawParent(raw string) string {
	d := filepath.Dir(raw)
	if d == "." {
		return ""
	}
	return d
}

// watchResult tells what watchTree could not watch; other failures are
// logged as they happen. With a file limit, it also lists the included
// files found below the top directory, or says there were more.
type watchResult struct {
	topErr   error // the top directory itself could not be watched
	limitHit bool  // a watch limit was hit; the rest of the tree is unwatched

	files     []string // slash paths relative to the root
	moreFiles bool     // more than the file limit, or a folder unread
}

// watchTree adds watches for directory raw and every included directory
// below it. Directories that vanish meanwhile are skipped quietly; other
// failures are logged, and only a failure to watch raw itself is returned.
func (l *loop) watchTree(raw string) watchResult { return l.watchTreeFiles(raw, 0) }

// watchTreeFiles is watchTree that also lists up to maxFiles included
// files (none when maxFiles is 0). Each folder is watched before its
// entries are read, so a file created after it was listed has an event.
func (l *loop) watchTreeFiles(raw string, maxFiles int) watchResult {
	var res watchResult
	top := l.abs(raw)
	_ = filepath.WalkDir(top, func(p string, d fs.DirEntry, err error) error {
		if err != nil && p == top && d == nil {
			res.topErr = err
			return err
		}
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				l.w.log.Warn().Err(err).Str("path", p).Msg("cannot read folder; folders inside it are not watched")
				res.moreFiles = true
			}
			return skipDir(d)
		}
		if !d.IsDir() {
			if maxFiles > 0 && !res.moreFiles {
				l.listFile(&res, p, d.Name(), maxFiles)
			}
			return nil
		}
		r, _ := l.rawRel(p)
		if r != "" && (localfs.IsReserved(d.Name()) || !l.w.match(localfs.RelFromOS(r), true)) {
			return filepath.SkipDir
		}
		if err := l.fs.Add(p); err != nil {
			if p == top {
				res.topErr = err
				return filepath.SkipAll
			}
			return l.addFailed(&res, p, err)
		}
		l.watched.add(r)
		return nil
	})
	return res
}

// listFile adds the file at p to res.files if it is included, or marks
// the list incomplete once it holds maxFiles.
func (l *loop) listFile(res *watchResult, p, name string, maxFiles int) {
	r, ok := l.rawRel(p)
	if !ok || localfs.IsReserved(name) {
		return
	}
	rel := localfs.RelFromOS(r)
	if !l.w.match(rel, false) {
		return
	}
	if len(res.files) == maxFiles {
		res.moreFiles, res.files = true, nil
		return
	}
	res.files = append(res.files, rel)
}

// addFailed accounts for a failed watch on directory p. Once the watch limit
// is hit, the walk stops: every further watch would fail as well.
func (l *loop) addFailed(res *watchResult, p string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return filepath.SkipDir
	case isWatchLimit(err):
		res.limitHit = true
		return filepath.SkipAll
	default:
		l.w.log.Warn().Err(err).Str("path", p).Msg("cannot watch folder; changes in it are picked up by rescans only")
		return filepath.SkipDir
	}
}

func skipDir(d fs.DirEntry) error {
	if d != nil && d.IsDir() {
		return filepath.SkipDir
	}
	return nil
}

// unwatchTree drops the watches of raw and every directory below it.
// Errors are expected and ignored: the kernel has already dropped the watch
// of a directory that was deleted.
func (l *loop) unwatchTree(raw string) {
	l.watched.remove(raw, func(r string) {
		_ = l.fs.Remove(l.abs(r))
	})
}
