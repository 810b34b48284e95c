package watcher

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/localfs"
	"github.com/ks3sync/ks3sync/planner"
)

// These tests run the real Watcher on real notifications with short delays.
// Every wait is bounded.
const waitLimit = 10 * time.Second

// fsHarness is a running Watcher on a temporary root.
type fsHarness struct {
	t    *testing.T
	w    *Watcher
	root string
	out  chan Batch
}

func runWatcher(t *testing.T, opts Options, setup func(root string)) *fsHarness {
	t.Helper()
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if setup != nil {
		setup(root)
	}
	if opts.Delay == 0 {
		opts.Delay = 50 * time.Millisecond
	}
	if opts.MaxDelay == 0 {
		opts.MaxDelay = time.Second
	}
	w, err := New(root, opts)
	if err != nil {
		t.Fatal(err)
	}
	h := &fsHarness{t: t, w: w, root: root, out: make(chan Batch)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx, h.out) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	if b := h.next(); !b.Rescan || b.Reason != "watch started" {
		t.Fatalf("first batch = %+v, want the startup rescan", b)
	}
	return h
}

// next waits for the next batch.
func (h *fsHarness) next() Batch {
	h.t.Helper()
	select {
	case b := <-h.out:
		return b
	case <-time.After(waitLimit):
		h.t.Fatalf("no batch within %v", waitLimit)
		return Batch{}
	}
}

// await collects batches until every path in want has been reported, and
// returns everything reported in order.
func (h *fsHarness) await(want ...string) []string {
	h.t.Helper()
	var got []string
	deadline := time.After(waitLimit)
	for !containsAll(got, want) {
		select {
		case b := <-h.out:
			if b.Rescan {
				h.t.Fatalf("unexpected rescan: %s", b.Reason)
			}
			got = append(got, b.Paths...)
		case <-deadline:
			h.t.Fatalf("reported %q, want %q", got, want)
		}
	}
	return got
}

// covered scans the reported paths as a consumer does and returns the
// entries found.
func (h *fsHarness) covered(paths []string) map[string]planner.LocalEntry {
	h.t.Helper()
	res, err := localfs.ScanPaths(context.Background(), h.root, paths, localfs.ScanOptions{})
	if err != nil {
		h.t.Fatal(err)
	}
	m := make(map[string]planner.LocalEntry)
	for _, e := range res.Entries {
		m[e.Path] = e
	}
	return m
}

func (h *fsHarness) write(rel, content string) {
	h.t.Helper()
	p := filepath.Join(h.root, filepath.FromSlash(rel))
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		h.t.Fatal(err)
	}
}

func (h *fsHarness) path(rel string) string { return filepath.Join(h.root, filepath.FromSlash(rel)) }

func containsAll(got, want []string) bool {
	for _, w := range want {
		if !slices.Contains(got, w) {
			return false
		}
	}
	return true
}

func TestRunFiles(t *testing.T) {
	h := runWatcher(t, Options{}, nil)

	h.write("a.txt", "one")
	h.await("a.txt")

	h.write("a.txt", "two, longer")
	h.await("a.txt")
	if e := h.covered([]string{"a.txt"})["a.txt"]; e.Size != int64(len("two, longer")) {
		t.Errorf("size after modify = %d", e.Size)
	}

	if err := os.Rename(h.path("a.txt"), h.path("b.txt")); err != nil {
		t.Fatal(err)
	}
	got := h.await("a.txt", "b.txt")
	if i, j := slices.Index(got, "b.txt"), slices.Index(got, "a.txt"); i > j {
		t.Errorf("rename reported %q; want the new name before the old one", got)
	}

	if err := os.Remove(h.path("b.txt")); err != nil {
		t.Fatal(err)
	}
	if got := h.covered(h.await("b.txt")); len(got) != 0 {
		t.Errorf("removed file still scanned: %v", got)
	}
}

