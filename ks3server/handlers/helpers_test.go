package handlers

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3server/apierr"
	"github.com/ks3sync/ks3sync/ks3server/auth"
	"github.com/ks3sync/ks3sync/ks3server/callback"
	"github.com/ks3sync/ks3sync/ks3server/store"
	"github.com/rs/zerolog"
)

// Test credentials and clock. testNow is the Date of the protocol vectors.
const (
	testAK     = "AKLTEXAMPLEACCESSKEY1"
	testSK     = "EXAMPLEsecretKEY0123456789abcdefghijklmno"
	testDomain = "ks3-cn-beijing.ksyuncs.com"
)

var testNow = time.Date(2019, 10, 15, 8, 30, 0, 0, time.UTC)

// Folders of a store's root, as tests look into them.
const (
	tmpDir     = "tmp"
	objectsDir = "objects"
)

// testOptions configure a test server.
type testOptions struct {
	Root            string
	Credentials     map[string]string
	Logger          zerolog.Logger
	Now             func() time.Time
	Domain          string
	CallbackTimeout time.Duration
	NoSync          bool
}

// testServer is a Handler over its own store.
type testServer struct {
	*Handler
	store *store.Store
	root  string
}

// Close closes the store.
func (s *testServer) Close() error { return s.store.Close() }

// newTestServer returns a handler over a fresh root with the test
// credentials and clock, callbacks allowed to reach loopback; opts may
// override fields.
func newTestServer(t *testing.T, opts ...func(*testOptions)) *testServer {
	t.Helper()
	o := testOptions{
		Root:        t.TempDir(),
		Credentials: map[string]string{testAK: testSK},
		Now:         func() time.Time { return testNow },
		Domain:      testDomain,
		NoSync:      true,
	}
	for _, f := range opts {
		f(&o)
	}
	st, err := store.Open(context.Background(), store.Options{Root: o.Root, NoSync: o.NoSync})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := New(Options{
		Store:     st,
		Verifier:  auth.NewVerifier(auth.Options{Credentials: o.Credentials, Now: o.Now}),
		Callbacks: callback.NewPoster(callback.Options{Timeout: o.CallbackTimeout, AllowPrivate: true}),
		Logger:    o.Logger.With().Str("component", "ks3server").Logger(),
		Now:       o.Now,
		Domain:    o.Domain,
	})
	return &testServer{Handler: h, store: st, root: o.Root}
}

// call describes one request. rawKey and query are sent exactly as given.
type call struct {
	method    string
	bucket    string
	rawKey    string // percent-encoded key path, without the leading '/'
	query     string // raw query string
	header    map[string]string
	body      []byte
	anonymous bool
	virtual   bool      // address the bucket in the Host header
	date      time.Time // zero: testNow
	secret    string    // zero: testSK
}

// authenticate verifies the credentials of r as the handler does.
func (s *testServer) authenticate(r *http.Request, rt *route) (string, error) {
	return s.verifier.Verify(r, rt.target())
}

