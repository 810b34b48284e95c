package localfs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Resolve returns the path on disk of the slash-separated relative path
// rel under root, in the \\?\ form on Windows when it is too long for the
// usual one. Reported paths are NFC, while a name on disk may be in
// another normalization form (as macOS and some Linux programs write it);
// Resolve finds such a name. Where nothing exists, the rest of the path is
// joined as given, so the result is also the place to create a new file.
// A path that is absolute or leads out of root is an error.
func Resolve(root, rel string) (string, error) {
	clean, err := checkRel(rel)
	if err != nil {
		return "", err
	}
	p := longPath(filepath.Join(root, filepath.FromSlash(clean)))
	if isASCII(clean) {
		return p, nil
	}
	if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
		return p, nil
	}
	cur := filepath.Clean(root)
	parts := strings.Split(clean, "/")
	for i, part := range parts {
		next, _, err := lookup(cur, part)
		if errors.Is(err, fs.ErrNotExist) {
			return longPath(filepath.Join(cur, filepath.FromSlash(strings.Join(parts[i:], "/")))), nil
		}
		if err != nil {
			return "", fmt.Errorf("resolve %q: %w", rel, err)
		}
		cur = next
	}
	return longPath(cur), nil
}

// checkRel validates and cleans a relative path given by a caller.
func checkRel(rel string) (string, error) {
	if rel != "" && !filepath.IsLocal(filepath.FromSlash(rel)) {
		return "", fmt.Errorf("resolve %q: not a path inside the root", rel)
	}
	return CleanRel(rel), nil
}

// lookup finds the entry of directory dir whose NFC name is name, and
// returns its path and Lstat result.
func lookup(dir, name string) (string, fs.FileInfo, error) {
	p := joinOS(dir, name)
	fi, err := os.Lstat(p)
	if err == nil || !errors.Is(err, fs.ErrNotExist) || isASCII(name) {
		return p, fi, err
	}
	f, err := os.Open(dir)
	if err != nil {
		return p, nil, err
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return p, nil, err
	}
	found := "" // as a scan does, the first in byte order wins
	for _, n := range names {
		if nfc(n) == name && (found == "" || n < found) {
			found = n
		}
	}
	if found == "" {
		return p, nil, fs.ErrNotExist
	}
	p = joinOS(dir, found)
	fi, err = os.Lstat(p)
	return p, fi, err
}

// pathScan feeds the paths given to ScanPaths to a scanner, checking every
// directory on the way down as a full scan would have, once per directory.
type pathScan struct {
	s    *scanner
	dirs map[string]*dirRef // checked directories; nil if a scan would not enter them
}

func newPathScan(s *scanner) *pathScan {
	root := s.rootDir()
	root.fatal = false
	return &pathScan{s: s, dirs: map[string]*dirRef{"": &root}}
}

// scan adds what lies at or below rel to the result.
func (ps *pathScan) scan(ctx context.Context, rel string) {
	clean, err := checkRel(rel)
	if err != nil {
		ps.s.fail(rel, err)
		return
	}
	if clean == "" {
		ps.s.group.Go(func() error { return ps.s.walkDir(ctx, ps.s.rootDir()) })
		return
	}
	parent := ps.dir(ParentRel(clean))
	if parent == nil {
		return
	}
	osPath, fi, err := lookup(parent.os, path.Base(clean))
	if err != nil {
		ps.s.failUnlessGone(clean, err)
		return
	}
	var b dirBatch
	ps.s.visit(&b, *parent, fs.FileInfoToDirEntry(fi), clean, osPath)
	ps.s.add(b.entries)
	for _, sub := range b.subdirs {
		ps.s.group.Go(func() error { return ps.s.walkDir(ctx, sub) })
	}
}

// dir returns directory rel if a full scan would descend into it: it exists,
// is included, and is reached without an unfollowed symbolic link or a loop.
func (ps *pathScan) dir(rel string) *dirRef {
	if d, ok := ps.dirs[rel]; ok {
		return d
	}
	d := ps.enter(rel)
	ps.dirs[rel] = d
	return d
}

func (ps *pathScan) enter(rel string) *dirRef {
	parent := ps.dir(ParentRel(rel))
	name := path.Base(rel)
	if parent == nil || IsReserved(name) {
		return nil
	}
	osPath, fi, err := lookup(parent.os, name)
	if err != nil {
		ps.s.failUnlessGone(rel, err)
		return nil
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		if !ps.s.opts.FollowLinks {
			return nil
		}
		if fi, err = os.Stat(osPath); err != nil {
			ps.s.failUnlessGone(rel, err)
			return nil
		}
	}
	if !fi.IsDir() || !ps.s.match(rel, true) {
		return nil
	}
	d := &dirRef{rel: rel, os: osPath, chain: parent.chain}
	if ps.s.opts.FollowLinks {
		if parent.chain.contains(fi) {
			return nil
		}
		d.chain = &ancestor{info: fi, up: parent.chain}
	}
	return d
}
