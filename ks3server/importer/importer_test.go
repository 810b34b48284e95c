package importer

import (
	"bytes"
	"context"
	"crypto/md5"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3server/store"
)

var testNow = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// writeTree writes files (relative path -> content) under dir.
func writeTree(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for rel, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// openStore opens a store with bucket "bkt".
func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Options{Root: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.CreateBucket(context.Background(), store.Bucket{Name: "bkt", Created: testNow, ACL: "private", Type: "NORMAL"}); err != nil {
		t.Fatal(err)
	}
	return st
}

// read returns the metadata and bytes of bkt/key.
func read(t *testing.T, st *store.Store, key string) (store.Object, []byte) {
	t.Helper()
	h, err := st.OpenObject(context.Background(), "bkt", key)
	if err != nil {
		t.Fatalf("open %q: %v", key, err)
	}
	defer h.Close()
	data, err := io.ReadAll(h.NewReader(0, h.Size))
	if err != nil {
		t.Fatal(err)
	}
	return h.Object, data
}

// keys lists bucket bkt.
func keys(t *testing.T, st *store.Store) []string {
	t.Helper()
	page, err := st.ListObjects(context.Background(), "bkt", store.ListQuery{Max: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range page.Entries {
		out = append(out, o.Key)
	}
	return out
}

func TestImport(t *testing.T) {
	src := t.TempDir()
	large := bytes.Repeat([]byte("L"), store.InlineLimit+100)
	files := map[string][]byte{
		"a.txt": []byte("alpha"), "empty": nil, "dir/b.json": []byte(`{"b":1}`), "dir/sub/c d+e.bin": []byte("c"),
		"dir/large.dat": large, "中文/名.txt": []byte("unicode"),
	}
	writeTree(t, src, files)
	os.Symlink(filepath.Join(src, "a.txt"), filepath.Join(src, "link"))
	os.WriteFile(filepath.Join(src, "bad\xffname"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(src, strings.Repeat("k", 250)), []byte("long name, short key"), 0o644)

	st := openStore(t)
	sum, err := Import(context.Background(), st, "bkt", src, Options{Batch: 3, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Objects != int64(len(files)+1) || sum.Skipped != 2 || len(sum.SkippedPaths) != 2 {
		t.Errorf("summary %+v, want %d objects and 2 skipped (the link and the name that is no UTF-8)", sum, len(files)+1)
	}
	var want []string
	for rel := range files {
		want = append(want, rel)
	}
	want = append(want, strings.Repeat("k", 250))
	slices.Sort(want)
	if got := keys(t, st); !slices.Equal(got, want) {
		t.Errorf("keys %q, want %q", got, want)
	}
	for rel, data := range files {
		o, got := read(t, st, rel)
		if !bytes.Equal(got, data) || o.ETag != fmt.Sprintf("%x", md5.Sum(data)) || o.Size != int64(len(data)) || !o.Modified.Equal(testNow) {
			t.Errorf("%s: %d bytes, ETag %s, size %d, modified %v", rel, len(got), o.ETag, o.Size, o.Modified)
		}
	}
	if o, _ := read(t, st, "dir/b.json"); o.Attrs.ContentType != "application/json" {
		t.Errorf("content type of a .json file: %q", o.Attrs.ContentType)
	}
	if runtime.GOOS == "linux" {
		fi, _ := os.Stat(filepath.Join(src, "dir/large.dat"))
		if n, ok := linkCount(fi); ok && n != 2 {
			t.Errorf("the large file has %d links, want 2 (the file and its blob)", n)
		}
	}
	if sum.Bytes != int64(len(large))+5+7+1+7+20 {
		t.Errorf("%d bytes imported", sum.Bytes)
	}
}

// TestImportReplaces imports twice: the second import replaces the objects
// of the first, and leaves the others.
func TestImportReplaces(t *testing.T) {
	src := t.TempDir()
	writeTree(t, src, map[string][]byte{"k": []byte("v1"), "big": bytes.Repeat([]byte("1"), store.InlineLimit+1)})
	st := openStore(t)
	if _, err := Import(context.Background(), st, "bkt", src, Options{}); err != nil {
		t.Fatal(err)
	}
	other := t.TempDir()
	writeTree(t, other, map[string][]byte{"k": []byte("v2"), "big": bytes.Repeat([]byte("2"), store.InlineLimit+2), "new": []byte("n")})
	if _, err := Import(context.Background(), st, "bkt", other, Options{}); err != nil {
		t.Fatal(err)
	}
	if got := keys(t, st); !slices.Equal(got, []string{"big", "k", "new"}) {
		t.Errorf("keys %q", got)
	}
	if _, got := read(t, st, "k"); string(got) != "v2" {
		t.Errorf("k = %q after the second import", got)
	}
	if _, got := read(t, st, "big"); !bytes.Equal(got, bytes.Repeat([]byte("2"), store.InlineLimit+2)) {
		t.Error("big keeps the first import's bytes")
	}
}

func TestImportErrors(t *testing.T) {
	st := openStore(t)
	if _, err := Import(context.Background(), st, "bkt", filepath.Join(t.TempDir(), "missing"), Options{}); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("import of a missing folder: %v", err)
	}
	src := t.TempDir()
	writeTree(t, src, map[string][]byte{"k": []byte("v")})
	if _, err := Import(context.Background(), st, "nobucket", src, Options{}); err == nil || !strings.Contains(err.Error(), "nobucket") {
		t.Errorf("import into a missing bucket: %v", err)
	}
	if got := keys(t, st); len(got) != 0 {
		t.Errorf("failed imports stored %q", got)
	}
}
