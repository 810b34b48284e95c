package localfs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/rs/zerolog"
	"golang.org/x/sync/errgroup"

	"github.com/ks3sync/ks3sync/planner"
)

// errNameCollision marks a name that is skipped because another name in its
// folder is equal to it after Unicode normalization.
var errNameCollision = errors.New("another name in the folder is equal after Unicode normalization")

// scanWorkers is how many directories a scan reads at once: listing and
// stat calls wait on the disk as much as on the CPU.
func scanWorkers() int { return min(max(4, 2*runtime.GOMAXPROCS(0)), 16) }

// scanner is one run of Scan or ScanPaths: directories are read by a
// bounded group of goroutines, each adding what it finds under mu.
type scanner struct {
	root      string // absolute
	rootChain *ancestor
	opts      ScanOptions
	log       zerolog.Logger
	group     errgroup.Group
	listDir   func(dir string) ([]fs.DirEntry, error) // readDir, replaced in tests

	mu  sync.Mutex
	res ScanResult
}

// dirRef is a directory to read.
type dirRef struct {
	rel   string    // reported path, "" for the root
	os    string    // path on disk
	chain *ancestor // this directory and those above it, for loop detection
	fatal bool      // failing to list it fails the scan (the root)
}

func (s *scanner) rootDir() dirRef {
	return dirRef{os: s.root, chain: s.rootChain, fatal: true}
}

// ancestor is a directory on the way down from the root. Only followed
// symbolic links can lead back up, so the chain grows only when they are.
type ancestor struct {
	info fs.FileInfo
	up   *ancestor
}

func (a *ancestor) contains(fi fs.FileInfo) bool {
	for ; a != nil; a = a.up {
		if os.SameFile(a.info, fi) {
			return true
		}
	}
	return false
}

// dirBatch collects what one directory holds before it is added to the
// result under the lock.
type dirBatch struct {
	entries []planner.LocalEntry
	subdirs []dirRef
}

// spawn reads d on a goroutine of the group if one is free, and on this one
// otherwise, so that workers never wait for each other.
func (s *scanner) spawn(ctx context.Context, d dirRef) error {
	if s.group.TryGo(func() error { return s.walkDir(ctx, d) }) {
		return nil
	}
	return s.walkDir(ctx, d)
}

// walkDir reads directory d, records its files and descends into its
// subdirectories.
func (s *scanner) walkDir(ctx context.Context, d dirRef) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	list, err := s.listDir(d.os)
	if err != nil {
		if d.fatal {
			return fmt.Errorf("scan %s: %w", d.os, err)
		}
		if !errors.Is(err, fs.ErrNotExist) { // vanished since it was listed
			s.fail(d.rel, err)
		}
		return nil
	}
	names := s.nfcNames(d.rel, list)
	var b dirBatch
	for i, de := range list {
		if names[i] != "" {
			s.visit(&b, d, de, joinRel(d.rel, names[i]), joinOS(d.os, de.Name()))
		}
	}
	s.add(b.entries)
	for _, sub := range b.subdirs {
		if err := s.spawn(ctx, sub); err != nil {
			return err
		}
	}
	return nil
}

// visit sorts one entry of directory d: a file to record, a directory to
// descend into, or something to skip.
func (s *scanner) visit(b *dirBatch, d dirRef, de fs.DirEntry, rel, osPath string) {
	if IsReserved(de.Name()) {
		switch {
		case !IsTemp(de.Name()):
			s.skip(rel, "named like ks3sync's temporary files ("+TempPrefix+"…), which never sync", true)
		case de.Type().IsRegular():
			s.temp(rel)
		}
		return
	}
	typ := de.Type()
	switch {
	case typ.IsDir():
		if s.match(rel, true) {
			s.descend(b, d, de, rel, osPath)
		}
	case typ.IsRegular():
		if !s.match(rel, false) {
			return
		}
		fi, err := de.Info()
		if err != nil {
			s.failUnlessGone(rel, err)
			return
		}
		if fi.Mode().Type() != typ { // replaced since it was listed
			s.visit(b, d, fs.FileInfoToDirEntry(fi), rel, osPath)
			return
		}
		b.entries = append(b.entries, planner.LocalEntry{Path: rel, Fingerprint: fingerprint(fi)})
	case typ&fs.ModeSymlink != 0:
		s.visitLink(b, d, rel, osPath)
	default:
		s.skip(rel, "special file", false)
	}
}