// testV2Signature is base64(HMAC-SHA1(sk, stringToSign)).
func testV2Signature(sk, stringToSign string) string {
	mac := hmac.New(sha1.New, []byte(sk))
	mac.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// testSign is an independent KSS signer: base64(HMAC-SHA1(sk, string to
// sign)) over the request as it will be sent.
func testSign(sk, method string, h http.Header, dateSlot, bucket, rawKey, rawQuery string) string {
	lines := []string{method, h.Get("Content-MD5"), h.Get("Content-Type"), dateSlot}
	var names []string
	for name := range h {
		if l := strings.ToLower(name); strings.HasPrefix(l, "x-kss-") {
			names = append(names, l)
		}
	}
	sort.Strings(names) // by name: "x-kss-a" sorts before "x-kss-a-b"
	for _, name := range names {
		lines = append(lines, name+":"+h.Get(name))
	}
	resource := "/"
	if bucket != "" {
		resource += bucket + "/" + rawKey
	}
	resource = strings.ReplaceAll(resource, "//", "/%2F")
	signed := map[string]bool{"acl": true, "uploads": true, "uploadId": true, "partNumber": true,
		"delete": true, "location": true, "response-content-type": true, "response-cache-control": true,
		"lifecycle": true, "tagging": true}
	q, _ := url.ParseQuery(rawQuery)
	var subs []string
	for name, v := range q {
		if !signed[name] {
			continue
		}
		if v[0] == "" {
			subs = append(subs, name)
		} else {
			subs = append(subs, name+"="+v[0])
		}
	}
	sort.Strings(subs)
	if len(subs) > 0 {
		resource += "?" + strings.Join(subs, "&")
	}
	lines = append(lines, resource)
	mac := hmac.New(sha1.New, []byte(sk))
	mac.Write([]byte(strings.Join(lines, "\n")))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// newRequest builds the request of c, signed unless anonymous.
func (c call) newRequest() *http.Request {
	target := "/"
	host := "127.0.0.1:9000"
	if c.virtual {
		host = c.bucket + "." + testDomain
		target += c.rawKey
	} else if c.bucket != "" {
		target += c.bucket + "/" + c.rawKey
	}
	if c.query != "" {
		target += "?" + c.query
	}
	r := httptest.NewRequest(c.method, "http://"+host+"/", bytes.NewReader(c.body))
	r.RequestURI = target
	for k, v := range c.header {
		r.Header.Set(k, v)
	}
	if c.anonymous {
		return r
	}
	date := c.date
	if date.IsZero() {
		date = testNow
	}
	r.Header.Set("Date", date.Format(http.TimeFormat))
	sk := c.secret
	if sk == "" {
		sk = testSK
	}
	sig := testSign(sk, c.method, r.Header, r.Header.Get("Date"), c.bucket, c.rawKey, c.query)
	r.Header.Set("Authorization", "KSS "+testAK+":"+sig)
	return r
}

// do sends c to s through ServeHTTP.
func do(t *testing.T, s http.Handler, c call) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	s.ServeHTTP(w, c.newRequest())
	return w
}

// mustDo sends c and fails the test unless the status is want.
func mustDo(t *testing.T, s http.Handler, c call, want int) *httptest.ResponseRecorder {
	t.Helper()
	w := do(t, s, c)
	if w.Code != want {
		t.Fatalf("%s /%s/%s?%s: status %d, want %d; body: %s", c.method, c.bucket, c.rawKey, c.query, w.Code, want, w.Body)
	}
	return w
}

// wantError checks that w is a KS3 error with the given status and code.
func wantError(t *testing.T, w *httptest.ResponseRecorder, status int, code string) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d; body: %s", w.Code, status, w.Body)
	}
	var e apierr.Document
	if err := xml.Unmarshal(w.Body.Bytes(), &e); err != nil {
		t.Fatalf("error body is not an Error document: %v: %s", err, w.Body)
	}
	if e.Code != code {
		t.Fatalf("code %q, want %q (message %q)", e.Code, code, e.Message)
	}
	if e.RequestID == "" || e.RequestID != w.Header().Get("X-Kss-Request-Id") {
		t.Fatalf("RequestId %q does not match header %q", e.RequestID, w.Header().Get("X-Kss-Request-Id"))
	}
}

// decodeXML decodes a response body.
func decodeXML(t *testing.T, w *httptest.ResponseRecorder, v any) {
	t.Helper()
	if err := xml.Unmarshal(w.Body.Bytes(), v); err != nil {
		t.Fatalf("decode %T: %v: %s", v, err, w.Body)
	}
}

// md5b64 is the Content-MD5 value of data.
func md5b64(data []byte) string {
	sum := md5.Sum(data)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// createBucket creates a bucket or fails the test.
func createBucket(t *testing.T, s http.Handler, name string) {
	t.Helper()
	mustDo(t, s, call{method: "PUT", bucket: name}, http.StatusOK)
}

// putObject stores data under rawKey or fails the test.
func putObject(t *testing.T, s http.Handler, bucket, rawKey string, data []byte, header map[string]string) {
	t.Helper()
	mustDo(t, s, call{method: "PUT", bucket: bucket, rawKey: rawKey, body: data, header: header}, http.StatusOK)
}

// getBody GETs an object and returns its body, failing unless status is 200.
func getBody(t *testing.T, s http.Handler, bucket, rawKey string) []byte {
	t.Helper()
	w := mustDo(t, s, call{method: "GET", bucket: bucket, rawKey: rawKey}, http.StatusOK)
	b, _ := io.ReadAll(w.Body)
	return b
}

// httptestRecorder serves r and returns the recorded response.
func httptestRecorder(s http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w
}

// readDirNames lists the names in root/dir.
func readDirNames(root, dir string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(root, dir))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names, err
}