func TestRunNewDirectoryWithFiles(t *testing.T) {
	h := runWatcher(t, Options{}, nil)
	want := []string{"new/a", "new/b", "new/sub/c", "new/sub/deeper/d"}
	if err := os.MkdirAll(h.path("new/sub/deeper"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range want { // at once, before any watch can exist below new
		h.write(p, p)
	}
	// Each file is reported on its own, as in a folder watched before.
	got := h.covered(h.await(want...))
	for _, p := range want {
		if _, ok := got[p]; !ok {
			t.Errorf("%s not covered by the reported paths", p)
		}
	}
	// The new subdirectories are watched: a later change deep down shows.
	h.write("new/sub/deeper/e", "e")
	h.await("new/sub/deeper/e")
}

func TestRunAtomicSave(t *testing.T) {
	h := runWatcher(t, Options{}, func(root string) {
		if err := os.WriteFile(filepath.Join(root, "doc.txt"), []byte("draft"), 0o644); err != nil {
			t.Fatal(err)
		}
	})
	// As editors save: write a temporary file, then rename it over the
	// original.
	h.write(".doc.txt.swp", "final text")
	if err := os.Rename(h.path(".doc.txt.swp"), h.path("doc.txt")); err != nil {
		t.Fatal(err)
	}
	got := h.await("doc.txt")
	if e, ok := h.covered(got)["doc.txt"]; !ok || e.Size != int64(len("final text")) {
		t.Errorf("after the save, doc.txt scans as %+v (%v)", e, ok)
	}
	if _, ok := h.covered(got)[".doc.txt.swp"]; ok {
		t.Error("the temporary file is still there")
	}
}

func TestRunRemoveTree(t *testing.T) {
	h := runWatcher(t, Options{}, func(root string) {
		for _, d := range []string{"tree/a/b", "tree/c"} {
			if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(root, d, "f"), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	})
	if err := os.RemoveAll(h.path("tree")); err != nil {
		t.Fatal(err)
	}
	got := h.await("tree")
	if got := h.covered(got); len(got) != 0 {
		t.Errorf("removed tree still scans as %v", got)
	}
	// A directory of the same name later is watched afresh (an empty new
	// directory has nothing to report).
	if err := os.MkdirAll(h.path("tree/a"), 0o755); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the watch on tree/a is in place
	h.write("tree/a/new", "n")
	h.await("tree/a/new")
}

func TestRunRenameDirectory(t *testing.T) {
	h := runWatcher(t, Options{}, func(root string) {
		if err := os.MkdirAll(filepath.Join(root, "old/sub"), 0o755); err != nil {
			t.Fatal(err)
		}
	})
	if err := os.Rename(h.path("old"), h.path("new")); err != nil {
		t.Fatal(err)
	}
	h.await("old") // the new name holds no file: nothing to report
	// Watches moved with the directory and report the new names.
	h.write("new/sub/f", "f")
	got := h.await("new/sub/f")
	for _, p := range got {
		if strings.HasPrefix(p, "old/") {
			t.Errorf("reported %q under the old name", p)
		}
	}
}

func TestRunIgnores(t *testing.T) {
	match := func(rel string, isDir bool) bool { return !strings.HasSuffix(rel, ".tmp") }
	h := runWatcher(t, Options{Match: match}, nil)
	h.w.Suppress("pulled", time.Now().Add(time.Minute))
	h.write("x.tmp", "excluded")
	h.write(localfs.TempPrefix+"part", "ks3sync's own")
	h.write("pulled", "written by a pull")
	h.write("kept", "reported")
	if got := h.await("kept"); !slices.Equal(got, []string{"kept"}) {
		t.Errorf("reported %q, want only kept", got)
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, root := range []string{filepath.Join(dir, "missing"), file} {
		w, err := New(root, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Run(context.Background(), make(chan Batch)); err == nil {
			t.Errorf("Run on %s: no error", root)
		}
	}
	if _, err := New("", Options{}); err == nil {
		t.Error("New with an empty root: no error")
	}
	if _, err := New(dir, Options{Delay: -time.Second}); err == nil {
		t.Error("New with a negative delay: no error")
	}
}

func TestRunTwice(t *testing.T) {
	h := runWatcher(t, Options{}, nil)
	if err := h.w.Run(context.Background(), make(chan Batch)); err == nil || !strings.Contains(err.Error(), "already running") {
		t.Errorf("second Run = %v, want an error", err)
	}
}

// A folder moved away and back while ks3sync's write of a file in it is
// still suppressed: the file is reported under its name again, although
// it is as the write left it (a folder renamed on this device is the
// user's change, whoever wrote the files in it).
func TestRunFolderMovedAwayAndBackAfterWrite(t *testing.T) {
	h := runWatcher(t, Options{}, func(root string) {
		if err := os.MkdirAll(filepath.Join(root, "d"), 0o755); err != nil {
			t.Fatal(err)
		}
	})
	h.w.Suppress("d/f.txt", time.Now().Add(time.Minute))
	h.write("d/f.txt", "pulled")
	h.w.Settle("d/f.txt")
	time.Sleep(300 * time.Millisecond) // the write's events are dropped as its echo
	if err := os.Rename(h.path("d"), h.path("e")); err != nil {
		t.Fatal(err)
	}
	t.Logf("after d -> e: %q", h.await("e/f.txt"))
	if err := os.Rename(h.path("e"), h.path("d")); err != nil {
		t.Fatal(err)
	}
	t.Logf("after e -> d: %q", h.await("d/f.txt"))
}

// A folder ks3sync removed (emptied by another device) that comes back and
// is then moved away within the suppression of its removal: the move is
// reported, not taken for the echo of the removal.
func TestRunFolderBackAfterRemovalThenMoved(t *testing.T) {
	h := runWatcher(t, Options{}, func(root string) {
		if err := os.MkdirAll(filepath.Join(root, "d"), 0o755); err != nil {
			t.Fatal(err)
		}
	})
	h.w.Suppress("d", time.Now().Add(time.Minute)) // as removeEmptied does
	if err := os.Remove(h.path("d")); err != nil {
		t.Fatal(err)
	}
	h.w.Settle("d")
	time.Sleep(300 * time.Millisecond) // the removal's event is dropped as its echo
	// Back, with a file another device wrote (a download's own echo).
	if err := os.Mkdir(h.path("d"), 0o755); err != nil {
		t.Fatal(err)
	}
	h.w.Suppress("d/f.txt", time.Now().Add(time.Minute))
	h.write("d/f.txt", "pulled")
	h.w.Settle("d/f.txt")
	time.Sleep(300 * time.Millisecond)
	if err := os.Rename(h.path("d"), h.path("e")); err != nil {
		t.Fatal(err)
	}
	t.Logf("after d -> e: %q", h.await("e/f.txt", "d"))
}
