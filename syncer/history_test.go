package syncer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
	"github.com/ks3sync/ks3sync/history"
	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/ks3server/faults"
	"github.com/ks3sync/ks3sync/ks3server/handlers"
	"github.com/ks3sync/ks3sync/ks3server/ks3servertest"
	"github.com/ks3sync/ks3sync/planner"
	"github.com/ks3sync/ks3sync/state"
)

// served is a fixture whose store is a real ks3sync server.
type served struct {
	root   string
	db     *state.DB
	srv    *ks3servertest.Harness
	client *ks3.Client
}

func newServed(t *testing.T) *served {
	t.Helper()
	db, err := state.Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	srv := ks3servertest.Start(t)
	c, err := ks3.New(ks3.Options{Endpoint: srv.URL, AccessKey: ks3servertest.AccessKey, SecretKey: ks3servertest.SecretKey,
		Retry: ks3.RetryPolicy{MaxAttempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CreateBucket(t.Context(), "bkt", ks3.CreateBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	return &served{root: t.TempDir(), db: db, srv: srv, client: c}
}

// syncer returns a push syncer with history kept for a day, and delete
// policy propagate.
func (f *served) syncer(t *testing.T, mut func(*Options)) *Syncer {
	t.Helper()
	o := Options{
		Pair: "p", Root: f.root, Bucket: "bkt", Prefix: "pre/", Host: "test-host",
		Direction: planner.Push, Delete: planner.Propagate,
		History:            history.Policy{Keep: 24 * time.Hour},
		MultipartThreshold: 300 << 10, PartSize: 100 << 10, Transfers: 3,
	}
	if mut != nil {
		mut(&o)
	}
	s, err := New(f.client, f.db, o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *served) write(t *testing.T, rel, data string) {
	t.Helper()
	p := filepath.Join(f.root, filepath.FromSlash(rel))
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (f *served) run(t *testing.T, s *Syncer) *Result {
	t.Helper()
	res, err := s.Run(t.Context(), "run")
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// mark returns a time between two runs: after everything before it was
// written, with the next write at least a millisecond later (listings
// have millisecond precision).
func mark() time.Time {
	time.Sleep(5 * time.Millisecond)
	t := time.Now()
	time.Sleep(5 * time.Millisecond)
	return t
}

// readDir returns every file under root with its content.
func readDir(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = string(data)
		return nil
	})
	return out
}

func (f *served) kept(t *testing.T) []history.Version {
	t.Helper()
	var out []history.Version
	for v, err := range history.List(t.Context(), f.client, history.Area{Bucket: "bkt", Prefix: "pre/"}, history.ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func TestHistoryKeepsAndRestores(t *testing.T) {
	f := newServed(t)
	f.write(t, "a.txt", "alpha v1")
	f.write(t, "b.txt", "bravo")
	f.write(t, "dir/big.bin", strings.Repeat("x", 400<<10)) // multipart
	s := f.syncer(t, nil)
	f.run(t, s)
	t1 := mark()

	f.write(t, "a.txt", "alpha v2")
	os.Remove(filepath.Join(f.root, "b.txt"))
	f.write(t, "dir/big.bin", strings.Repeat("y", 400<<10))
	f.srv.ResetStats()
	if res := f.run(t, s); res.Counts.Uploaded != 2 || res.Counts.Deleted != 1 || res.Counts.Failed != 0 {
		t.Fatalf("second run: %+v", res.Counts)
	}
	st := f.srv.Stats().Requests
	if st[handlers.OpCopyObject] != 3 || st[handlers.OpHeadObject] != 3 {
		t.Errorf("second run sent %d CopyObject and %d HeadObject, want 3 of each (one per displaced object)", st[handlers.OpCopyObject], st[handlers.OpHeadObject])
	}
	t2 := mark()

	var got []string
	for _, v := range f.kept(t) {
		got = append(got, v.Name+" "+string(v.Cause)+" "+v.Host)
	}
	want := []string{"a.txt replaced test-host", "b.txt deleted test-host", "dir/big.bin replaced test-host"}
	if !slices.Equal(got, want) {
		t.Errorf("kept %q, want %q", got, want)
	}

	for _, tc := range []struct {
		at   time.Time
		want map[string]string
	}{
		{t1, map[string]string{"a.txt": "alpha v1", "b.txt": "bravo", "dir/big.bin": strings.Repeat("x", 400<<10)}},
		{t2, map[string]string{"a.txt": "alpha v2", "dir/big.bin": strings.Repeat("y", 400<<10)}},
	} {
		dir := t.TempDir()
		res, err := s.Restore(t.Context(), RestoreOptions{At: tc.at, To: dir})
		if err != nil || res.Restored != len(tc.want) || len(res.Failed) != 0 {
			t.Fatalf("restore at %s: %+v, %v", tc.at, res, err)
		}
		if got := readDir(t, dir); !mapsEqual(got, tc.want) {
			t.Errorf("restore at %s: %d files, want %d", tc.at, len(got), len(tc.want))
		}
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// When the version cannot be kept, the object is neither overwritten nor
// deleted, and the items fail.
func TestHistoryFailureStopsTheChange(t *testing.T) {
	f := newServed(t)
	f.write(t, "a.txt", "v1")
	f.write(t, "b.txt", "b")
	s := f.syncer(t, nil)
	f.run(t, s)
	f.write(t, "a.txt", "v2")
	os.Remove(filepath.Join(f.root, "b.txt"))
	f.srv.InjectFault(faults.Fault{Ops: []string{handlers.OpCopyObject}})
	res := f.run(t, s)
	f.srv.ClearFaults()
	if res.Counts.Failed != 2 || res.Counts.Uploaded != 0 || res.Counts.Deleted != 0 {
		t.Fatalf("counts %+v, want both items failed", res.Counts)
	}
	if data := f.object(t, "pre/a.txt"); data != "v1" {
		t.Errorf("a.txt was overwritten without its version kept: %q", data)
	}
	if data := f.object(t, "pre/b.txt"); data != "b" {
		t.Errorf("b.txt was deleted without its version kept: %q", data)
	}
	if res := f.run(t, s); res.Counts.Uploaded != 1 || res.Counts.Deleted != 1 || len(f.kept(t)) != 2 {
		t.Errorf("the next run did not catch up: %+v, %d kept", res.Counts, len(f.kept(t)))
	}
}

func (f *served) object(t *testing.T, key string) string {
	t.Helper()
	obj, err := f.client.GetObject(t.Context(), "bkt", key, ks3.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Body.Close()
	data, _ := io.ReadAll(obj.Body)
	return string(data)
}

// A touched file gets its object's mtime refreshed on the server; the
// object as it was is kept.
func TestRefreshMTime(t *testing.T) {
	f := newServed(t)
	f.write(t, "a.txt", "same")
	s := f.syncer(t, nil)
	f.run(t, s)
	before := mark()
	later := time.Date(2030, 1, 2, 3, 4, 5, 600, time.UTC)
	os.Chtimes(filepath.Join(f.root, "a.txt"), later, later)
	f.srv.ResetStats()
	res := f.run(t, s)
	st := f.srv.Stats().Requests
	if res.Counts.Failed != 0 || st[handlers.OpPutObject] != 0 || st[handlers.OpCopyObject] != 2 {
		t.Fatalf("touch: counts %+v, requests %v; want two copies (history, refresh) and no upload", res.Counts, st)
	}
	info, err := f.client.HeadObject(t.Context(), "bkt", "pre/a.txt")
	if err != nil || info.Metadata["mtime"] != "1893553445.000000600" || info.Metadata["md5"] == "" {
		t.Fatalf("refreshed metadata %v, %v", info.Metadata, err)
	}
	f.srv.ResetStats()
	f.run(t, s)
	if n := f.srv.Stats().Requests[handlers.OpCopyObject]; n != 0 {
		t.Errorf("the refresh repeats: %d copies", n)
	}
	dir := t.TempDir()
	if _, err := s.Restore(t.Context(), RestoreOptions{At: before, To: dir}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "a.txt")); err != nil || fi.ModTime().Equal(later) {
		t.Errorf("restore before the touch: %v, mtime %v; want the old mtime", err, fi.ModTime())
	}
	dir = t.TempDir()
	if _, err := s.Restore(t.Context(), RestoreOptions{At: time.Now(), To: dir}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "a.txt")); err != nil || !fi.ModTime().Equal(later) {
		t.Errorf("restore after the touch: %v, mtime %v; want %v", err, fi.ModTime(), later)
	}
}

// A watch pass is held by max_overwrite like a full pass, against the
// files the pair had; with history on nothing is held.
func TestMaxOverwriteGuard(t *testing.T) {
	for _, historyOn := range []bool{false, true} {
		f := newServed(t)
		for i := range 10 {
			f.write(t, fmt.Sprintf("f%d.txt", i), "v1")
		}
		s := f.syncer(t, func(o *Options) {
			o.MaxOverwrite = planner.MaxOverwrite{Percent: 50}
			if !historyOn {
				o.History = history.Policy{}
			}
		})
		f.run(t, s)
		edit := func(from, to int) []string {
			var paths []string
			for i := from; i < to; i++ {
				f.write(t, fmt.Sprintf("f%d.txt", i), "v2")
				paths = append(paths, fmt.Sprintf("f%d.txt", i))
			}
			return paths
		}
		if _, err := s.RunPaths(t.Context(), edit(0, 3)); err != nil {
			t.Fatalf("30%% overwritten: %v", err)
		}
		_, err := s.RunPaths(t.Context(), edit(3, 9))
		var ge *planner.GuardError
		if historyOn {
			if err != nil {
				t.Errorf("history on: %v, want no guard", err)
			}
			continue
		}
		if !errors.As(err, &ge) || ge.Guard != planner.GuardMaxOverwrite || ge.Overwrites != 6 || ge.Files != 10 {
			t.Fatalf("60%% overwritten in one watch pass: err = %v, want a max_overwrite guard error for 6 of 10", err)
		}
		if !strings.Contains(err.Error(), "--max-overwrite 6") {
			t.Errorf("refusal %q does not say how to proceed", err)
		}
		if data := f.object(t, "pre/f3.txt"); data != "v1" {
			t.Errorf("the refused pass overwrote f3.txt")
		}
		_, err = s.Run(t.Context(), "run")
		if !errors.As(err, &ge) || ge.Overwrites != 6 {
			t.Errorf("full pass: err = %v, want the same refusal", err)
		}
	}
}

func TestCheck(t *testing.T) {
	f := newServed(t)
	f.write(t, "same.txt", "same")
	f.write(t, "edited.txt", "v1")
	f.write(t, "big.bin", strings.Repeat("z", 400<<10))
	s := f.syncer(t, nil)
	f.run(t, s)
	res, err := s.Check(t.Context(), CheckOptions{})
	if err != nil || len(res.Differences) != 0 || res.Files != 3 || res.Objects != 3 {
		t.Fatalf("check after a run: %+v, %v", res, err)
	}
	f.write(t, "edited.txt", "v2")      // same size, other content
	f.write(t, "local-only.txt", "new") // never uploaded
	if _, err := f.client.PutObject(t.Context(), "bkt", "pre/remote-only.txt", bytes.NewReader([]byte("r")), 1, ks3.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(f.root, "same.txt"))
	res, err = s.Check(t.Context(), CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range res.Differences {
		got = append(got, d.Kind+" "+d.Path)
	}
	want := []string{"content-differs edited.txt", "missing-in-bucket local-only.txt", "missing-locally remote-only.txt", "missing-locally same.txt"}
	if !slices.Equal(got, want) {
		t.Errorf("differences %q, want %q", got, want)
	}
	res, err = s.Check(t.Context(), CheckOptions{Download: true})
	if err != nil || len(res.Differences) != 4 {
		t.Errorf("check --download: %+v, %v", res, err)
	}
}

// Restore into a folder that has files: the same content only gets its
// mtime back, a differing file is left unless Overwrite, and a dry run
// writes nothing.
func TestRestoreOverLocalFiles(t *testing.T) {
	f := newServed(t)
	f.write(t, "same.txt", "same")
	f.write(t, "edited.txt", "v1")
	f.write(t, "gone.txt", "gone")
	old := time.Date(2020, 5, 6, 7, 8, 9, 0, time.UTC)
	os.Chtimes(filepath.Join(f.root, "same.txt"), old, old)
	s := f.syncer(t, nil)
	f.run(t, s)
	at := mark()
	now := time.Now()
	os.Chtimes(filepath.Join(f.root, "same.txt"), now, now)
	f.write(t, "edited.txt", "v2")
	os.Remove(filepath.Join(f.root, "gone.txt"))

	res, err := s.Restore(context.Background(), RestoreOptions{At: at, DryRun: true})
	if err != nil || res.Restored != 1 || len(res.Kept) != 1 || res.Unchanged != 1 {
		t.Fatalf("dry run: %+v, %v", res, err)
	}
	if _, err := os.Stat(filepath.Join(f.root, "gone.txt")); err == nil {
		t.Fatal("the dry run wrote a file")
	}
	res, err = s.Restore(context.Background(), RestoreOptions{At: at})
	if err != nil || res.Restored != 1 || !slices.Equal(res.Kept, []string{"edited.txt"}) || res.Unchanged != 1 {
		t.Fatalf("restore: %+v, %v", res, err)
	}
	if got := readDir(t, f.root); got["edited.txt"] != "v2" || got["gone.txt"] != "gone" {
		t.Errorf("after restore: %v", got)
	}
	if fi, _ := os.Stat(filepath.Join(f.root, "same.txt")); !fi.ModTime().Equal(old) {
		t.Errorf("same.txt mtime %v, want %v back", fi.ModTime(), old)
	}
	res, err = s.Restore(context.Background(), RestoreOptions{At: at, Overwrite: true, Paths: []string{"edited.txt"}})
	if err != nil || res.Restored != 1 || res.Files != 1 {
		t.Fatalf("restore --overwrite edited.txt: %+v, %v", res, err)
	}
	if got := readDir(t, f.root); got["edited.txt"] != "v1" {
		t.Errorf("edited.txt = %q after --overwrite", got["edited.txt"])
	}
}

// Corrupted object bytes that keep their ETag and metadata are found only by
// reading them back, encrypted or not.
func TestCheckDownloadFindsCorruption(t *testing.T) {
	for _, encrypted := range []bool{false, true} {
		f := newFixture(t)
		f.write(t, "a.bin", randomBytes(3, 5000))
		f.write(t, "b.bin", randomBytes(4, 5000))
		s := f.syncer(t, func(o *Options) {
			if encrypted {
				o.Key = &ks3crypto.Key{9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6}
			}
		})
		if _, err := s.Run(t.Context(), "run"); err != nil {
			t.Fatal(err)
		}
		o := f.store.objects["pre/a.bin"]
		o.data = slices.Clone(o.data)
		o.data[100] ^= 0xff
		f.store.objects["pre/a.bin"] = o
		res, err := s.Check(t.Context(), CheckOptions{})
		if err != nil || len(res.Differences) != 0 {
			t.Fatalf("encrypted %v: check without --download: %+v, %v; want no difference", encrypted, res, err)
		}
		res, err = s.Check(t.Context(), CheckOptions{Download: true})
		if err != nil || len(res.Differences) != 1 || res.Differences[0].Kind != DiffCorrupt || res.Differences[0].Path != "a.bin" {
			t.Fatalf("encrypted %v: check --download: %+v, %v; want a.bin corrupt", encrypted, res, err)
		}
	}
}