// descend queues subdirectory de of d.
func (s *scanner) descend(b *dirBatch, d dirRef, de fs.DirEntry, rel, osPath string) {
	sub := dirRef{rel: rel, os: osPath, chain: d.chain}
	if s.opts.FollowLinks {
		fi, err := de.Info()
		if err != nil {
			s.failUnlessGone(rel, err)
			return
		}
		sub.chain = &ancestor{info: fi, up: d.chain}
	}
	b.subdirs = append(b.subdirs, sub)
}

// visitLink skips a symbolic link, or follows it with opts.FollowLinks.
func (s *scanner) visitLink(b *dirBatch, d dirRef, rel, osPath string) {
	if !s.opts.FollowLinks {
		if s.match(rel, false) {
			s.skip(rel, "symbolic link (not followed)", true)
		}
		return
	}
	fi, err := os.Stat(osPath)
	if errors.Is(err, fs.ErrNotExist) {
		s.skip(rel, "broken symbolic link", true)
		return
	}
	if err != nil {
		s.fail(rel, err)
		return
	}
	switch {
	case fi.IsDir():
		if !s.match(rel, true) {
			return
		}
		if d.chain.contains(fi) {
			s.skip(rel, "symbolic link loop", true)
			return
		}
		b.subdirs = append(b.subdirs, dirRef{rel: rel, os: osPath, chain: &ancestor{info: fi, up: d.chain}})
	case fi.Mode().IsRegular():
		if s.match(rel, false) {
			b.entries = append(b.entries, planner.LocalEntry{Path: rel, Fingerprint: fingerprint(fi)})
		}
	default:
		s.skip(rel, "symbolic link to a special file", false)
	}
}

// nfcNames returns the NFC form of every name in list. When names of the
// folder collide after normalization, the one already in NFC (or else the
// first in byte order) is kept; the others get "" and are reported.
func (s *scanner) nfcNames(dir string, list []fs.DirEntry) []string {
	names := make([]string, len(list))
	changed := false
	for i, de := range list {
		names[i] = nfc(de.Name())
		changed = changed || names[i] != de.Name()
	}
	if !changed {
		return names
	}
	kept := make(map[string]int, len(list))
	for i := range list {
		n := names[i]
		j, dup := kept[n]
		if !dup {
			kept[n] = i
			continue
		}
		loser := i
		if prefer(list[i].Name(), list[j].Name(), n) {
			kept[n], loser = i, j
		}
		s.fail(joinRel(dir, n), fmt.Errorf("name %q: %w", list[loser].Name(), errNameCollision))
		names[loser] = ""
	}
	return names
}

// prefer reports whether name a wins over name b, both normalizing to n.
func prefer(a, b, n string) bool {
	if (a == n) != (b == n) {
		return a == n
	}
	return a < b
}

func (s *scanner) match(rel string, isDir bool) bool {
	return s.opts.Match == nil || s.opts.Match(rel, isDir)
}

func (s *scanner) add(entries []planner.LocalEntry) {
	if len(entries) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.res.Entries = append(s.res.Entries, entries...)
}

func (s *scanner) fail(rel string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.res.Errors = append(s.res.Errors, ScanError{Path: rel, Err: err})
}

// failUnlessGone records err unless the path vanished since it was listed.
func (s *scanner) failUnlessGone(rel string, err error) {
	if !errors.Is(err, fs.ErrNotExist) {
		s.fail(rel, err)
	}
}

// temp records one of ks3sync's own temporary files.
func (s *scanner) temp(rel string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.res.Temps = append(s.res.Temps, rel)
}

// skip counts a path left out, logging it as a warning or in debug.
func (s *scanner) skip(rel, what string, warn bool) {
	e := s.log.Debug()
	if warn {
		e = s.log.Warn()
	}
	e.Str("path", rel).Msg("skipped " + what)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.res.Skipped++
	s.res.SkippedPaths = append(s.res.SkippedPaths, rel)
}

// readDir lists a directory in the order the filesystem returns it; the
// result is sorted once at the end.
func readDir(dir string) ([]fs.DirEntry, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.ReadDir(-1)
}

func joinRel(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

func joinOS(dir, name string) string {
	if strings.HasSuffix(dir, string(filepath.Separator)) {
		return dir + name
	}
	return dir + string(filepath.Separator) + name
}
