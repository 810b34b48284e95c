package localfs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/planner"
)

// mkTree creates files (with their path as content) and, for names ending
// in "/", directories under root.
func mkTree(t testing.TB, root string, names ...string) {
	t.Helper()
	for _, n := range names {
		p := filepath.Join(root, filepath.FromSlash(n))
		if strings.HasSuffix(n, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func entryPaths(entries []planner.LocalEntry) []string {
	paths := make([]string, len(entries))
	for i, e := range entries {
		paths[i] = e.Path
	}
	return paths
}

func mustScan(t *testing.T, root string, opts ScanOptions) *ScanResult {
	t.Helper()
	res, err := Scan(context.Background(), root, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestScanTree(t *testing.T) {
	root := t.TempDir()
	mkTree(t, root, "b.txt", "a/z", "a/b/c.txt", "a b", "a-b/x", "empty/", "A", TempPrefix+"123", "a/"+TempPrefix+"456")
	past := time.Date(2020, 1, 2, 3, 4, 5, 6000, time.UTC)
	if err := os.Chtimes(filepath.Join(root, "b.txt"), past, past); err != nil {
		t.Fatal(err)
	}
	res := mustScan(t, root, ScanOptions{})
	want := []string{"A", "a b", "a-b/x", "a/b/c.txt", "a/z", "b.txt"} // byte order
	if got := entryPaths(res.Entries); !slices.Equal(got, want) {
		t.Fatalf("paths = %q, want %q", got, want)
	}
	if len(res.Errors) != 0 || res.RootMissing || res.Skipped != 0 {
		t.Errorf("errors %v, root missing %v, skipped %d", res.Errors, res.RootMissing, res.Skipped)
	}
	for _, e := range res.Entries {
		if e.Size != int64(len(e.Path)) || e.MD5 != "" {
			t.Errorf("%s: size %d, md5 %q", e.Path, e.Size, e.MD5)
		}
		fp, err := Stat(root, e.Path)
		if err != nil || fp != e.Fingerprint {
			t.Errorf("Stat(%s) = %+v, %v; the scan says %+v", e.Path, fp, err, e.Fingerprint)
		}
	}
	if e := res.Entries[5]; e.MTime != past.UnixNano() {
		t.Errorf("b.txt mtime = %d, want %d", e.MTime, past.UnixNano())
	}
}

func TestScanMatch(t *testing.T) {
	root := t.TempDir()
	mkTree(t, root, "keep.txt", "app.log", "node_modules/x/y.js", "src/node_modules.txt", "src/main.go")
	var mu sync.Mutex
	var asked []string
	match := func(rel string, isDir bool) bool {
		mu.Lock()
		asked = append(asked, rel)
		mu.Unlock()
		return !(isDir && rel == "node_modules") && !strings.HasSuffix(rel, ".log")
	}
	res := mustScan(t, root, ScanOptions{Match: match})
	want := []string{"keep.txt", "src/main.go", "src/node_modules.txt"}
	if got := entryPaths(res.Entries); !slices.Equal(got, want) {
		t.Fatalf("paths = %q, want %q", got, want)
	}
	for _, p := range asked {
		if strings.HasPrefix(p, "node_modules/") {
			t.Errorf("asked about %q below an excluded directory", p)
		}
	}
}

func TestScanRoot(t *testing.T) {
	dir := t.TempDir()
	res, err := Scan(context.Background(), filepath.Join(dir, "missing"), ScanOptions{})
	if err != nil || !res.RootMissing || len(res.Entries) != 0 {
		t.Errorf("missing root: %+v, %v; want RootMissing and no error", res, err)
	}
	res, err = ScanPaths(context.Background(), filepath.Join(dir, "missing"), []string{"a"}, ScanOptions{})
	if err != nil || !res.RootMissing {
		t.Errorf("ScanPaths on a missing root: %+v, %v; want RootMissing", res, err)
	}
	mkTree(t, dir, "file")
	if _, err := Scan(context.Background(), filepath.Join(dir, "file"), ScanOptions{}); err == nil {
		t.Error("a file as the root: no error")
	}
	res = mustScan(t, t.TempDir(), ScanOptions{})
	if res.RootMissing || len(res.Entries) != 0 {
		t.Errorf("empty root: %+v", res)
	}
}

func TestScanUnreadableDirectory(t *testing.T) {
	root := t.TempDir()
	mkTree(t, root, "ok/a", "locked/b", "locked/deeper/c", "z")
	denied := &fs.PathError{Op: "open", Path: filepath.Join(root, "locked"), Err: fs.ErrPermission}
	s, err := newScanner(root, ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s.listDir = func(dir string) ([]fs.DirEntry, error) {
		if dir == denied.Path {
			return nil, denied
		}
		return readDir(dir)
	}
	res, err := s.scanAll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := entryPaths(res.Entries); !slices.Equal(got, []string{"ok/a", "z"}) {
		t.Errorf("paths = %q", got)
	}
	if len(res.Errors) != 1 || res.Errors[0].Path != "locked" || !errors.Is(res.Errors[0], fs.ErrPermission) {
		t.Errorf("errors = %v, want the locked directory", res.Errors)
	}

	// The root itself is different: nothing can be known without it.
	s, _ = newScanner(root, ScanOptions{})
	s.listDir = func(string) ([]fs.DirEntry, error) { return nil, denied }
	if _, err := s.scanAll(context.Background()); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("unreadable root: err = %v", err)
	}
}

func TestScanCancelled(t *testing.T) {
	root := t.TempDir()
	mkTree(t, root, "a/b/c", "d/e")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Scan(ctx, root, ScanOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Scan = %v, want context.Canceled", err)
	}
	if _, err := ScanPaths(ctx, root, []string{"a"}, ScanOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("ScanPaths = %v, want context.Canceled", err)
	}
}

const (
	cafeNFC = "caf\u00e9"
	cafeNFD = "cafe\u0301"
)

func TestScanNFC(t *testing.T) {
	root := t.TempDir()
	mkTree(t, root, cafeNFD+"/menu.txt", "r\u00e9sum\u00e9.txt")
	res := mustScan(t, root, ScanOptions{})
	want := []string{cafeNFC + "/menu.txt", "r\u00e9sum\u00e9.txt"}
	if got := entryPaths(res.Entries); !slices.Equal(got, want) {
		t.Fatalf("paths = %q, want %q", got, want)
	}
	// The reported path leads back to the file on disk.
	p, err := Resolve(root, cafeNFC+"/menu.txt")
	if err != nil || p != filepath.Join(root, cafeNFD, "menu.txt") {
		t.Errorf("Resolve = %q, %v", p, err)
	}
	if fp, err := Stat(root, cafeNFC+"/menu.txt"); err != nil || fp != res.Entries[0].Fingerprint {
		t.Errorf("Stat = %+v, %v", fp, err)
	}
	paths, err := ScanPaths(context.Background(), root, []string{cafeNFC + "/menu.txt", cafeNFD}, ScanOptions{})
	if err != nil || !slices.Equal(entryPaths(paths.Entries), want[:1]) {
		t.Errorf("ScanPaths = %+v, %v", paths, err)
	}
	// A new file goes where its directory already is.
	p, err = Resolve(root, cafeNFC+"/new/file")
	if err != nil || p != filepath.Join(root, cafeNFD, "new", "file") {
		t.Errorf("Resolve of a new path = %q, %v", p, err)
	}
}

func TestScanNFCCollision(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, cafeNFD), []byte("decomposed"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, cafeNFC), []byte("nfc"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := mustScan(t, root, ScanOptions{})
	if len(res.Entries) != 1 || res.Entries[0].Path != cafeNFC || res.Entries[0].Size != 3 {
		t.Errorf("entries = %+v, want the name already in NFC", res.Entries)
	}
	if len(res.Errors) != 1 || !errors.Is(res.Errors[0], errNameCollision) {
		t.Errorf("errors = %v, want a collision", res.Errors)
	}
}

func TestResolveRejects(t *testing.T) {
	for _, rel := range []string{"../x", "/etc/passwd", "a/../../b"} {
		if _, err := Resolve(t.TempDir(), rel); err == nil {
			t.Errorf("Resolve(%q): no error", rel)
		}
	}
	if _, err := Stat(t.TempDir(), "missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat of a missing file = %v", err)
	}
	root := t.TempDir()
	mkTree(t, root, "d/")
	if _, err := Stat(root, "d"); err == nil {
		t.Error("Stat of a directory: no error")
	}
}

func TestScanPaths(t *testing.T) {
	root := t.TempDir()
	mkTree(t, root, "a/1", "a/2", "a/b/3", "a/b/c/4", "x", "skip/5", "a/skip.tmp", "y/z/6")
	match := func(rel string, isDir bool) bool { return rel != "skip" && !strings.HasSuffix(rel, ".tmp") }
	opts := ScanOptions{Match: match}
	tests := []struct {
		name  string
		paths []string
		want  []string
	}{
		{"a file", []string{"x"}, []string{"x"}},
		{"a directory", []string{"a/b"}, []string{"a/b/3", "a/b/c/4"}},
		{"overlapping", []string{"a/b/c/4", "a", "a/b"}, []string{"a/1", "a/2", "a/b/3", "a/b/c/4"}},
		{"gone", []string{"nope", "a/nope", "x/under-a-file"}, nil},
		{"excluded", []string{"skip", "skip/5", "a/skip.tmp"}, nil},
		{"the root", []string{""}, []string{"a/1", "a/2", "a/b/3", "a/b/c/4", "x", "y/z/6"}},
		{"unclean", []string{"./y//z/", "a/b/../1"}, []string{"a/1", "y/z/6"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ScanPaths(context.Background(), root, tt.paths, opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := entryPaths(res.Entries); !slices.Equal(got, tt.want) {
				t.Errorf("paths = %q, want %q", got, tt.want)
			}
			if len(res.Errors) != 0 {
				t.Errorf("errors = %v", res.Errors)
			}
		})
	}
	res, err := ScanPaths(context.Background(), root, []string{"../outside", "x"}, opts)
	if err != nil || len(res.Errors) != 1 || res.Errors[0].Path != "../outside" || len(res.Entries) != 1 {
		t.Errorf("a path out of the root: %+v, %v", res, err)
	}
}

// TestScanPathsAgreesWithScan checks on random subsets of a tree that
// ScanPaths reports exactly what Scan reports at or below the paths.
func TestScanPathsAgreesWithScan(t *testing.T) {
	root := t.TempDir()
	var all []string
	for i := range 300 {
		all = append(all, fmt.Sprintf("d%d/e%d/f%d", i%5, i%7, i))
	}
	mkTree(t, root, all...)
	match := func(rel string, isDir bool) bool { return !strings.HasSuffix(rel, "3") }
	full := mustScan(t, root, ScanOptions{Match: match})
	candidates := append(slices.Clone(all), "d1", "d2/e3", "d4/e6", "missing", "d0/e0/f0/nope")
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 50 {
		var paths []string
		for range rng.IntN(8) + 1 {
			paths = append(paths, candidates[rng.IntN(len(candidates))])
		}
		res, err := ScanPaths(context.Background(), root, paths, ScanOptions{Match: match})
		if err != nil {
			t.Fatal(err)
		}
		var want []planner.LocalEntry
		for _, e := range full.Entries {
			if slices.ContainsFunc(paths, func(p string) bool { return e.Path == p || strings.HasPrefix(e.Path, p+"/") }) {
				want = append(want, e)
			}
		}
		if !slices.Equal(res.Entries, want) {
			t.Fatalf("round %d, paths %q:\n got %q\nwant %q", round, paths, entryPaths(res.Entries), entryPaths(want))
		}
	}
}

func TestScanWideAndDeep(t *testing.T) {
	root := t.TempDir()
	var want []string
	for i := range 2000 {
		want = append(want, fmt.Sprintf("w%02d/%sf%04d", i%40, strings.Repeat("d/", i%6), i))
	}
	mkTree(t, root, want...)
	slices.Sort(want)
	for range 3 { // the worker pool must not lose, duplicate or misorder entries
		if got := entryPaths(mustScan(t, root, ScanOptions{}).Entries); !slices.Equal(got, want) {
			t.Fatalf("got %d paths, want %d in byte order", len(got), len(want))
		}
	}
}

// BenchmarkScan scans a tree of 10,000 files: 100 folders of one subfolder
// each holding 100 files (201 directories in all, counting the root).
func BenchmarkScan(b *testing.B) {
	root := b.TempDir()
	for d := range 100 {
		dir := filepath.Join(root, fmt.Sprintf("dir%03d", d), "sub")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		for f := range 100 {
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("file%03d.dat", f)), []byte("x"), 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	ctx := context.Background()
	for b.Loop() {
		res, err := Scan(ctx, root, ScanOptions{})
		if err != nil || len(res.Entries) != 10000 {
			b.Fatalf("scan: %d entries, %v", len(res.Entries), err)
		}
	}
	b.ReportMetric(float64(10000*b.N)/b.Elapsed().Seconds(), "files/s")
}

func TestScanReportsTempFiles(t *testing.T) {
	root := t.TempDir()
	for _, rel := range []string{"a.txt", "sub/" + TempPrefix + "2", TempPrefix + "1"} {
		p := filepath.Join(root, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(rel), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r, err := Scan(t.Context(), root, ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Entries) != 1 || r.Entries[0].Path != "a.txt" {
		t.Errorf("entries = %v, want only a.txt", r.Entries)
	}
	temps := slices.Sorted(slices.Values(r.Temps))
	if want := []string{TempPrefix + "1", "sub/" + TempPrefix + "2"}; !slices.Equal(temps, want) {
		t.Errorf("temps = %q, want %q", temps, want)
	}
}
