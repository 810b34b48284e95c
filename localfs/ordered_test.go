package localfs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ks3sync/ks3sync/planner"
)

// scanOrdered collects what ScanOrdered hands out.
func scanOrdered(t *testing.T, root string, opts ScanOptions) ([]planner.LocalEntry, []ScanBatch, *ScanResult) {
	t.Helper()
	var (
		all     []planner.LocalEntry
		batches []ScanBatch
	)
	res, err := ScanOrdered(context.Background(), root, opts, func(b ScanBatch) error {
		all = append(all, b.Entries...)
		batches = append(batches, b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return all, batches, res
}

// TestScanOrderedMatchesScan: the ordered scan yields exactly Scan's
// entries, in byte order of the paths, for names around '/' in byte order
// ("a-b", "a.b", "a/", "a0") and more files than one batch holds.
func TestScanOrderedMatchesScan(t *testing.T) {
	root := t.TempDir()
	names := []string{"a-b", "a.b", "a/x", "a/y/z", "a0", "a/b.c/d", "a/b-c", "a/b/e", "b", "é/f", "e\u0301x", " a", "a b/c", "A/B"}
	for i := range 2*orderedBatch + 17 {
		names = append(names, fmt.Sprintf("big/%05d", i), fmt.Sprintf("big.%d", i%7))
	}
	mkTree(t, root, names...)
	got, batches, res := scanOrdered(t, root, ScanOptions{})
	want := mustScan(t, root, ScanOptions{}).Entries
	if !slices.EqualFunc(got, want, func(a, b planner.LocalEntry) bool { return a.Path == b.Path && a.Fingerprint == b.Fingerprint }) {
		t.Fatalf("ordered scan gave %d entries %q…, Scan %d %q…", len(got), entryPaths(got)[:min(8, len(got))], len(want), entryPaths(want)[:min(8, len(want))])
	}
	if !slices.IsSortedFunc(got, func(a, b planner.LocalEntry) int { return cmpString(a.Path, b.Path) }) {
		t.Fatal("entries are not in byte order")
	}
	if len(batches) < 3 {
		t.Errorf("%d batches for %d entries; want batches of at most %d", len(batches), len(got), orderedBatch)
	}
	for _, b := range batches {
		if len(b.Entries) > orderedBatch {
			t.Errorf("a batch of %d entries", len(b.Entries))
		}
	}
	if res.RootMissing || len(res.Entries) != 0 {
		t.Errorf("result: root missing %v, %d entries held", res.RootMissing, len(res.Entries))
	}
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestScanOrderedProblemsFirst: an unreadable folder and a skipped link are
// handed out no later than the first entry after them, so a consumer knows
// them before it treats their paths as deleted.
func TestScanOrderedProblemsFirst(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads any folder")
	}
	root := t.TempDir()
	mkTree(t, root, "a/x", "b/secret", "c")
	if err := os.Symlink("c", filepath.Join(root, "bb")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(root, "b"), 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(root, "b"), 0o755) })
	var seenErr, seenSkip bool
	_, err := ScanOrdered(context.Background(), root, ScanOptions{}, func(b ScanBatch) error {
		for _, e := range b.Errors {
			seenErr = seenErr || e.Path == "b"
		}
		for _, p := range b.Skipped {
			seenSkip = seenSkip || p == "bb"
		}
		for _, e := range b.Entries {
			if e.Path > "b" && !seenErr {
				return fmt.Errorf("entry %q before the error of b", e.Path)
			}
			if e.Path > "bb" && !seenSkip {
				return fmt.Errorf("entry %q before the skipped link bb", e.Path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !seenErr || !seenSkip {
		t.Errorf("error of b seen %v, link bb seen %v", seenErr, seenSkip)
	}
}

// TestScanOrderedStops: an error from yield ends the scan with it; a
// missing root is reported, not an error.
func TestScanOrderedStops(t *testing.T) {
	root := t.TempDir()
	for i := range orderedBatch + 1 {
		mkTree(t, root, fmt.Sprintf("f%04d", i))
	}
	stop := errors.New("stop")
	calls := 0
	_, err := ScanOrdered(context.Background(), root, ScanOptions{}, func(ScanBatch) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("err %v after %d calls; want stop after 1", err, calls)
	}
	res, err := ScanOrdered(context.Background(), filepath.Join(root, "nope"), ScanOptions{}, func(ScanBatch) error { return nil })
	if err != nil || !res.RootMissing {
		t.Errorf("missing root: %+v, %v", res, err)
	}
}
