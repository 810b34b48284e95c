package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var testNow = time.Date(2019, 10, 15, 8, 30, 0, 0, time.UTC)

// openTest opens a store over root (a fresh folder when ""), closed when
// the test ends.
func openTest(t *testing.T, root string) *Store {
	t.Helper()
	if root == "" {
		root = t.TempDir()
	}
	s, err := Open(context.Background(), Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// mustBucket creates a bucket or fails the test.
func mustBucket(t *testing.T, s *Store, name string) {
	t.Helper()
	if err := s.CreateBucket(context.Background(), Bucket{Name: name, Created: testNow, ACL: "private", Type: "NORMAL"}); err != nil {
		t.Fatal(err)
	}
}

// testObject is the metadata of a test object.
func testObject(bucket, key string, size int64) Object {
	return Object{Bucket: bucket, Key: key, Size: size, ETag: "e", Modified: testNow,
		Attrs: Attrs{ContentType: "application/octet-stream", StorageClass: "STANDARD", Meta: map[string]string{}}}
}

// mustPut stores data under bucket/key or fails the test.
func mustPut(t *testing.T, s *Store, bucket, key string, data []byte) {
	t.Helper()
	b, err := s.Stage(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutObject(context.Background(), testObject(bucket, key, b.Size()), b); err != nil {
		t.Fatal(err)
	}
}

// mustGet reads bucket/key whole or fails the test.
func mustGet(t *testing.T, s *Store, bucket, key string) []byte {
	t.Helper()
	h, err := s.OpenObject(context.Background(), bucket, key)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	data, err := io.ReadAll(h.NewReader(0, h.Size))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// countBlobs counts the blob files under the root.
func countBlobs(t *testing.T, s *Store) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(filepath.Join(s.root, objectsDir), func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// big is more than InlineLimit bytes of one value, so stored in a file.
func big(c byte) []byte { return bytes.Repeat([]byte{c}, InlineLimit+1) }

// TestRecoverCommittedTempBlob simulates a crash after the metadata commit
// and before the rename: opening the root again moves the blob into place.
func TestRecoverCommittedTempBlob(t *testing.T) {
	root := t.TempDir()
	s := openTest(t, root)
	mustBucket(t, s, "bkt")
	want := big('c')
	blob, err := s.Stage(bytes.NewReader(want), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	err = s.w.inTx(context.Background(), func(tx *sql.Tx) error {
		_, err := replaceObject(context.Background(), tx, testObject("bkt", "k", blob.size), []segment{{blob: blob.id, size: blob.size}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	stray, err := s.Stage(bytes.NewReader(big('s')), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = openTest(t, root)
	if got := mustGet(t, s, "bkt", "k"); !bytes.Equal(got, want) {
		t.Errorf("recovered object of %d bytes differs", len(got))
	}
	if _, err := os.Stat(s.tempPath(stray.id)); !os.IsNotExist(err) {
		t.Errorf("uncommitted temporary blob survived: %v", err)
	}
}

// TestRecoverTrash simulates a crash between dropping a blob's reference and
// deleting its file.
func TestRecoverTrash(t *testing.T) {
	root := t.TempDir()
	s := openTest(t, root)
	mustBucket(t, s, "bkt")
	mustPut(t, s, "bkt", "k", big('1'))
	h, err := s.OpenObject(context.Background(), "bkt", "k") // never closed
	if err != nil {
		t.Fatal(err)
	}
	old := h.segs[0].blob
	mustPut(t, s, "bkt", "k", big('2')) // the pinned old blob stays
	if _, err := os.Stat(s.blobPath(old)); err != nil {
		t.Fatalf("pinned blob deleted while in use: %v", err)
	}
	s.Close() // as if the process died with the reader still active

	s = openTest(t, root)
	if _, err := os.Stat(s.blobPath(old)); !os.IsNotExist(err) {
		t.Errorf("trashed blob survived reopening: %v", err)
	}
	var n int
	s.db.QueryRow("SELECT count(*) FROM trash").Scan(&n)
	if n != 0 || countBlobs(t, s) != 1 {
		t.Errorf("trash has %d entries, %d blob files", n, countBlobs(t, s))
	}
}

func TestPinnedBlobOutlivesOverwrite(t *testing.T) {
	s := openTest(t, "")
	mustBucket(t, s, "bkt")
	v1 := bytes.Repeat([]byte("1"), 3*copyBufferSize)
	mustPut(t, s, "bkt", "k", v1)
	h, err := s.OpenObject(context.Background(), "bkt", "k")
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, "bkt", "k", []byte("v2"))
	if err := s.DeleteObjects(context.Background(), "bkt", []string{"k"}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	r := h.NewReader(0, h.Size)
	if _, err := buf.ReadFrom(r); err != nil || !bytes.Equal(buf.Bytes(), v1) {
		t.Fatalf("reading a pinned object after overwrite and delete: %v", err)
	}
	r.Close()
	h.Close()
	if n := countBlobs(t, s); n != 0 {
		t.Errorf("%d blobs left after the last reader released", n)
	}
}

func TestRootLock(t *testing.T) {
	root := t.TempDir()
	openTest(t, root)
	_, err := Open(context.Background(), Options{Root: root})
	if err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second store on one root: %v", err)
	}
	if _, err := Open(context.Background(), Options{}); err == nil {
		t.Error("a store without a root was opened")
	}
}

// TestConcurrentOverwrites races writers, readers and deleters on a few
// keys, with objects both inline and in files: every read sees one whole
// version or ErrNoSuchKey, and no blob leaks.
func TestConcurrentOverwrites(t *testing.T) {
	s := openTest(t, "")
	mustBucket(t, s, "bkt")
	ctx := context.Background()
	versions := map[string]bool{}
	for i := range 8 {
		versions[strings.Repeat(fmt.Sprint(i), 1000+i*14000)] = true
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			body := []byte(strings.Repeat(fmt.Sprint(g), 1000+g*14000))
			for i := range 15 {
				key := fmt.Sprintf("k%d", i%3)
				switch (g + i) % 3 {
				case 0:
					b, err := s.Stage(bytes.NewReader(body), 1<<20)
					if err == nil {
						err = s.PutObject(ctx, testObject("bkt", key, b.Size()), b)
					}
					if err != nil {
						t.Errorf("put: %v", err)
					}
				case 1:
					h, err := s.OpenObject(ctx, "bkt", key)
					if errors.Is(err, ErrNoSuchKey) {
						continue
					}
					if err != nil {
						t.Errorf("open: %v", err)
						continue
					}
					data, err := io.ReadAll(h.NewReader(0, h.Size))
					h.Close()
					if err != nil || !versions[string(data)] {
						t.Errorf("read a torn object of %d bytes: %v", len(data), err)
					}
				case 2:
					if err := s.DeleteObjects(ctx, "bkt", []string{key}); err != nil {
						t.Errorf("delete: %v", err)
					}
				}
			}
		})
	}
	wg.Wait()
	page, err := s.ListObjects(ctx, "bkt", ListQuery{Max: 1000})
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	for _, o := range page.Entries {
		if o.Size > InlineLimit {
			files++
		}
	}
	if n := countBlobs(t, s); n != files {
		t.Errorf("%d blob files for %d objects kept in files", n, files)
	}
}
