package ks3server

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRequestLog(t *testing.T) {
	var logs syncBuffer
	s := newTestServer(t, func(o *Options) { o.Logger = zerolog.New(&logs).Level(zerolog.DebugLevel) })
	createBucket(t, s, "bkt")
	r := call{method: "PUT", bucket: "bkt", rawKey: "k", body: []byte("12345")}.newRequest()
	auth := r.Header.Get("Authorization")
	w := httptestRecorder(s, r)
	presigned := rawRequest("GET", "127.0.0.1:9000", "/bkt/k?KSSAccessKeyId="+testAK+"&Expires=1700000000&Signature=c2VjcmV0", nil)
	httptestRecorder(s, presigned)

	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d log lines, want one per request:\n%s", len(lines), logs.String())
	}
	var entry map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &entry); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"level": "debug", "component": "ks3server", "method": "PUT", "op": OpPutObject,
		"bucket": "bkt", "key": "k", "status": float64(200), "bytes_in": float64(5), "request_id": w.Header().Get("X-Kss-Request-Id")}
	for k, v := range want {
		if entry[k] != v {
			t.Errorf("log field %s = %v, want %v", k, entry[k], v)
		}
	}
	if _, ok := entry["duration"]; !ok {
		t.Error("no duration in the request log")
	}
	sig := auth[strings.IndexByte(auth, ':')+1:]
	for _, secret := range []string{sig, "c2VjcmV0", testSK, "Authorization", "Signature"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("log mentions %q:\n%s", secret, logs.String())
		}
	}
}

func TestServeShutsDown(t *testing.T) {
	s := newTestServer(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("anonymous list buckets: %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve after cancel: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}
}

func TestRunningCloseTwice(t *testing.T) {
	r, err := Start(Options{Root: t.TempDir(), Credentials: map[string]string{testAK: testSK}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.URL, "http://127.0.0.1:") || r.URL != "http://"+r.Addr {
		t.Errorf("URL %q, Addr %q", r.URL, r.Addr)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := http.Get(r.URL); err == nil {
		t.Error("server still answers after Close")
	}
}
