package syncer

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/localfs"
	"github.com/ks3sync/ks3sync/objmeta"
	"github.com/ks3sync/ks3sync/planner"
	"github.com/ks3sync/ks3sync/state"
)

var testKey = ks3crypto.Key{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}

func pull(o *Options) { o.Direction = planner.Pull }

// temps lists ks3sync's temporary files under root.
func temps(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && localfs.IsTemp(d.Name()) {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func TestMissingLocalRootIsAnError(t *testing.T) {
	f := newFixture(t)
	f.store.objects["pre/a.txt"] = fakeObject{data: []byte("a"), info: ks3.ObjectInfo{Key: "pre/a.txt", Size: 1, ETag: etagOf([]byte("a"))}}
	missing := filepath.Join(f.root, "not-mounted")
	for _, dir := range []planner.Direction{planner.Push, planner.Pull, planner.Both} {
		s := f.syncer(t, func(o *Options) { o.Root, o.Direction, o.Delete = missing, dir, planner.Propagate })
		res, err := s.Run(t.Context(), "run")
		if !errors.Is(err, ErrLocalRootMissing) || !strings.Contains(err.Error(), missing) {
			t.Errorf("%s into a missing folder: %v, want ErrLocalRootMissing naming %s", dir, err, missing)
		}
		if res == nil || len(res.Errors) == 0 {
			t.Errorf("%s: the run result records no error: %+v", dir, res)
		}
		if _, err := s.RunPaths(t.Context(), []string{"a.txt"}); !errors.Is(err, ErrLocalRootMissing) {
			t.Errorf("%s: watch pass into a missing folder: %v", dir, err)
		}
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Error("a pass created the missing folder")
	}
	if _, ok := f.store.objects["pre/a.txt"]; !ok {
		t.Error("a pass over a missing folder deleted the remote object")
	}
	empty := f.syncer(t, nil) // an empty folder that exists is not an error
	if _, err := empty.Run(t.Context(), "run"); err != nil {
		t.Errorf("an empty folder: %v", err)
	}
}

func TestPullNeverWritesThroughSymlinks(t *testing.T) {
	for _, follow := range []bool{false, true} {
		f := newFixture(t)
		elsewhere := t.TempDir()
		victim := filepath.Join(elsewhere, "victim.txt")
		if err := os.WriteFile(victim, []byte("precious"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(elsewhere, filepath.Join(f.root, "link")); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
		if err := os.Symlink(victim, filepath.Join(f.root, "flink")); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"pre/link/evil.txt", "pre/link/victim.txt", "pre/flink", "pre/ok.txt"} {
			f.store.store(k, []byte("remote "+k), etagOf([]byte("remote "+k)), ks3.PutOptions{})
		}
		s := f.syncer(t, func(o *Options) { o.Direction, o.FollowSymlinks = planner.Pull, follow })
		res, err := s.Run(t.Context(), "run")
		if err != nil {
			t.Fatalf("follow %v: %v", follow, err)
		}
		if got, _ := os.ReadFile(victim); string(got) != "precious" {
			t.Errorf("follow %v: the file behind the link was overwritten with %q", follow, got)
		}
		if _, err := os.Stat(filepath.Join(elsewhere, "evil.txt")); !os.IsNotExist(err) {
			t.Errorf("follow %v: a file was written outside the root", follow)
		}
		if fi, err := os.Lstat(filepath.Join(f.root, "flink")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("follow %v: the link to a file was replaced", follow)
		}
		if got, _ := os.ReadFile(filepath.Join(f.root, "ok.txt")); string(got) != "remote pre/ok.txt" {
			t.Errorf("follow %v: ok.txt not downloaded", follow)
		}
		if follow && (res.Counts.Failed != 3 || !strings.Contains(strings.Join(res.Errors, "\n"), localfs.ErrSymlink.Error())) {
			t.Errorf("followed links: %d failed, errors %q; want the three refused", res.Counts.Failed, res.Errors)
		}
	}
}

func TestLocalPathGuardFailsTheItem(t *testing.T) {
	f := newFixture(t)
	f.store.store("pre/x", []byte("x"), etagOf([]byte("x")), ks3.PutOptions{})
	s := f.syncer(t, pull)
	remote := &planner.RemoteEntry{Key: "pre/x", Size: 1, ETag: etagOf([]byte("x"))}
	plan := &planner.Result{Counts: map[planner.ActionKind]int{}, Actions: []planner.Action{
		{Kind: planner.Download, Path: "../escape.txt", Key: "pre/x", Remote: remote},
		{Kind: planner.DeleteLocal, Path: "../../victim.txt", Key: "pre/y"},
	}}
	victim := filepath.Join(filepath.Dir(filepath.Dir(f.root)), "victim.txt")
	os.WriteFile(victim, []byte("v"), 0o644)
	defer os.Remove(victim)
	var tl tally
	if err := s.execute(t.Context(), plan, &tl); err != nil {
		t.Fatal(err)
	}
	counts, errs, _ := tl.snapshot()
	if counts.Failed != 2 || !strings.Contains(strings.Join(errs, "\n"), "not a path inside the root") {
		t.Errorf("%d failed: %q; want both items refused", counts.Failed, errs)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(f.root), "escape.txt")); !os.IsNotExist(err) {
		t.Error("a download was written outside the root")
	}
	if _, err := os.Stat(victim); err != nil {
		t.Error("a file outside the root was deleted")
	}
}

func TestMalformedEncryptionMetadataIsPlannedAsAnError(t *testing.T) {
	f := newFixture(t)
	f.write(t, "a.txt", []byte("local content"))
	f.write(t, "b.txt", []byte("other"))
	bad := ks3.PutOptions{Metadata: map[string]string{ks3crypto.MetaIV: "not base64!", ks3crypto.MetaKey: testKey.Fingerprint()}}
	f.store.store("pre/a.txt", []byte("0123456789abcdef0123456789abcdef"), "e1", bad)
	f.store.store("pre/b.txt", []byte("0123456789abcdef0123456789abcdef"), "e2", bad)
	s := f.syncer(t, func(o *Options) { o.Direction, o.Key = planner.Both, &testKey })
	res, err := s.Run(t.Context(), "run")
	if err != nil {
		t.Fatal(err)
	}
	if res.Counts.Failed != 2 || res.Counts.Uploaded+res.Counts.Downloaded+res.Counts.Conflicts != 0 {
		t.Errorf("counts %+v; want both objects failed and nothing transferred", res.Counts)
	}
	if msg := strings.Join(res.Errors, "\n"); !strings.Contains(msg, "encryption metadata") || !strings.Contains(msg, "ks3://bkt/pre/a.txt") {
		t.Errorf("errors %q do not say what is wrong with which object", res.Errors)
	}
	if got := f.store.objects["pre/a.txt"].info.ETag; got != "e1" {
		t.Error("the object was overwritten")
	}
	if got, _ := os.ReadFile(filepath.Join(f.root, "a.txt")); string(got) != "local content" {
		t.Error("the local file was touched")
	}
	if n, _ := f.db.CountBase(t.Context(), "p"); n != 0 {
		t.Errorf("%d base entries recorded for objects that cannot be read", n)
	}
}

func TestLockedPassRemovesEveryStaleTemp(t *testing.T) {
	f := newFixture(t)
	f.write(t, "a.txt", []byte("a"))
	f.write(t, "d/.ks3sync-tmp-2001", []byte("left by a killed download a moment ago"))
	f.write(t, "d/.ks3sync-tmp-2002", []byte("partial"))
	if err := f.db.SaveDownload(t.Context(), state.Download{Pair: "p", Path: "d/big.bin", Temp: "d/.ks3sync-tmp-2002",
		Key: "pre/d/big.bin", ETag: "e", Size: 100, Written: 7}); err != nil {
		t.Fatal(err)
	}
	s := f.syncer(t, func(o *Options) { o.LockHeld = true })
	if _, err := s.Run(t.Context(), "run"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(f.root, "d/.ks3sync-tmp-2001")); !os.IsNotExist(err) {
		t.Errorf("a pass holding the lock left a fresh stale temporary file: %v", err)
	}
	// The checkpointed download is gone from the bucket, so the plan does
	// not continue it: its file and checkpoint go too.
	if left := temps(t, f.root); len(left) != 0 {
		t.Errorf("left %q", left)
	}
	if cp, _ := f.db.DownloadFor(t.Context(), "p", "d/big.bin"); cp != nil {
		t.Errorf("the checkpoint of a download no longer planned is still there: %+v", cp)
	}
}

// resumeCase downloads an object whose first GET breaks off, and checks
// that the next pass continues from the last checkpoint with a ranged GET
// and ends with the exact file.
func resumeCase(t *testing.T, f *fixture, key string, want []byte, mut func(*Options)) {
	t.Helper()
	const every = 64 << 10
	f.store.breakBodyAt = 5*every + 1234
	s := f.syncer(t, func(o *Options) { pull(o); mut(o) })
	s.checkpointEvery = every
	res, err := s.Run(t.Context(), "run")
	if err != nil || res.Counts.Failed != 1 {
		t.Fatalf("interrupted pass: %+v, %v", res, err)
	}
	cp, _ := f.db.DownloadFor(t.Context(), "p", "big.bin")
	if cp == nil || cp.Written < 4*every || len(temps(t, f.root)) != 1 {
		t.Fatalf("after the interruption: checkpoint %+v, temporary files %q", cp, temps(t, f.root))
	}
	f.store.ranges = nil
	s = f.syncer(t, func(o *Options) { pull(o); mut(o) })
	s.checkpointEvery = every
	res, err = s.Run(t.Context(), "run")
	if err != nil || res.Counts.Downloaded != 1 {
		t.Fatalf("resumed pass: %+v, %v", res, err)
	}
	if len(f.store.ranges) != 1 || !strings.HasPrefix(f.store.ranges[0], "bytes=") || f.store.ranges[0] == "bytes=0-" {
		t.Errorf("resumed with GETs %q, want one ranged GET past the start", f.store.ranges)
	}
	if got, _ := os.ReadFile(filepath.Join(f.root, "big.bin")); !bytes.Equal(got, want) {
		t.Errorf("resumed file differs (%d bytes, want %d)", len(got), len(want))
	}
	if left := temps(t, f.root); len(left) != 0 {
		t.Errorf("temporary files left: %q", left)
	}
	if cp, _ := f.db.DownloadFor(t.Context(), "p", "big.bin"); cp != nil {
		t.Errorf("checkpoint left: %+v", cp)
	}
}

func TestDownloadResumesAfterAnInterruption(t *testing.T) {
	f := newFixture(t)
	data := randomBytes(7, 1<<20+333)
	f.store.store("pre/big.bin", data, etagOf(data), ks3.PutOptions{Metadata: objmeta.Attrs{MD5: etagOf(data)}.Metadata()})
	resumeCase(t, f, "pre/big.bin", data, func(*Options) {})
}

func TestEncryptedDownloadResumesAtABlockBoundary(t *testing.T) {
	f := newFixture(t)
	data := randomBytes(8, 1<<20+333)
	f.write(t, "big.bin", data)
	withKey := func(o *Options) { o.Key = &testKey }
	if _, err := f.syncer(t, withKey).Run(t.Context(), "run"); err != nil { // push it up encrypted
		t.Fatal(err)
	}
	puller := newFixture(t)
	puller.store = f.store
	resumeCase(t, puller, "pre/big.bin", data, withKey)
}

func TestChangedObjectRestartsTheDownload(t *testing.T) {
	f := newFixture(t)
	old := randomBytes(9, 1<<20)
	f.store.store("pre/big.bin", old, etagOf(old), ks3.PutOptions{})
	f.store.breakBodyAt = 500 << 10
	s := f.syncer(t, pull)
	s.checkpointEvery = 64 << 10
	s.Run(t.Context(), "run")
	torn := temps(t, f.root)
	if len(torn) != 1 {
		t.Fatalf("temporary files %q after the interruption", torn)
	}
	newer := randomBytes(10, 1<<20)
	f.store.store("pre/big.bin", newer, etagOf(newer), ks3.PutOptions{})
	f.store.ranges = nil
	if res, err := s.Run(t.Context(), "run"); err != nil || res.Counts.Downloaded != 1 {
		t.Fatalf("second pass: %+v, %v", res, err)
	}
	if len(f.store.ranges) != 1 || f.store.ranges[0] != "" {
		t.Errorf("GETs %q, want one whole GET of the new version", f.store.ranges)
	}
	if got, _ := os.ReadFile(filepath.Join(f.root, "big.bin")); !bytes.Equal(got, newer) {
		t.Error("the file is not the new version")
	}
	if _, err := os.Stat(torn[0]); !os.IsNotExist(err) {
		t.Error("the temporary file of the old version is still there")
	}
}

func TestTornTempNeverBecomesTheFile(t *testing.T) {
	f := newFixture(t)
	data := randomBytes(11, 1<<20)
	f.store.store("pre/big.bin", data, etagOf(data), ks3.PutOptions{})
	f.store.breakBodyAt = 500 << 10
	s := f.syncer(t, pull)
	s.checkpointEvery = 64 << 10
	s.Run(t.Context(), "run")
	torn := temps(t, f.root)
	if len(torn) != 1 {
		t.Fatalf("temporary files %q", torn)
	}
	// Bytes within the checkpointed part change behind its back (a disk
	// that lied): the whole-file check catches it and the next pass
	// starts over.
	fh, err := os.OpenFile(torn[0], os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fh.WriteAt([]byte("garbage"), 1000)
	fh.Close()
	res, _ := s.Run(t.Context(), "run")
	if res.Counts.Failed != 1 || !strings.Contains(strings.Join(res.Errors, "\n"), "does not match") {
		t.Fatalf("pass over a corrupt temporary file: %+v", res)
	}
	if _, err := os.Stat(filepath.Join(f.root, "big.bin")); !os.IsNotExist(err) {
		t.Fatal("a torn file was placed")
	}
	if res, err := s.Run(t.Context(), "run"); err != nil || res.Counts.Downloaded != 1 {
		t.Fatalf("third pass: %+v, %v", res, err)
	}
	if got, _ := os.ReadFile(filepath.Join(f.root, "big.bin")); !bytes.Equal(got, data) {
		t.Error("the file differs from the object")
	}
}

func TestEndpointDownStopsThePass(t *testing.T) {
	f := newFixture(t)
	for i := range 50 {
		k := "pre/f" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		f.store.store(k, []byte(k), etagOf([]byte(k)), ks3.PutOptions{})
	}
	open := &ks3.CircuitOpenError{Endpoint: "http://ks3.example", Failures: 9, Over: 31 * time.Second,
		Last: &ks3.Error{StatusCode: 500, Code: "InternalError"}}
	f.store.getErr = open
	res, err := f.syncer(t, pull).Run(t.Context(), "run")
	var got *ks3.CircuitOpenError
	if !errors.As(err, &got) || !strings.Contains(err.Error(), "http://ks3.example") {
		t.Fatalf("pass against a dead endpoint: %v, want the breaker's error", err)
	}
	if n := len(f.store.ranges); n > 3 {
		t.Errorf("%d GETs after the endpoint was known to be down, want at most one per worker", n)
	}
	if res.Counts.Failed != 0 {
		t.Errorf("%d items counted failed; the pass error says it all", res.Counts.Failed)
	}
}

func TestEncryptedObjectsCarryAKeyedMD5(t *testing.T) {
	f := newFixture(t)
	small, big := []byte("a small secret"), randomBytes(12, 500<<10)
	f.write(t, "small.txt", small)
	f.write(t, "big.bin", big)
	withKey := func(o *Options) { o.Key = &testKey }
	if _, err := f.syncer(t, withKey).Run(t.Context(), "run"); err != nil {
		t.Fatal(err)
	}
	id := objmeta.NewIdentity(testKey)
	for k, content := range map[string][]byte{"pre/small.txt": small, "pre/big.bin": big} {
		meta := f.store.objects[k].info.Metadata
		if meta["md5"] != "" || !id.Matches(etagOf(content), meta["md5-sealed"]) {
			t.Errorf("%s: metadata %v, want md5-sealed and no clear md5", k, meta)
		}
	}
	// A lost state database: the keyed values still tell that both
	// objects hold the files.
	again := newFixture(t)
	again.root, again.store = f.root, f.store
	calls := f.store.partCalls
	res, err := again.syncer(t, withKey).Run(t.Context(), "run")
	if err != nil || res.Counts.Uploaded != 0 || f.store.partCalls != calls {
		t.Errorf("rebuilt state: %+v, %v; want nothing uploaded", res.Counts, err)
	}
	// A wrong guess does not match: a changed file is uploaded.
	f.write(t, "big.bin", randomBytes(13, 500<<10))
	res, err = again.syncer(t, withKey).Run(t.Context(), "run")
	if err != nil || res.Counts.Uploaded != 1 {
		t.Errorf("changed file: %+v, %v", res.Counts, err)
	}
}

func TestOlderClearMD5IsStillRecognised(t *testing.T) {
	f := newFixture(t)
	big := randomBytes(14, 500<<10)
	f.write(t, "big.bin", big)
	withKey := func(o *Options) { o.Key = &testKey }
	if _, err := f.syncer(t, withKey).Run(t.Context(), "run"); err != nil {
		t.Fatal(err)
	}
	o := f.store.objects["pre/big.bin"] // as an older ks3sync wrote it
	delete(o.info.Metadata, "md5-sealed")
	o.info.Metadata["md5"] = etagOf(big)
	f.store.objects["pre/big.bin"] = o
	again := newFixture(t)
	again.root, again.store = f.root, f.store
	res, err := again.syncer(t, withKey).Run(t.Context(), "run")
	if err != nil || res.Counts.Uploaded != 0 {
		t.Errorf("rebuilt state over an object with a clear md5: %+v, %v; want no upload", res.Counts, err)
	}
	pull := newFixture(t) // and a download of it is checked against it
	pull.store = f.store
	res, err = pull.syncer(t, func(o *Options) { o.Key, o.Direction = &testKey, planner.Pull }).Run(t.Context(), "run")
	if err != nil || res.Counts.Downloaded != 1 {
		t.Errorf("pull: %+v, %v", res.Counts, err)
	}
}

func TestCheckComparesKeyedMD5(t *testing.T) {
	f := newFixture(t)
	big := randomBytes(15, 500<<10)
	f.write(t, "big.bin", big)
	withKey := func(o *Options) { o.Key = &testKey }
	if _, err := f.syncer(t, withKey).Run(t.Context(), "run"); err != nil {
		t.Fatal(err)
	}
	res, err := f.syncer(t, withKey).Check(t.Context(), CheckOptions{})
	if err != nil || len(res.Differences) != 0 {
		t.Fatalf("check of an encrypted multipart object with md5-sealed: %+v, %v", res, err)
	}
	f.write(t, "big.bin", randomBytes(16, 500<<10))
	res, err = f.syncer(t, withKey).Check(t.Context(), CheckOptions{})
	if err != nil || len(res.Differences) != 1 || res.Differences[0].Kind != DiffContent {
		t.Errorf("check after a same-size edit: %+v, %v", res, err)
	}
	missing := f.syncer(t, func(o *Options) { o.Key, o.Root = &testKey, filepath.Join(f.root, "gone") })
	if _, err := missing.Check(t.Context(), CheckOptions{}); !errors.Is(err, ErrLocalRootMissing) {
		t.Errorf("check of a missing folder: %v", err)
	}
}

// A download killed before its first checkpoint continues from the end of
// its temporary file when the object records an MD5 to check the whole
// file against, and from the last checkpoint when it records none.
func TestDownloadResumesPastTheLastCheckpoint(t *testing.T) {
	for _, c := range []struct {
		name, etag string
		wantFrom   string
	}{
		{"md5 recorded", "", "bytes=512000-"},
		{"no md5 recorded", "0123456789abcdef0123456789abcdef-2", "bytes=0-"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			data := randomBytes(12, 2<<20)
			etag := c.etag
			if etag == "" {
				etag = etagOf(data)
			}
			f.store.store("pre/big.bin", data, etag, ks3.PutOptions{})
			f.store.breakBodyAt = 500 << 10
			s := f.syncer(t, pull)
			if res, _ := s.Run(t.Context(), "run"); res.Counts.Failed != 1 {
				t.Fatalf("interrupted pass: %+v", res)
			}
			if cp, _ := f.db.DownloadFor(t.Context(), "p", "big.bin"); cp == nil || cp.Written != 0 {
				t.Fatalf("checkpoint %+v, want one recorded at the start", cp)
			}
			f.store.ranges = nil
			if res, err := s.Run(t.Context(), "run"); err != nil || res.Counts.Downloaded != 1 {
				t.Fatalf("resumed pass: %+v, %v", res, err)
			}
			if n := len(f.store.ranges); n == 0 || f.store.ranges[n-1] != c.wantFrom {
				t.Errorf("GETs %q, want the last from %q", f.store.ranges, c.wantFrom)
			}
			if got, _ := os.ReadFile(filepath.Join(f.root, "big.bin")); !bytes.Equal(got, data) {
				t.Error("the file differs from the object")
			}
		})
	}
}
