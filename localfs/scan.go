package localfs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rs/zerolog"

	"github.com/ks3sync/ks3sync/planner"
)

// ScanOptions configures Scan and ScanPaths.
type ScanOptions struct {
	// Match reports whether a slash-separated relative path is included.
	// Excluded directories are not descended into. nil includes everything.
	Match func(rel string, isDir bool) bool
	// FollowLinks follows symbolic links (with loop detection) instead of
	// skipping them.
	FollowLinks bool
	// Logger receives warnings about skipped symbolic links, in the
	// caller's scope (its component field is left as it is). The zero
	// value discards them.
	Logger zerolog.Logger
}

// ScanError is a path that could not be read. Nothing is known about what
// lies at or below it: a consumer must not take its absence from Entries
// as a deletion.
type ScanError struct {
	Path string // slash-separated, relative to the root
	Err  error
}

// Error implements error.
func (e ScanError) Error() string { return fmt.Sprintf("scan %q: %v", e.Path, e.Err) }

// Unwrap returns the underlying error.
func (e ScanError) Unwrap() error { return e.Err }

// ScanResult is what a scan found.
type ScanResult struct {
	// Entries are the included regular files, fingerprinted but not
	// hashed, sorted by path in byte order.
	Entries []planner.LocalEntry
	// Errors are the paths that could not be read, sorted by path.
	Errors []ScanError
	// RootMissing is set when the root does not exist. It is not an error,
	// but a missing root must never be taken for an empty one.
	RootMissing bool
	// Skipped counts symbolic links and special files (devices, sockets,
	// named pipes) that were left out, and SkippedPaths names them (in no
	// particular order). What they were synced as before is unknown now,
	// not deleted.
	Skipped      int
	SkippedPaths []string
	// Temps are ks3sync's own temporary files (TempPrefix) met on the way,
	// in no particular order: downloads in progress, or left behind by a
	// process that died.
	Temps []string
}

// Scan walks the whole tree under root and fingerprints every included
// regular file. Symbolic links are skipped with a warning unless
// opts.FollowLinks; special files and ks3sync's temporary files are
// skipped; unreadable directories end up in ScanResult.Errors. Paths are
// NFC: two names of one folder that are equal after normalization keep
// one, and the other is reported as an error. Subdirectories are read by a
// small pool of goroutines. A root that exists but cannot be listed, or a
// cancelled ctx, is an error.
func Scan(ctx context.Context, root string, opts ScanOptions) (*ScanResult, error) {
	s, err := newScanner(root, opts)
	if err != nil {
		return nil, err
	}
	if s.res.RootMissing {
		return &s.res, nil
	}
	return s.scanAll(ctx)
}

// ScanPaths scans only the given slash-separated relative paths: files are
// fingerprinted and directories walked as Scan would. Its result for a path
// is what Scan would report at or below it, so a path that is gone (or
// excluded, or below a skipped symbolic link) adds no entries, and the
// caller takes earlier entries at or below it that are missing now as
// deleted, except under a path in Errors. Paths may overlap; each entry is
// reported once. "" stands for the whole root.
func ScanPaths(ctx context.Context, root string, paths []string, opts ScanOptions) (*ScanResult, error) {
	s, err := newScanner(root, opts)
	if err != nil {
		return nil, err
	}
	if s.res.RootMissing {
		return &s.res, nil
	}
	ps := newPathScan(s)
	for _, p := range paths {
		if ctx.Err() != nil {
			break
		}
		ps.scan(ctx, p)
	}
	return s.finish(ctx)
}

// FingerprintOf is the fingerprint of a file of fi, as a scan reports it.
func FingerprintOf(fi fs.FileInfo) planner.Fingerprint { return fingerprint(fi) }

// Stat returns the fingerprint of the regular file at the slash-separated
// relative path rel, following symbolic links as a scan with FollowLinks
// does. Its fields equal those a scan reports for an unchanged file.
func Stat(root, rel string) (planner.Fingerprint, error) {
	p, err := Resolve(root, rel)
	if err != nil {
		return planner.Fingerprint{}, err
	}
	fi, err := os.Stat(p)
	if err != nil {
		return planner.Fingerprint{}, fmt.Errorf("stat %q: %w", rel, err)
	}
	if !fi.Mode().IsRegular() {
		return planner.Fingerprint{}, fmt.Errorf("stat %q: not a regular file", rel)
	}
	return fingerprint(fi), nil
}

// scanAll walks the whole tree.
func (s *scanner) scanAll(ctx context.Context) (*ScanResult, error) {
	s.group.Go(func() error { return s.walkDir(ctx, s.rootDir()) })
	return s.finish(ctx)
}

// finish waits for the walk and sorts the result. A cancelled ctx fails the
// scan even if the walk got to its end.
func (s *scanner) finish(ctx context.Context) (*ScanResult, error) {
	err := s.group.Wait()
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return nil, err
	}
	res := &s.res
	slices.SortFunc(res.Entries, func(a, b planner.LocalEntry) int { return strings.Compare(a.Path, b.Path) })
	res.Entries = slices.CompactFunc(res.Entries, func(a, b planner.LocalEntry) bool { return a.Path == b.Path })
	slices.SortFunc(res.Errors, func(a, b ScanError) int { return cmp.Compare(a.Path, b.Path) })
	res.Errors = slices.CompactFunc(res.Errors, func(a, b ScanError) bool { return a.Path == b.Path })
	return res, nil
}

// newScanner checks the root; a missing root sets RootMissing.
func newScanner(root string, opts ScanOptions) (*scanner, error) {
	s := &scanner{opts: opts, log: opts.Logger, listDir: readDir}
	abs, err := filepath.Abs(root)
	if err != nil {
		return s, fmt.Errorf("scan %s: %w", root, err)
	}
	s.root = abs
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		s.res.RootMissing = true
		return s, nil
	case err != nil:
		return s, fmt.Errorf("scan %s: %w", root, err)
	case !fi.IsDir():
		return s, fmt.Errorf("scan %s: not a directory", root)
	}
	s.rootChain = &ancestor{info: fi}
	s.group.SetLimit(scanWorkers())
	return s, nil
}
