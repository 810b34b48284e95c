package ks3servertest

import (
	"net/http"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3server"
	"github.com/ks3sync/ks3sync/ks3server/faults"
	"github.com/ks3sync/ks3sync/ks3server/handlers"
)

func TestStart(t *testing.T) {
	h := Start(t)
	if h.URL == "" || h.Addr == "" || h.Root == "" {
		t.Fatalf("harness %+v", h)
	}
	// An anonymous request reaches the server and is refused.
	resp, err := http.Get(h.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("X-Kss-Request-Id") == "" {
		t.Errorf("anonymous list buckets: %d %v", resp.StatusCode, resp.Header)
	}
	if n := h.Stats().Requests[handlers.OpListBuckets]; n != 1 {
		t.Errorf("ListBuckets counted %d times", n)
	}
}

func TestStartWithKeepsOptions(t *testing.T) {
	h := StartWith(t, ks3server.Options{CallbackTimeout: time.Millisecond})
	if h.Root == "" {
		t.Fatal("no root")
	}
	// Two harnesses never share a root.
	if other := Start(t); other.Root == h.Root || other.URL == h.URL {
		t.Errorf("harnesses share %s / %s", other.Root, other.URL)
	}
}

func TestHarnessFaults(t *testing.T) {
	h := Start(t)
	h.InjectFault(faults.Fault{Count: 1, Kinds: []faults.Kind{faults.Status(http.StatusServiceUnavailable)}})
	resp, err := http.Get(h.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("with a fault injected: %d, want 503", resp.StatusCode)
	}
	h.ClearFaults()
}
