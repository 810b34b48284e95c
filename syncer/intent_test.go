package syncer

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/planner"
)

func propagate(o *Options) { o.Delete = planner.Propagate }

// A file whose upload the server stored but the run never heard of (the
// process was killed as the answer came), deleted before the next run:
// the next run knows the object for its own upload and deletes it, where
// without the intent a push would take it for someone else's object.
func TestUnrecordedUploadThenDeleted(t *testing.T) {
	for _, c := range []struct {
		name string
		size int
		key  bool
	}{{"single", 10 << 10, false}, {"multipart", 700 << 10, false}, {"encrypted", 10 << 10, true}} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			mut := func(o *Options) {
				propagate(o)
				if c.key {
					o.Key = &testKey
				}
			}
			f.write(t, "keep.txt", []byte("keep"))
			f.write(t, "n/new.bin", randomBytes(3, c.size))
			f.store.loseAnswers = true
			if res, _ := f.syncer(t, mut).Run(t.Context(), "run"); res.Counts.Failed == 0 {
				t.Fatalf("the run with lost answers did not fail: %+v", res)
			}
			f.store.loseAnswers = false
			if c.name == "multipart" {
				// Only the upload began; no part went up.
				if len(f.store.uploads) != 1 {
					t.Fatalf("uploads on the server: %d, want the one begun", len(f.store.uploads))
				}
			} else if _, ok := f.store.objects["pre/n/new.bin"]; !ok {
				t.Fatal("the object was not stored")
			}
			os.Remove(filepath.Join(f.root, "n", "new.bin"))
			if _, err := f.syncer(t, mut).Run(t.Context(), "run"); err != nil {
				t.Fatal(err)
			}
			if _, ok := f.store.objects["pre/n/new.bin"]; ok {
				t.Error("the object of the deleted file is still in the bucket")
			}
			if len(f.store.uploads) != 0 {
				t.Errorf("%d unfinished uploads left", len(f.store.uploads))
			}
			if _, ok := f.store.objects["pre/keep.txt"]; !ok {
				t.Error("keep.txt was not uploaded")
			}
		})
	}
}

// A new version stored but not recorded, then the file rewritten again:
// the next run uploads the newest content, and leaves nothing unfinished.
func TestUnrecordedMultipartThenRewritten(t *testing.T) {
	f := newFixture(t)
	f.write(t, "big.bin", randomBytes(4, 700<<10))
	f.store.loseAnswers = true
	f.syncer(t, propagate).Run(t.Context(), "run")
	f.store.loseAnswers = false
	want := randomBytes(5, 800<<10)
	f.write(t, "big.bin", want)
	if res, err := f.syncer(t, propagate).Run(t.Context(), "run"); err != nil || res.Counts.Uploaded != 1 {
		t.Fatalf("run: %+v, %v", res, err)
	}
	if got := f.store.objects["pre/big.bin"].data; string(got) != string(want) {
		t.Error("the object is not the newest content")
	}
	if len(f.store.uploads) != 0 {
		t.Errorf("%d unfinished uploads left", len(f.store.uploads))
	}
	var n int
	for range f.db.Intents(t.Context(), "p") {
		n++
	}
	if n != 0 {
		t.Errorf("%d intents left after a clean run", n)
	}
}

