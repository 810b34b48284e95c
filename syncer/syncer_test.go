package syncer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/planner"
	"github.com/ks3sync/ks3sync/state"
)

func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

type fixture struct {
	root  string
	db    *state.DB
	store *fakeStore
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db, err := state.Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &fixture{root: t.TempDir(), db: db, store: newFakeStore()}
}

func (f *fixture) syncer(t *testing.T, mut func(*Options)) *Syncer {
	t.Helper()
	o := Options{
		Pair: "p", Root: f.root, Bucket: "bkt", Prefix: "pre/",
		Direction: planner.Push, Delete: planner.Keep,
		MultipartThreshold: 300 << 10, PartSize: 100 << 10, Transfers: 3,
	}
	if mut != nil {
		mut(&o)
	}
	s, err := New(f.store, f.db, o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *fixture) write(t *testing.T, rel string, data []byte) {
	t.Helper()
	p := filepath.Join(f.root, filepath.FromSlash(rel))
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestPushThenNoop(t *testing.T) {
	f := newFixture(t)
	f.write(t, "a.txt", []byte("hello"))
	f.write(t, "dir/big.bin", randomBytes(1, 1<<20))
	s := f.syncer(t, nil)
	res, err := s.Run(t.Context(), "run")
	if err != nil || res.Counts.Uploaded != 2 || res.Counts.Failed != 0 {
		t.Fatalf("first run: %+v, %v", res, err)
	}
	if o := f.store.objects["pre/dir/big.bin"]; !bytes.Equal(o.data, randomBytes(1, 1<<20)) {
		t.Fatal("multipart object differs from the file")
	}
	calls := f.store.partCalls
	res, err = s.Run(t.Context(), "run")
	if err != nil || res.Counts.Uploaded != 0 || f.store.partCalls != calls {
		t.Fatalf("second run was not a no-op: %+v, %v", res.Counts, err)
	}
}

// An encrypted multipart upload interrupted after some parts resumes in a
// new Syncer (a new process) from the checkpointed CBC chain value, and the
// object decrypts to the file.
func TestEncryptedMultipartResumes(t *testing.T) {
	for _, crashAfter := range []int{1, 3, 7} {
		f := newFixture(t)
		data := randomBytes(uint64(crashAfter), 1<<20+12345)
		f.write(t, "secret.bin", data)
		key := ks3crypto.Key{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
		withKey := func(o *Options) { o.Key = &key }

		f.store.failPartAfter = crashAfter
		res, err := f.syncer(t, withKey).Run(t.Context(), "run")
		if err != nil || res.Counts.Failed != 1 {
			t.Fatalf("crash %d: first run %+v, %v", crashAfter, res, err)
		}
		f.store.failPartAfter = 0
		f.store.partCalls = 0
		res, err = f.syncer(t, withKey).Run(t.Context(), "run")
		if err != nil || res.Counts.Uploaded != 1 {
			t.Fatalf("crash %d: resumed run %+v, %v", crashAfter, res, err)
		}
		parts := (len(data) + (100 << 10) - 1) / (100 << 10)
		if f.store.partCalls != parts-crashAfter {
			t.Errorf("crash %d: resumed run sent %d parts, want %d", crashAfter, f.store.partCalls, parts-crashAfter)
		}
		o := f.store.objects["pre/secret.bin"]
		meta, ok, err := ks3crypto.ParseMetadata(o.info.Metadata)
		if !ok || err != nil {
			t.Fatalf("crash %d: object not marked encrypted: %v", crashAfter, err)
		}
		plain, err := io.ReadAll(ks3crypto.NewDecryptReader(bytes.NewReader(o.data), key, meta))
		if err != nil || !bytes.Equal(plain, data) {
			t.Fatalf("crash %d: decrypted object differs from the file (%v)", crashAfter, err)
		}
	}
}

// Encrypted parts are sent side by side: when part 2 fails slowly while
// part 3 gets through, the resumed upload sends part 2 and the parts never
// acknowledged, not part 3 again; every part carries its Content-MD5, and
// the object decrypts to the file.
func TestEncryptedMultipartResumesAfterAGap(t *testing.T) {
	f := newFixture(t)
	data := randomBytes(9, 1<<20+777)
	f.write(t, "secret.bin", data)
	key := ks3crypto.Key{16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}
	withKey := func(o *Options) { o.Key = &key; o.Transfers = 4 }

	f.store.failPart, f.store.failPartDelay = 2, 300*time.Millisecond
	res, err := f.syncer(t, withKey).Run(t.Context(), "run")
	if err != nil || res.Counts.Failed != 1 {
		t.Fatalf("first run %+v, %v", res, err)
	}
	if len(f.store.uploads) != 1 {
		t.Fatalf("want one open upload, have %d", len(f.store.uploads))
	}
	var accepted []int
	for _, u := range f.store.uploads {
		for n := range u.parts {
			accepted = append(accepted, n)
		}
	}
	if !slices.Contains(accepted, 3) || slices.Contains(accepted, 2) {
		t.Fatalf("first run accepted parts %v, want 3 and not 2", accepted)
	}
	f.store.failPart, f.store.partCalls, f.store.partsWithMD5 = 0, 0, 0
	res, err = f.syncer(t, withKey).Run(t.Context(), "run")
	if err != nil || res.Counts.Uploaded != 1 {
		t.Fatalf("resumed run %+v, %v", res, err)
	}
	parts := (len(data) + (100 << 10) - 1) / (100 << 10)
	if want := parts - len(accepted); f.store.partCalls != want {
		t.Errorf("resumed run sent %d parts, want %d (accepted before: %v)", f.store.partCalls, want, accepted)
	}
	if f.store.partsWithMD5 != f.store.partCalls {
		t.Errorf("%d of %d encrypted parts carried Content-MD5", f.store.partsWithMD5, f.store.partCalls)
	}
	o := f.store.objects["pre/secret.bin"]
	meta, ok, err := ks3crypto.ParseMetadata(o.info.Metadata)
	if !ok || err != nil {
		t.Fatalf("object not marked encrypted: %v", err)
	}
	plain, err := io.ReadAll(ks3crypto.NewDecryptReader(bytes.NewReader(o.data), key, meta))
	if err != nil || !bytes.Equal(plain, data) {
		t.Fatalf("decrypted object differs from the file (%v)", err)
	}
}

// A source that changed since the interrupted upload starts over.
func TestChangedSourceAbortsOldUpload(t *testing.T) {
	f := newFixture(t)
	f.write(t, "big.bin", randomBytes(1, 600<<10))
	f.store.failPartAfter = 2
	f.syncer(t, nil).Run(t.Context(), "run")
	if len(f.store.uploads) != 1 {
		t.Fatalf("want one open upload, have %d", len(f.store.uploads))
	}
	f.write(t, "big.bin", randomBytes(2, 700<<10))
	f.store.failPartAfter = 0
	if _, err := f.syncer(t, nil).Run(t.Context(), "run"); err != nil {
		t.Fatal(err)
	}
	if len(f.store.uploads) != 0 {
		t.Errorf("old upload not aborted: %d open", len(f.store.uploads))
	}
	if !bytes.Equal(f.store.objects["pre/big.bin"].data, randomBytes(2, 700<<10)) {
		t.Error("object is not the new content")
	}
}

func TestPullVerifiesAndPlacesAtomically(t *testing.T) {
	f := newFixture(t)
	f.write(t, "x/y.txt", []byte("content"))
	if _, err := f.syncer(t, nil).Run(t.Context(), "run"); err != nil {
		t.Fatal(err)
	}
	// corrupt the stored bytes but keep the metadata's MD5
	o := f.store.objects["pre/x/y.txt"]
	o.data = []byte("CONTENT")
	f.store.objects["pre/x/y.txt"] = o

	dst := newFixture(t)
	dst.store = f.store
	s := dst.syncer(t, func(o *Options) { o.Direction = planner.Pull })
	res, err := s.Run(t.Context(), "run")
	if err != nil || res.Counts.Failed != 1 {
		t.Fatalf("corrupt download: %+v, %v", res, err)
	}
	entries, _ := os.ReadDir(filepath.Join(dst.root, "x"))
	if len(entries) != 0 {
		t.Errorf("a corrupt download left files: %v", entries)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	f := newFixture(t)
	f.write(t, "a.txt", []byte("a"))
	var planned int
	s := f.syncer(t, func(o *Options) {
		o.DryRun = true
		o.Report = func(ev Event) {
			if ev.Kind == EventPlanned {
				planned++
			}
		}
	})
	res, err := s.Run(t.Context(), "run")
	if err != nil || res.Planned != 1 || planned != 1 || len(f.store.objects) != 0 {
		t.Fatalf("dry run: %+v, %v, %d objects", res, err, len(f.store.objects))
	}
	if n, _ := f.db.CountBase(context.Background(), "p"); n != 0 {
		t.Errorf("dry run recorded %d base rows", n)
	}
}

// Temporary files of downloads killed long ago are removed by the next
// full pass; fresh ones (a download in progress) are left alone.
func TestStaleTempFilesRemoved(t *testing.T) {
	f := newFixture(t)
	f.write(t, "a.txt", []byte("a"))
	f.write(t, "d/.ks3sync-tmp-1001", []byte("partial"))
	f.write(t, "d/.ks3sync-tmp-1002", []byte("partial"))
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(filepath.Join(f.root, "d/.ks3sync-tmp-1001"), old, old)
	if _, err := f.syncer(t, nil).Run(t.Context(), "run"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(f.root, "d/.ks3sync-tmp-1001")); !os.IsNotExist(err) {
		t.Errorf("stale temporary file not removed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(f.root, "d/.ks3sync-tmp-1002")); err != nil {
		t.Errorf("fresh temporary file removed: %v", err)
	}
	if _, ok := f.store.objects["pre/d/.ks3sync-tmp-1002"]; ok {
		t.Error("a temporary file was uploaded")
	}
}

func TestListPrefixes(t *testing.T) {
	// "café" can also be spelled decomposed, so the folder holding it is
	// listed; ideographs have one spelling; "a" covers "a/b.txt" and "ab/c".
	got := listPrefixes("pre/", []string{"a/b.txt", "a", "ab/c", "z/caf\u00e9.txt", "中文/x"})
	if want := []string{"pre/a", "pre/z/", "pre/中文/x"}; !slices.Equal(got, want) {
		t.Errorf("listPrefixes = %q, want %q", got, want)
	}
	// A top-level decomposable name needs the whole prefix.
	got = listPrefixes("pre/", []string{"a/b.txt", "caf\u00e9/x.txt"})
	if want := []string{"pre/"}; !slices.Equal(got, want) {
		t.Errorf("listPrefixes = %q, want %q", got, want)
	}
}

// A watch pass finds an object stored under the decomposed (NFD) spelling
// of a name, instead of taking it for deleted.
func TestWatchPassSeesDecomposedKeys(t *testing.T) {
	f := newFixture(t)
	nfd := "pre/dir/cafe\u0301.txt"
	f.store.PutObject(t.Context(), "bkt", nfd, bytes.NewReader([]byte("remote")), 6, ks3.PutOptions{})
	s := f.syncer(t, func(o *Options) { o.Direction = planner.Both; o.Delete = planner.Propagate })
	if res, err := s.Run(t.Context(), "run"); err != nil || res.Counts.Downloaded != 1 {
		t.Fatalf("full pass: %+v, %v", res, err)
	}
	local := filepath.Join(f.root, "dir", "caf\u00e9.txt")
	later := time.Now().Add(time.Minute)
	os.Chtimes(local, later, later)
	if _, err := s.RunPaths(t.Context(), []string{"dir/caf\u00e9.txt"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(local); err != nil {
		t.Fatalf("the local file was deleted by a watch pass: %v", err)
	}
	if len(f.store.objects) != 1 {
		t.Errorf("objects = %d, want the one NFD object", len(f.store.objects))
	}
}

// Objects named like ks3sync's temporary files are never synced, so they
// can never look deleted; a pair that pulls reports each as a failed item
// naming the key.
func TestTempNamedKeysAreLeftAlone(t *testing.T) {
	f := newFixture(t)
	key := "pre/d/.ks3sync-tmp-report"
	f.store.PutObject(t.Context(), "bkt", key, bytes.NewReader([]byte("x")), 1, ks3.PutOptions{})
	s := f.syncer(t, func(o *Options) { o.Direction = planner.Both; o.Delete = planner.Propagate })
	for range 2 {
		res, _ := s.Run(t.Context(), "run")
		if res == nil || res.Counts.Failed != 1 || len(res.Errors) != 1 || !strings.Contains(res.Errors[0], key) {
			t.Fatalf("want one failed item naming %s, got %+v", key, res)
		}
	}
	if _, ok := f.store.objects[key]; !ok {
		t.Error("a temp-named object was deleted")
	}
	if _, err := os.Stat(filepath.Join(f.root, "d", ".ks3sync-tmp-report")); err == nil {
		t.Error("a temp-named object was downloaded")
	}
}

// A user's file named like ks3sync's temporary files is neither removed
// as a leftover nor uploaded.
func TestReservedLocalNameLeftAlone(t *testing.T) {
	f := newFixture(t)
	f.write(t, "a.txt", []byte("a"))
	f.write(t, ".ks3sync-tmp-notes", []byte("mine"))
	old := time.Now().Add(-48 * time.Hour)
	os.Chtimes(filepath.Join(f.root, ".ks3sync-tmp-notes"), old, old)
	s := f.syncer(t, func(o *Options) { o.LockHeld = true })
	if res, err := s.Run(t.Context(), "run"); err != nil || res.Counts.Uploaded != 1 {
		t.Fatalf("run: %+v, %v", res, err)
	}
	if got, err := os.ReadFile(filepath.Join(f.root, ".ks3sync-tmp-notes")); err != nil || string(got) != "mine" {
		t.Errorf("the user's file is gone: %q, %v", got, err)
	}
	if _, ok := f.store.objects["pre/.ks3sync-tmp-notes"]; ok {
		t.Error("a reserved name was uploaded")
	}
}

// A pull never writes through a symbolic link in the folder: the objects
// under it are failed items that name the path.
func TestPullRefusesPathThroughLink(t *testing.T) {
	f := newFixture(t)
	outside := t.TempDir()
	if err := os.MkdirAll(f.root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(f.root, "link")); err != nil {
		t.Fatal(err)
	}
	f.store.PutObject(t.Context(), "bkt", "pre/ok.txt", bytes.NewReader([]byte("ok")), 2, ks3.PutOptions{})
	f.store.PutObject(t.Context(), "bkt", "pre/link/evil.txt", bytes.NewReader([]byte("evil")), 4, ks3.PutOptions{})
	s := f.syncer(t, pull)
	res, _ := s.Run(t.Context(), "run")
	if res == nil || res.Counts.Downloaded != 1 || res.Counts.Failed != 1 || !strings.Contains(strings.Join(res.Errors, "\n"), "link/evil.txt") {
		t.Fatalf("want ok.txt downloaded and link/evil.txt failed, got %+v", res)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("wrote through the link: %v", entries)
	}
}

// A both pair's folder emptied by the user propagates its deletions, by a
// full pass and by a watch pass (its folder marker says so); a push pair's
// never does. An empty folder that is another folder (a mount point whose
// disk is gone) never does either, and a push pass over it fails, naming
// it, since its identity differs from the one recorded.
func TestEmptiedRootPropagatesUnmountedDoesNot(t *testing.T) {
	for _, dir := range []planner.Direction{planner.Push, planner.Both} {
		for _, watchPass := range []bool{false, true} {
			for _, unmounted := range []bool{false, true} {
				name := fmt.Sprintf("%s, watch pass %v, unmounted %v", dir, watchPass, unmounted)
				f := newFixture(t)
				f.write(t, "a", []byte("a"))
				f.write(t, "b/c", []byte("c"))
				s := f.syncer(t, func(o *Options) { o.Delete, o.Direction, o.Host = planner.Propagate, dir, "h" })
				if _, err := s.Run(t.Context(), "run"); err != nil {
					t.Fatal(err)
				}
				_, err := os.Stat(filepath.Join(f.root, ".ks3sync", "folder"))
				if marked := err == nil; marked != (dir == planner.Both) {
					t.Fatalf("%s: folder marker after the first pass: %v", name, err)
				}
				os.RemoveAll(filepath.Join(f.root, "a"))
				os.RemoveAll(filepath.Join(f.root, "b"))
				if unmounted {
					// The disk's folder goes, with its marker; an empty
					// mount point is left at its path.
					if err := os.Rename(f.root, f.root+".disk"); err != nil {
						t.Fatal(err)
					}
					if err := os.Mkdir(f.root, 0o755); err != nil {
						t.Fatal(err)
					}
				}
				if watchPass {
					_, err = s.RunPaths(t.Context(), []string{"a", "b"})
				} else {
					_, err = s.Run(t.Context(), "run")
				}
				switch {
				case unmounted && dir == planner.Push:
					if !errors.Is(err, ErrFolderReplaced) || !strings.Contains(err.Error(), f.root) || !strings.Contains(err.Error(), "mount") {
						t.Errorf("%s: err = %v, want ErrFolderReplaced naming the folder", name, err)
					}
				case err != nil:
					t.Fatalf("%s: %v", name, err)
				}
				want := 0
				if unmounted || dir == planner.Push {
					want = 2
				}
				if len(f.store.objects) != want {
					t.Errorf("%s: objects = %d after emptying the root, want %d", name, len(f.store.objects), want)
				}
				if _, err := os.Stat(filepath.Join(f.root, ".ks3sync")); unmounted && err == nil {
					t.Errorf("%s: an empty folder that is not the synced one was marked", name)
				}
			}
		}
	}
}

// A pull places files through localfs.Pending: the recorded mtime, 0644 for
// a new file, the old mode for a replaced one, and no temporary file left.
func TestPullPlacesWithMTimeAndMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no Unix permission bits")
	}
	f := newFixture(t)
	f.write(t, "doc.txt", []byte("first"))
	mtime := time.Unix(1700000000, 123456789)
	if err := os.Chtimes(filepath.Join(f.root, "doc.txt"), mtime, mtime); err != nil {
		t.Fatal(err)
	}
	if _, err := f.syncer(t, nil).Run(t.Context(), "run"); err != nil {
		t.Fatal(err)
	}
	dst := newFixture(t)
	dst.store = f.store
	pull := func() {
		t.Helper()
		res, err := dst.syncer(t, func(o *Options) { o.Direction = planner.Pull }).Run(t.Context(), "run")
		if err != nil || res.Counts.Downloaded != 1 || res.Counts.Failed != 0 {
			t.Fatalf("pull: %+v, %v", res.Counts, err)
		}
	}
	pull()
	got := filepath.Join(dst.root, "doc.txt")
	fi, err := os.Stat(got)
	if err != nil || !fi.ModTime().Equal(mtime) || fi.Mode().Perm() != 0o644 {
		t.Fatalf("new file: %v, %v; want mtime %v, mode 0644", fi, err, mtime)
	}
	if err := os.Chmod(got, 0o600); err != nil {
		t.Fatal(err)
	}
	f.write(t, "doc.txt", []byte("second version"))
	if _, err := f.syncer(t, nil).Run(t.Context(), "run"); err != nil {
		t.Fatal(err)
	}
	pull()
	if data, err := os.ReadFile(got); err != nil || string(data) != "second version" {
		t.Fatalf("replaced file holds %q, %v", data, err)
	}
	if fi, err := os.Stat(got); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("replaced file: %v, %v; want its mode 0600 kept", fi, err)
	}
	if entries, _ := os.ReadDir(dst.root); len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}

// A pass that finds the tree already in the bucket (a lost state database)
// records the paths whose two sides agree window by window, before the
// guards have seen the whole pass: even a pass the max_overwrite guard
// refuses has recorded them, and has changed neither side.
func TestLostStateRecordsAgreedPaths(t *testing.T) {
	f := newFixture(t)
	for i := range 30 {
		f.write(t, fmt.Sprintf("d%d/f%02d.txt", i%3, i), []byte(fmt.Sprintf("file %d", i)))
	}
	if _, err := f.syncer(t, nil).Run(t.Context(), "run"); err != nil {
		t.Fatal(err)
	}
	for i := range 20 { // rewritten while the state database was lost
		f.write(t, fmt.Sprintf("d%d/f%02d.txt", i%3, i), []byte(fmt.Sprintf("new content %d", i)))
	}
	fresh := newFixture(t)
	fresh.root, fresh.store = f.root, f.store
	s := fresh.syncer(t, func(o *Options) { o.MaxOverwrite = planner.MaxOverwrite{Percent: 50} })
	res, err := s.Run(t.Context(), "run")
	var refused *RefusedError
	if !errors.As(err, &refused) || res.Counts.Uploaded != 0 || res.Counts.Skipped != 10 {
		t.Fatalf("pass over a lost state with 20 of 30 files rewritten: %+v, %v", res.Counts, err)
	}
	n := 0
	for b, err := range fresh.db.Base(t.Context(), "p") {
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(b.Path, "d") || b.Path[len(b.Path)-6:len(b.Path)-4] < "20" {
			t.Errorf("recorded %s, which differs between the sides", b.Path)
		}
		n++
	}
	if n != 10 {
		t.Errorf("%d base entries recorded, want the 10 files that agree", n)
	}
}
