package history

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/ks3server/ks3servertest"
)

// bkt is the bucket of the tests.
const bkt = "hist"

// testBucket starts a server with one bucket and returns a client for it.
func testBucket(t *testing.T) (*ks3.Client, *ks3servertest.Harness) {
	t.Helper()
	h := ks3servertest.Start(t)
	c, err := ks3.New(ks3.Options{Endpoint: h.URL, AccessKey: ks3servertest.AccessKey, SecretKey: ks3servertest.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CreateBucket(t.Context(), bkt, ks3.CreateBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	return c, h
}

func put(t *testing.T, c *ks3.Client, key string, data []byte, meta map[string]string) {
	t.Helper()
	if _, err := c.PutObject(t.Context(), bkt, key, bytes.NewReader(data), int64(len(data)), ks3.PutOptions{ContentType: "text/plain", Metadata: meta}); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, c *ks3.Client, key string) ([]byte, *ks3.Object) {
	t.Helper()
	obj, err := c.GetObject(t.Context(), bkt, key, ks3.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Body.Close()
	data, err := io.ReadAll(obj.Body)
	if err != nil {
		t.Fatal(err)
	}
	return data, obj
}

func head(t *testing.T, c *ks3.Client, key string) *ks3.ObjectInfo {
	t.Helper()
	info, err := c.HeadObject(t.Context(), bkt, key)
	if err != nil {
		t.Fatal(err)
	}
	return info
}

func collect(t *testing.T, seq func(func(Version, error) bool)) []Version {
	t.Helper()
	var out []Version
	for v, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func TestKeep(t *testing.T) {
	c, h := testBucket(t)
	a := Area{Bucket: bkt, Prefix: "p/"}
	encMeta := map[string]string{"iv": "AAAAAAAAAAAAAAAAAAAAAA==", "key": "k", "unencrypted-content-length": "3", "md5": "0123456789abcdef0123456789abcdef"}
	put(t, c, "p/docs/enc.bin", []byte("ciphertext-bytes"), encMeta)
	put(t, c, "p/plain.txt", []byte("plain"), nil) // no mtime metadata
	now := time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)

	for _, tc := range []struct {
		name      string
		threshold int64
		data      []byte
	}{{"docs/enc.bin", 0, []byte("ciphertext-bytes")}, {"plain.txt", 0, []byte("plain")}} {
		info := head(t, c, "p/"+tc.name)
		written := info.LastModified.Add(123 * time.Millisecond)
		k := &Keeper{Copier: c, Area: a, Host: "laptop"}
		h.ResetStats()
		v, err := k.Keep(t.Context(), Source{Name: tc.name, Info: info, Written: written}, Deleted, now)
		if err != nil {
			t.Fatal(err)
		}
		if n := h.Stats().Requests["CopyObject"]; n != 1 || len(h.Stats().Requests) != 1 {
			t.Errorf("keep sent %v, want one CopyObject", h.Stats().Requests)
		}
		if v.Key != a.Key(v) || v.Displaced.IsZero() || !v.Written.Equal(written) || v.Host != "laptop" || v.Cause != Deleted {
			t.Errorf("kept %+v", v)
		}
		data, obj := read(t, c, v.Key)
		if !bytes.Equal(data, tc.data) || obj.ContentType != "text/plain" {
			t.Errorf("%s: kept %q (%s), want %q", tc.name, data, obj.ContentType, tc.data)
		}
		m := obj.Metadata
		if m["ks3sync-key"] != "p/"+tc.name || m["ks3sync-cause"] != "deleted" || m["ks3sync-host"] != "laptop" ||
			m["ks3sync-displaced"] != "2026-11-25T03:00:00Z" || m["ks3sync-written"] != written.UTC().Format(time.RFC3339Nano) {
			t.Errorf("%s: history metadata %v", tc.name, m)
		}
		if tc.name == "docs/enc.bin" {
			for k, want := range encMeta {
				if m[k] != want {
					t.Errorf("encryption metadata %s = %q, want %q unchanged", k, m[k], want)
				}
			}
		} else if m["mtime"] == "" {
			t.Errorf("an object without mtime was kept without one: %v", m)
		}
		if got, ok := a.Parse(v.Key, obj.Size, obj.ETag, obj.LastModified); !ok || got.Name != tc.name {
			t.Errorf("the kept key does not parse back: %+v %v", got, ok)
		}
	}
}

func TestKeepInParts(t *testing.T) {
	c, h := testBucket(t)
	a := Area{Bucket: bkt, Prefix: ""}
	data := bytes.Repeat([]byte("0123456789"), 25_000)
	put(t, c, "big.bin", data, map[string]string{"md5": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "mtime": "1700000000.000000000"})
	k := &Keeper{Copier: c, Area: a, Host: "h", CopyThreshold: 100 << 10, CopyPartSize: 100 << 10}
	h.ResetStats()
	v, err := k.Keep(t.Context(), Source{Name: "big.bin", Info: head(t, c, "big.bin")}, Replaced, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	st := h.Stats().Requests
	if st["UploadPartCopy"] != 3 || st["CopyObject"] != 0 || st["CompleteMultipartUpload"] != 1 {
		t.Errorf("requests %v, want a copy in 3 parts", st)
	}
	got, obj := read(t, c, v.Key)
	if !bytes.Equal(got, data) || obj.Metadata["mtime"] != "1700000000.000000000" || obj.Metadata["ks3sync-cause"] != "replaced" {
		t.Errorf("kept %d bytes with metadata %v", len(got), obj.Metadata)
	}
}

func TestKeepMissingSourceFails(t *testing.T) {
	c, _ := testBucket(t)
	k := &Keeper{Copier: c, Area: Area{Bucket: bkt}, Host: "h"}
	info := &ks3.ObjectInfo{Key: "gone", Size: 3, LastModified: time.Now()}
	_, err := k.Keep(t.Context(), Source{Name: "gone", Info: info}, Deleted, time.Now())
	if !ks3.IsNotFound(err) {
		t.Errorf("err = %v, want not found", err)
	}
	if _, err := k.Keep(t.Context(), Source{Name: "dir/", Info: info}, Deleted, time.Now()); err == nil {
		t.Error("a folder marker was kept")
	}
}

func TestListAndCurrent(t *testing.T) {
	c, _ := testBucket(t)
	a := Area{Bucket: bkt, Prefix: "p/"}
	for _, key := range []string{"p/a.txt", "p/docs/b.txt", "p/docs.txt", "p/-first", "p/zz", "p/dir/", "q/other",
		"p/.ks3sync/history/docs/b.txt/20261125T024100.000Z_h_replaced",
		"p/.ks3sync/history/a.txt/20261125T024100.000Z_h_deleted",
		"p/.ks3sync/history/a.txt/notes", // not a version
		"p/.ks3sync/journal/x",
	} {
		put(t, c, key, []byte("x"), nil)
	}
	names := func(vs []Version) (out []string) {
		for _, v := range vs {
			out = append(out, v.Name)
		}
		return out
	}
	if got := names(collect(t, Current(t.Context(), c, a, ""))); !equal(got, "-first", "a.txt", "docs.txt", "docs/b.txt", "zz") {
		t.Errorf("Current = %q", got)
	}
	if got := names(collect(t, Current(t.Context(), c, a, "docs"))); !equal(got, "docs/b.txt") {
		t.Errorf("Current(docs) = %q", got)
	}
	var foreign []string
	got := collect(t, List(t.Context(), c, a, ListOptions{Foreign: func(k string) { foreign = append(foreign, k) }}))
	if !equal(names(got), "a.txt", "docs/b.txt") || !equal(foreign, "p/.ks3sync/history/a.txt/notes") {
		t.Errorf("List = %q, foreign %q", names(got), foreign)
	}
	if got[0].Displaced.IsZero() || got[0].Cause != Deleted {
		t.Errorf("listed version %+v", got[0])
	}
	if got := names(collect(t, List(t.Context(), c, a, ListOptions{Under: "docs/"}))); !equal(got, "docs/b.txt") {
		t.Errorf("List(docs/) = %q", got)
	}
}

func equal(got []string, want ...string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

// keepAt writes a kept version of name directly, displaced now (the test
// server's clock), written at w.
func keepAt(t *testing.T, c *ks3.Client, a Area, name string, w time.Time, cause Cause) Version {
	t.Helper()
	v := Version{Name: name, Written: w, Host: "h", Cause: cause}
	v.Key = a.Key(v)
	put(t, c, v.Key, []byte(name), nil)
	return v
}

func TestPrune(t *testing.T) {
	c, h := testBucket(t)
	a := Area{Bucket: bkt, Prefix: "p/"}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 4 {
		keepAt(t, c, a, "f.txt", base.Add(time.Duration(i)*time.Hour), Replaced)
		keepAt(t, c, a, "dir/g.txt", base.Add(time.Duration(i)*time.Hour), Replaced)
	}
	keepAt(t, c, a, "dir", base, Deleted) // "dir" was a file before it was a folder
	put(t, c, "p/.ks3sync/history/f.txt/readme", []byte("not ours"), nil)
	all := len(collect(t, List(t.Context(), c, a, ListOptions{})))

	policy := Policy{Versions: 2} // every version is older than keep: only versions count
	if _, err := Prune(t.Context(), c, a, PruneOptions{Now: time.Now()}); err != ErrHistoryOff {
		t.Errorf("prune with history off: %v, want ErrHistoryOff", err)
	}
	var reported []string
	res, err := Prune(t.Context(), c, a, PruneOptions{Policy: policy, Now: time.Now(), DryRun: true,
		Report: func(v Version) { reported = append(reported, v.Key) }})
	if err != nil || res.Deleted != 4 || res.Kept != 5 || len(reported) != 4 || res.Next != "" {
		t.Fatalf("dry run: %+v, %v, reported %q", res, err, reported)
	}
	if n := len(collect(t, List(t.Context(), c, a, ListOptions{}))); n != all {
		t.Fatalf("dry run deleted: %d versions left of %d", n, all)
	}
	h.ResetStats()
	res, err = Prune(t.Context(), c, a, PruneOptions{Policy: policy, Now: time.Now()})
	if err != nil || res.Deleted != 4 || res.DeletedBytes != 2*5+2*9 {
		t.Fatalf("prune: %+v, %v", res, err)
	}
	if n := h.Stats().Requests["DeleteObjects"]; n != 1 {
		t.Errorf("%d DeleteObjects requests, want one batch", n)
	}
	left := collect(t, List(t.Context(), c, a, ListOptions{}))
	var got []string
	for _, v := range left {
		got = append(got, v.Name+"@"+v.Written.Format("15"))
	}
	if !equal(got, "dir@00", "dir/g.txt@02", "dir/g.txt@03", "f.txt@02", "f.txt@03") {
		t.Errorf("left %q", got)
	}
	if _, err := c.HeadObject(t.Context(), bkt, "p/.ks3sync/history/f.txt/readme"); err != nil {
		t.Errorf("an object that is not a version was touched: %v", err)
	}
}

// TestPruneBounded: a bounded prune goes through the area in slices and
// ends where an unbounded one would.
func TestPruneBounded(t *testing.T) {
	c, _ := testBucket(t)
	a := Area{Bucket: bkt, Prefix: ""}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, name := range []string{"a", "b", "c", "d", "e"} {
		for i := range 3 {
			keepAt(t, c, a, name, base.Add(time.Duration(i)*time.Minute), Replaced)
		}
	}
	policy := Policy{Versions: 1}
	after, rounds, deleted := "", 0, 0
	for {
		res, err := Prune(t.Context(), c, a, PruneOptions{Policy: policy, Now: time.Now(), After: after, MaxKeys: 4})
		if err != nil {
			t.Fatal(err)
		}
		rounds++
		deleted += res.Deleted
		if res.Next == "" || rounds > 10 {
			break
		}
		after = res.Next
	}
	if rounds < 3 || rounds > 10 {
		t.Errorf("%d rounds of at most 4 keys over 15 versions", rounds)
	}
	left := collect(t, List(t.Context(), c, a, ListOptions{}))
	// A round that starts inside a name leaves that name for a later pass;
	// a full prune finishes the job.
	res, err := Prune(context.Background(), c, a, PruneOptions{Policy: policy, Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if deleted+res.Deleted != 10 || len(left)-res.Deleted != 5 {
		t.Errorf("bounded rounds deleted %d, the full prune %d more (of %d left); want 10 in all, one version per name left", deleted, res.Deleted, len(left))
	}
}
