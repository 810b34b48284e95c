package ks3

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorded is one request as the test server received it.
type recorded struct {
	Method     string
	RequestURI string
	Host       string
	Header     http.Header
	Body       []byte
}

// testServer is an HTTP server on 127.0.0.1 that records every request
// and answers through respond, which gets the 1-based request number.
type testServer struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []recorded
}

type respondFunc func(w http.ResponseWriter, r *http.Request, n int, body []byte)

func newTestServer(t *testing.T, respond respondFunc) *testServer {
	t.Helper()
	s := &testServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			// The client went away mid-body (fault tests): record what came.
			t.Logf("test server: reading body: %v", err)
		}
		s.mu.Lock()
		s.reqs = append(s.reqs, recorded{Method: r.Method, RequestURI: r.RequestURI, Host: r.Host,
			Header: r.Header.Clone(), Body: body})
		n := len(s.reqs)
		s.mu.Unlock()
		respond(w, r, n, body)
	}))
	t.Cleanup(s.Close)
	return s
}

// requests returns the requests received so far.
func (s *testServer) requests() []recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]recorded(nil), s.reqs...)
}

// fastRetry keeps fault-injection tests fast.
var fastRetry = RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}

// newTestClient returns a client for s with the vector credentials and a
// fixed clock; edit adjusts the options.
func newTestClient(t *testing.T, s *testServer, edit ...func(*Options)) *Client {
	t.Helper()
	opts := Options{Endpoint: s.URL, AccessKey: vecAK, SecretKey: vecSK, Retry: fastRetry,
		Now: func() time.Time { return vecTime }}
	for _, e := range edit {
		e(&opts)
	}
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.http.CloseIdleConnections)
	return c
}

// wantAuth checks the request's Authorization against stringToSign, with
// HMAC-SHA1 computed here rather than by the code under test.
func wantAuth(t *testing.T, rec recorded, stringToSign string) {
	t.Helper()
	m := hmac.New(sha1.New, []byte(vecSK))
	m.Write([]byte(stringToSign))
	want := "KSS " + vecAK + ":" + base64.StdEncoding.EncodeToString(m.Sum(nil))
	if got := rec.Header.Get("Authorization"); got != want {
		t.Errorf("Authorization = %q, want %q for string to sign %q", got, want, stringToSign)
	}
}

// md5B64 returns the Content-MD5 value of s.
func md5B64(s string) string {
	sum := md5.Sum([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// answer returns a respondFunc that always writes status, headers (names
// kept as given) and body.
func answer(status int, header map[string]string, body string) respondFunc {
	return func(w http.ResponseWriter, _ *http.Request, _ int, _ []byte) {
		for name, v := range header {
			w.Header()[name] = []string{v}
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// httpCanonical is http.CanonicalHeaderKey, named for readability.
func httpCanonical(name string) string { return http.CanonicalHeaderKey(name) }

// md5Sum returns the raw MD5 of s.
func md5Sum(s string) [16]byte { return md5.Sum([]byte(s)) }

// newStringSeeker returns a replayable body holding s.
func newStringSeeker(s string) io.ReadSeeker { return strings.NewReader(s) }
