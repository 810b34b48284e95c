package ks3server

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestServeShutsDown(t *testing.T) {
	s, err := New(Options{Root: t.TempDir(), Credentials: map[string]string{testAK: testSK}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
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

func TestNewNeedsRootAndCredentials(t *testing.T) {
	root := t.TempDir()
	startTestServer(t, func(o *Options) { o.Root = root })
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

// TestOversizedHeaders checks that a request whose headers exceed the limit
// is refused before any handler runs.
func TestOversizedHeaders(t *testing.T) {
	r := startTestServer(t)
	req, err := http.NewRequest("PUT", r.URL+"/bkt/k", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("x-kss-meta-big", strings.Repeat("a", 2*maxHeaderBytes))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("status %d, want 431", resp.StatusCode)
	}
	if n := r.Stats().Requests; len(n) != 0 {
		t.Errorf("an oversized request reached the handlers: %v", n)
	}
}
