package handlers

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

// TestAnonymousCallbackRefused checks that an unsigned upload cannot make
// the server call out, even where anonymous writes are allowed.
func TestAnonymousCallbackRefused(t *testing.T) {
	s := newTestServer(t)
	mustDo(t, s, call{method: "PUT", bucket: "open", header: map[string]string{"x-kss-acl": "public-read-write"}}, http.StatusOK)
	app := newCallbackApp(t, http.StatusOK, `{"result":true}`)
	hdr := map[string]string{"x-kss-callbackurl": app.URL, "x-kss-callbackbody": "key=${key}"}
	w := do(t, s, call{method: "PUT", bucket: "open", rawKey: "k", body: []byte("x"), header: hdr, anonymous: true})
	wantError(t, w, http.StatusForbidden, "AccessDenied")
	if n := app.calls.Load(); n != 0 {
		t.Errorf("an anonymous upload made %d callbacks", n)
	}
	mustDo(t, s, call{method: "GET", bucket: "open", rawKey: "k", anonymous: true}, http.StatusNotFound)
	mustDo(t, s, call{method: "PUT", bucket: "open", rawKey: "k", body: []byte("x"), anonymous: true}, http.StatusOK)
	mustDo(t, s, call{method: "PUT", bucket: "open", rawKey: "k2", body: []byte("x"), header: hdr}, http.StatusOK)
	if n := app.calls.Load(); n != 1 {
		t.Errorf("a signed upload made %d callbacks, want 1", n)
	}
}

// TestPanicLoggedAsError checks that a handler's panic is answered 500 and
// logged at error level, and that the server goes on.
func TestPanicLoggedAsError(t *testing.T) {
	var logs syncBuffer
	s := newTestServer(t, func(o *testOptions) { o.Logger = zerolog.New(&logs).Level(zerolog.InfoLevel) })
	createBucket(t, s, "bkt")
	s.handlers[OpGetBucketLocation] = func(http.ResponseWriter, *http.Request, *request) error { panic("boom") }
	wantError(t, do(t, s, call{method: "GET", bucket: "bkt", query: "location"}), http.StatusInternalServerError, "InternalError")
	var entry map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(logs.String())), &entry); err != nil {
		t.Fatalf("log: %v: %s", err, logs.String())
	}
	if entry["level"] != "error" || entry["panic"] != "boom" || !strings.Contains(entry["stack"].(string), "TestPanicLoggedAsError") {
		t.Errorf("panic log line: %v", entry)
	}
	mustDo(t, s, call{method: "GET", bucket: "bkt"}, http.StatusOK)
}

// snapshot lists the files under dir, except those under skip, with their
// contents.
func snapshot(t *testing.T, dir, skip string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && path == skip {
			return fs.SkipDir
		}
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		files[path] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestPathTraversal sends bucket and key names that climb out of a folder:
// they are names like any other, and no file outside the server's root is
// read or written.
func TestPathTraversal(t *testing.T) {
	outer := t.TempDir()
	root := filepath.Join(outer, "root")
	secret := "outside the root: must never be served"
	for _, name := range []string{"secret", "bkt/k", "objects/secret", "ks3server.db"} {
		os.MkdirAll(filepath.Dir(filepath.Join(outer, name)), 0o755)
		if err := os.WriteFile(filepath.Join(outer, name), []byte(secret), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := newTestServer(t, func(o *testOptions) { o.Root = root })
	createBucket(t, s, "bkt")
	before := snapshot(t, outer, root)
	for _, bucket := range []string{"..", "%2E%2E", "..%2F..", "bkt%2F..", "."} {
		for _, method := range []string{"GET", "PUT", "DELETE", "HEAD"} {
			w := do(t, s, call{method: method, bucket: bucket, rawKey: "secret", body: []byte("planted")})
			if w.Code < 400 || strings.Contains(w.Body.String(), secret) {
				t.Errorf("%s bucket %q: %d %s", method, bucket, w.Code, w.Body)
			}
		}
	}
	keys := []string{"../secret", "..%2F..%2Fsecret", "%2E%2E/%2E%2E/secret", "../../objects/secret", "a/../../ks3server.db", "%2F..%2Fsecret", "..\\..\\secret"}
	for _, key := range keys {
		if w := do(t, s, call{method: "GET", bucket: "bkt", rawKey: key}); w.Code != http.StatusNotFound || strings.Contains(w.Body.String(), secret) {
			t.Errorf("GET key %q before any PUT: %d %s", key, w.Code, w.Body)
		}
		body := []byte("stored under " + key)
		putObject(t, s, "bkt", key, body, nil)
		if got := getBody(t, s, "bkt", key); !bytes.Equal(got, body) {
			t.Errorf("key %q reads back %q", key, got)
		}
		mustDo(t, s, call{method: "DELETE", bucket: "bkt", rawKey: key}, http.StatusNoContent)
	}
	if after := snapshot(t, outer, root); !maps.Equal(after, before) {
		t.Errorf("files outside the root changed:\nbefore %v\nafter  %v", before, after)
	}
}