// A download renamed into place whose base entry was never written (the
// process was killed in between) is known for the object's copy by the
// next pass: the object rewritten since is downloaded over it without a
// conflict copy, and the object deleted since is deleted locally.
func TestUnrecordedDownloadThenChanged(t *testing.T) {
	for _, c := range []struct {
		name string
		key  bool
	}{{"plain", false}, {"encrypted", true}} {
		t.Run(c.name, func(t *testing.T) {
			enc := func(o *Options) {
				propagate(o)
				if c.key {
					o.Key = &testKey
				}
			}
			src := newFixture(t)
			src.write(t, "a.txt", []byte("first a"))
			src.write(t, "d/b.txt", []byte("first b"))
			if _, err := src.syncer(t, enc).Run(t.Context(), "run"); err != nil {
				t.Fatal(err)
			}
			dst := newFixture(t)
			dst.store = src.store
			pullEnc := func(o *Options) { enc(o); pull(o) }
			placedHook = func(string) error { return errors.New("killed after the rename") }
			res, _ := dst.syncer(t, pullEnc).Run(t.Context(), "run")
			placedHook = nil
			if res.Counts.Failed != 2 {
				t.Fatalf("the killed pull: %+v", res.Counts)
			}
			src.write(t, "a.txt", []byte("second a, longer"))
			os.Remove(filepath.Join(src.root, "d", "b.txt"))
			if _, err := src.syncer(t, enc).Run(t.Context(), "run"); err != nil {
				t.Fatal(err)
			}
			res, err := dst.syncer(t, pullEnc).Run(t.Context(), "run")
			if err != nil || res.Counts.Failed != 0 || res.Counts.Conflicts != 0 {
				t.Fatalf("the pull after: %+v, %v", res.Counts, err)
			}
			if got, _ := os.ReadFile(filepath.Join(dst.root, "a.txt")); string(got) != "second a, longer" {
				t.Errorf("a.txt = %q, want the object's new content", got)
			}
			if _, err := os.Stat(filepath.Join(dst.root, "d", "b.txt")); !os.IsNotExist(err) {
				t.Errorf("d/b.txt is still there after its object was deleted: %v", err)
			}
			entries, _ := os.ReadDir(dst.root)
			for _, e := range entries {
				if conflictCopy(e.Name()) {
					t.Errorf("conflict copy %s", e.Name())
				}
			}
		})
	}
}

func conflictCopy(name string) bool { return strings.Contains(name, ".conflict-") }

// sharedStore returns a fixture that pushed rel with data, and a second
// fixture (another device) on the same store that has not synced yet. The
// file is dated an hour back, so that no fingerprint of it is racy (see
// racyWindow) and only the checks under test can notice an edit.
func sharedStore(t *testing.T, mut func(*Options), rel string, data []byte) (src, dst *fixture) {
	t.Helper()
	src = newFixture(t)
	src.write(t, rel, data)
	long := time.Now().Add(-time.Hour)
	if err := os.Chtimes(filepath.Join(src.root, filepath.FromSlash(rel)), long, long); err != nil {
		t.Fatal(err)
	}
	if _, err := src.syncer(t, mut).Run(t.Context(), "run"); err != nil {
		t.Fatal(err)
	}
	dst = newFixture(t)
	dst.store = src.store
	return src, dst
}

// editKeepingSize rewrites rel of f with edit (of the same size) and an
// mtime 300 ms after the file's: a user's edit that a filesystem with
// coarse times, or a check with a tolerance, could take for the old file.
func editKeepingSize(f *fixture, rel string, edit []byte) error {
	p := filepath.Join(f.root, filepath.FromSlash(rel))
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	if err := os.WriteFile(p, edit, 0o644); err != nil {
		return err
	}
	at := fi.ModTime().Add(300 * time.Millisecond)
	return os.Chtimes(p, at, at)
}

// An edit that lands on a downloaded file right after its rename, with the
// same size and an mtime less than a second from the object's, is not taken
// for the downloaded content: the pass does not record it as the base, and
// the passes after find the edit and upload it (it would otherwise never
// leave this device).
func TestEditRightAfterDownloadIsNotTakenForIt(t *testing.T) {
	both := func(o *Options) { o.Direction = planner.Both }
	src, dst := sharedStore(t, both, "a.txt", []byte("0123456789"))
	edit := []byte("abcdefghij")
	placedHook = func(rel string) error { return editKeepingSize(dst, rel, edit) }
	dst.syncer(t, both).Run(t.Context(), "run")
	placedHook = nil
	// Without a base, the edit and the object are a conflict: the next
	// pass keeps the edit as a conflict copy, the one after uploads it.
	for range 2 {
		if _, err := dst.syncer(t, both).Run(t.Context(), "run"); err != nil {
			t.Fatal(err)
		}
	}
	found := false
	for key, o := range src.store.objects {
		if bytes.Equal(o.data, edit) {
			found = true
			t.Logf("the edit went up as %s", key)
		}
	}
	if !found {
		t.Error("the edit made right after the download never reached the bucket")
	}
}

// onSettle is a watcher stand-in that runs fn, once, at the moment it
// learns that ks3sync's write of a path is done, as a user could act then.
type onSettle struct {
	fn   func(rel string)
	done bool
}

func (e *onSettle) Suppress(string, time.Time) {}

func (e *onSettle) Settle(rel string) {
	if !e.done {
		e.done = true
		e.fn(rel)
	}
}

