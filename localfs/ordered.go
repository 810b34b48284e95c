package localfs

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ks3sync/ks3sync/planner"
)

// ScanBatch is a run of entries of an ordered scan, in path order, with the
// problems met up to its last entry.
type ScanBatch struct {
	// Entries continue the previous batch's, in path order.
	Entries []planner.LocalEntry
	// Errors are the paths that could not be read, met since the previous
	// batch: every one at or before the batch's last entry in path order
	// is among them or an earlier batch's.
	Errors []ScanError
	// Skipped are the symbolic links and special files left out since the
	// previous batch, with the same guarantee as Errors.
	Skipped []string
}

// orderedBatch is how many entries an ordered scan hands out at once.
const orderedBatch = 1000

// ScanOrdered walks the whole tree under root as Scan does, but hands the
// entries to yield in batches, in path order (byte order of the
// slash-separated NFC paths), as it goes, instead of holding them all: its
// memory does not grow with the number of files. The result has no
// Entries; it carries RootMissing, Temps and the totals of Errors and
// Skipped. An error from yield stops the scan and is returned. A batch and
// its slices belong to yield, which may keep them.
//
// Path order is not the order of a plain depth-first walk: the folder "a"
// holds paths "a/…", which sort after the file "a.b" ('.' < '/') but
// before "a0". Each folder's children are therefore ordered with folder
// names followed by "/".
func ScanOrdered(ctx context.Context, root string, opts ScanOptions, yield func(ScanBatch) error) (*ScanResult, error) {
	s, err := newScanner(root, opts)
	if err != nil {
		return nil, err
	}
	if s.res.RootMissing {
		return &s.res, nil
	}
	o := &orderedScan{scanner: s, yield: yield}
	if err := o.walk(ctx, s.rootDir()); err != nil {
		return nil, err
	}
	if err := o.flush(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := &s.res
	res.Errors, res.SkippedPaths = o.errors, o.skipped
	return res, nil
}

// orderedScan is one run of ScanOrdered: one goroutine walks the tree
// depth-first in path order.
type orderedScan struct {
	*scanner
	yield   func(ScanBatch) error
	batch   ScanBatch
	errors  []ScanError // all errors so far, for the result
	skipped []string    // all skipped paths so far, for the result
}

// child is a file or folder of one directory, with the key it sorts by.
type child struct {
	sortKey string
	entry   *planner.LocalEntry
	dir     *dirRef
}

// walk reads directory d and hands out its files and folders in path
// order, descending into each folder in its place.
func (o *orderedScan) walk(ctx context.Context, d dirRef) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b, ok, err := o.read(d)
	if !ok || err != nil {
		return err
	}
	kids := make([]child, 0, len(b.entries)+len(b.subdirs))
	for i := range b.entries {
		kids = append(kids, child{sortKey: b.entries[i].Path, entry: &b.entries[i]})
	}
	for i := range b.subdirs {
		kids = append(kids, child{sortKey: b.subdirs[i].rel + "/", dir: &b.subdirs[i]})
	}
	slices.SortFunc(kids, func(a, b child) int { return strings.Compare(a.sortKey, b.sortKey) })
	o.takeProblems()
	for _, k := range kids {
		if k.dir != nil {
			if err := o.walk(ctx, *k.dir); err != nil {
				return err
			}
			continue
		}
		o.batch.Entries = append(o.batch.Entries, *k.entry)
		if len(o.batch.Entries) >= orderedBatch {
			if err := o.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// read lists directory d and sorts out its children, as walkDir does; ok
// is false when it could not be listed (recorded as an error unless it is
// the root, which fails the scan).
func (o *orderedScan) read(d dirRef) (dirBatch, bool, error) {
	var b dirBatch
	list, err := o.listDir(d.os)
	if err != nil {
		if d.fatal {
			return b, false, fmt.Errorf("scan %s: %w", d.os, err)
		}
		o.failUnlessGone(d.rel, err)
		o.takeProblems()
		return b, false, nil
	}
	names := o.nfcNames(d.rel, list)
	for i, de := range list {
		if names[i] != "" {
			o.visit(&b, d, de, joinRel(d.rel, names[i]), joinOS(d.os, de.Name()))
		}
	}
	return b, true, nil
}

// takeProblems moves the errors and skipped paths recorded so far into the
// next batch. The walk is single-threaded, so the lock is uncontended.
func (o *orderedScan) takeProblems() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.batch.Errors = append(o.batch.Errors, o.res.Errors...)
	o.batch.Skipped = append(o.batch.Skipped, o.res.SkippedPaths...)
	o.errors = append(o.errors, o.res.Errors...)
	o.skipped = append(o.skipped, o.res.SkippedPaths...)
	o.res.Errors, o.res.SkippedPaths = nil, nil
}

// flush hands the batch so far to yield.
func (o *orderedScan) flush() error {
	o.takeProblems()
	if len(o.batch.Entries) == 0 && len(o.batch.Errors) == 0 && len(o.batch.Skipped) == 0 {
		return nil
	}
	b := o.batch
	o.batch = ScanBatch{Entries: make([]planner.LocalEntry, 0, orderedBatch)}
	return o.yield(b)
}
