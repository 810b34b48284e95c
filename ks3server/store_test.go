package ks3server

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
)

// TestRecoverCommittedTempBlob simulates a crash after the metadata commit
// and before the rename: opening the root again moves the blob into place.
func TestRecoverCommittedTempBlob(t *testing.T) {
	root := t.TempDir()
	s := newTestServer(t, func(o *Options) { o.Root = root })
	createBucket(t, s, "bkt")
	blob, err := s.store.stage(strings.NewReader("committed"), 100)
	if err != nil {
		t.Fatal(err)
	}
	o := objectRecord{bucket: "bkt", key: "k", size: blob.size, etag: "e", modified: testNow,
		attrs: objectAttrs{contentType: defaultMIMEType, storageClass: defaultStorage, meta: map[string]string{}}}
	err = s.store.inTx(context.Background(), func(tx *sql.Tx) error {
		_, err := replaceObject(context.Background(), tx, o, []segment{{blob: blob.id, size: blob.size}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	stray, err := s.store.stage(strings.NewReader("never committed"), 100)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = newTestServer(t, func(o *Options) { o.Root = root })
	if got := string(getBody(t, s, "bkt", "k")); got != "committed" {
		t.Errorf("recovered object %q", got)
	}
	if _, err := os.Stat(s.store.tempPath(stray.id)); !os.IsNotExist(err) {
		t.Errorf("uncommitted temporary blob survived: %v", err)
	}
}

// TestRecoverTrash simulates a crash between dropping a blob's reference and
// deleting its file.
func TestRecoverTrash(t *testing.T) {
	root := t.TempDir()
	s := newTestServer(t, func(o *Options) { o.Root = root })
	createBucket(t, s, "bkt")
	putObject(t, s, "bkt", "k", []byte("v1"), nil)
	o, _, err := s.store.openObject(context.Background(), "bkt", "k") // never released
	if err != nil {
		t.Fatal(err)
	}
	old := o.segments[0].blob
	putObject(t, s, "bkt", "k", []byte("v2"), nil) // the pinned old blob stays
	if _, err := os.Stat(s.store.blobPath(old)); err != nil {
		t.Fatalf("pinned blob deleted while in use: %v", err)
	}
	s.Close() // as if the process died with the reader still active

	s = newTestServer(t, func(o *Options) { o.Root = root })
	if _, err := os.Stat(s.store.blobPath(old)); !os.IsNotExist(err) {
		t.Errorf("trashed blob survived reopening: %v", err)
	}
	var n int
	s.store.db.QueryRow("SELECT count(*) FROM trash").Scan(&n)
	if n != 0 || countBlobs(t, s) != 1 {
		t.Errorf("trash has %d entries, %d blob files", n, countBlobs(t, s))
	}
}

func TestPinnedBlobOutlivesOverwrite(t *testing.T) {
	s := newTestServer(t)
	createBucket(t, s, "bkt")
	v1 := bytes.Repeat([]byte("1"), 3*copyBufferSize)
	putObject(t, s, "bkt", "k", v1, nil)
	o, release, err := s.store.openObject(context.Background(), "bkt", "k")
	if err != nil {
		t.Fatal(err)
	}
	putObject(t, s, "bkt", "k", []byte("v2"), nil)
	mustDo(t, s, call{method: "DELETE", bucket: "bkt", rawKey: "k"}, http.StatusNoContent)
	var buf bytes.Buffer
	r := s.store.newSegmentReader(o.segments, byteRange{length: o.size})
	if _, err := buf.ReadFrom(r); err != nil || !bytes.Equal(buf.Bytes(), v1) {
		t.Fatalf("reading a pinned object after overwrite and delete: %v", err)
	}
	r.Close()
	release()
	if n := countBlobs(t, s); n != 0 {
		t.Errorf("%d blobs left after the last reader released", n)
	}
}

func TestRootLock(t *testing.T) {
	root := t.TempDir()
	newTestServer(t, func(o *Options) { o.Root = root })
	_, err := New(Options{Root: root, Credentials: map[string]string{testAK: testSK}})
	if err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second server on one root: %v", err)
	}
	if _, err := New(Options{Root: t.TempDir()}); err == nil {
		t.Error("a server without credentials was created")
	}
	if _, err := New(Options{Credentials: map[string]string{testAK: testSK}}); err == nil {
		t.Error("a server without a root was created")
	}
}

// TestConcurrentOverwrites races writers, readers and deleters on a few
// keys: every read sees one whole version or NoSuchKey, and no blob leaks.
func TestConcurrentOverwrites(t *testing.T) {
	s := newTestServer(t)
	createBucket(t, s, "bkt")
	versions := map[string]bool{}
	for i := range 8 {
		versions[strings.Repeat(fmt.Sprint(i), 1000+i*7000)] = true
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := bytes.Repeat([]byte(fmt.Sprint(g)), 1000+g*7000)
			for i := range 15 {
				key := fmt.Sprintf("k%d", i%3)
				switch (g + i) % 3 {
				case 0:
					if w := do(t, s, call{method: "PUT", bucket: "bkt", rawKey: key, body: body}); w.Code != http.StatusOK {
						t.Errorf("PUT: %d %s", w.Code, w.Body)
					}
				case 1:
					w := do(t, s, call{method: "GET", bucket: "bkt", rawKey: key})
					if w.Code == http.StatusOK && !versions[w.Body.String()] {
						t.Errorf("GET returned a torn object of %d bytes", w.Body.Len())
					} else if w.Code != http.StatusOK && w.Code != http.StatusNotFound {
						t.Errorf("GET: %d %s", w.Code, w.Body)
					}
				case 2:
					if w := do(t, s, call{method: "DELETE", bucket: "bkt", rawKey: key}); w.Code != http.StatusNoContent {
						t.Errorf("DELETE: %d %s", w.Code, w.Body)
					}
				}
			}
		}()
	}
	wg.Wait()
	var res listBucketResult
	decodeXML(t, mustDo(t, s, call{method: "GET", bucket: "bkt"}, http.StatusOK), &res)
	if n := countBlobs(t, s); n != len(res.Contents) {
		t.Errorf("%d blob files for %d objects", n, len(res.Contents))
	}
}