// An edit that lands after a download was recorded, before the watcher
// knows what the download left (whose events it drops until then), fails
// the download for a retry instead of going unseen; the retry uploads the
// edit over the object it was made on.
func TestEditBeforeTheWatcherSettlesIsRetried(t *testing.T) {
	both := func(o *Options) { o.Direction = planner.Both }
	src, dst := sharedStore(t, both, "a.txt", []byte("0123456789"))
	edit := []byte("abcdefghij")
	echoes := &onSettle{fn: func(rel string) { editKeepingSize(dst, rel, edit) }}
	res, _ := dst.syncer(t, func(o *Options) { both(o); o.Echoes = echoes }).Run(t.Context(), "run")
	if res.Counts.Failed != 1 {
		t.Fatalf("the download edited before the watcher settled: %+v, want it failed for a retry", res.Counts)
	}
	res, err := dst.syncer(t, both).Run(t.Context(), "run")
	if err != nil || res.Counts.Uploaded != 1 || res.Counts.Conflicts != 0 {
		t.Fatalf("the retry: %+v, %v; want the edit uploaded", res.Counts, err)
	}
	if got := src.store.objects["pre/a.txt"].data; !bytes.Equal(got, edit) {
		t.Errorf("object = %q, want the edit", got)
	}
}

// A file created again right after a remote deletion was applied, before
// the watcher knows the deletion is done, fails the deletion for a retry
// instead of going unseen; the retry uploads the new file.
func TestRecreatedBeforeTheWatcherSettlesIsRetried(t *testing.T) {
	both := func(o *Options) { o.Direction = planner.Both; o.Delete = planner.Propagate }
	src, dst := sharedStore(t, both, "a.txt", []byte("first"))
	if _, err := dst.syncer(t, both).Run(t.Context(), "run"); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(src.root, "a.txt"))
	if _, err := src.syncer(t, both).Run(t.Context(), "run"); err != nil {
		t.Fatal(err)
	}
	again := []byte("made again")
	echoes := &onSettle{fn: func(rel string) { os.WriteFile(filepath.Join(dst.root, filepath.FromSlash(rel)), again, 0o644) }}
	res, _ := dst.syncer(t, func(o *Options) { both(o); o.Echoes = echoes }).Run(t.Context(), "run")
	if res.Counts.Failed != 1 {
		t.Fatalf("the deletion followed by a new file: %+v, want it failed for a retry", res.Counts)
	}
	res, err := dst.syncer(t, both).Run(t.Context(), "run")
	if err != nil || res.Counts.Uploaded != 1 {
		t.Fatalf("the retry: %+v, %v; want the new file uploaded", res.Counts, err)
	}
	if got := src.store.objects["pre/a.txt"].data; !bytes.Equal(got, again) {
		t.Errorf("object = %q, want the new file", got)
	}
}

// A file synced within racyWindow of its last write is recorded with a
// change time no file has, so that the next look hashes it: a second
// write of the same size in the same tick of the filesystem's clock would
// leave the same fingerprint. A file left alone is then only touched (no
// transfer); an older file's fingerprint is trusted as it is.
func TestRacyFingerprintIsHashedNextTime(t *testing.T) {
	f := newFixture(t)
	f.write(t, "new.txt", []byte("just written"))
	f.write(t, "old.txt", []byte("written long ago"))
	long := time.Now().Add(-time.Hour)
	os.Chtimes(filepath.Join(f.root, "old.txt"), long, long)
	if _, err := f.syncer(t, nil).Run(t.Context(), "run"); err != nil {
		t.Fatal(err)
	}
	for path, racy := range map[string]bool{"new.txt": true, "old.txt": false} {
		b, ok, err := f.db.GetBase(t.Context(), "p", path)
		if err != nil || !ok {
			t.Fatalf("%s: no base (%v)", path, err)
		}
		if got := b.LocalCTime == racyCTime; got != racy {
			t.Errorf("%s: recorded as racy = %v, want %v", path, got, racy)
		}
	}
	res, err := f.syncer(t, nil).Run(t.Context(), "run")
	if err != nil || res.Counts.Uploaded != 0 || res.Counts.Failed != 0 {
		t.Errorf("the next pass over the racy file: %+v, %v; want nothing transferred", res.Counts, err)
	}
}
