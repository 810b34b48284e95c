package ks3server

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/ks3server/faults"
	"github.com/ks3sync/ks3sync/ks3server/handlers"
)

// startFaultyServer runs a test server with a fault injector.
func startFaultyServer(t *testing.T) (*Running, *faults.Injector) {
	t.Helper()
	in := faults.New()
	return startTestServer(t, func(o *Options) { o.Interceptor = in }), in
}

func TestFaultCount(t *testing.T) {
	r, in := startFaultyServer(t)
	c := newClient(t, r.URL)
	mustCreateBucket(t, c, "bkt")
	data := []byte("data")

	in.Inject(faults.Fault{Ops: []string{handlers.OpPutObject}, Count: 1, Kinds: []faults.Kind{faults.Status(http.StatusServiceUnavailable)}})
	mustSend(t, c, "GET", "bkt", "missing", nil, http.StatusNotFound) // another operation is not affected
	if code := errorCode(t, mustSend(t, c, "PUT", "bkt", "k", data, http.StatusServiceUnavailable)); code != "SlowDown" {
		t.Errorf("code %q, want SlowDown", code)
	}
	mustSend(t, c, "PUT", "bkt", "k", data, http.StatusOK)
	mustSend(t, c, "PUT", "bkt", "k", data, http.StatusOK)

	in.Inject(faults.Fault{Count: 2})
	in.Inject(faults.Fault{Ops: []string{handlers.OpGetObject}, Count: 1, Kinds: []faults.Kind{faults.Error(http.StatusBadGateway, "Custom")}})
	if code := errorCode(t, mustSend(t, c, "PUT", "bkt", "k", data, http.StatusInternalServerError)); code != "InternalError" {
		t.Errorf("code %q, want InternalError", code)
	}
	mustSend(t, c, "HEAD", "bkt", "k", nil, http.StatusInternalServerError)
	if code := errorCode(t, mustSend(t, c, "GET", "bkt", "k", nil, http.StatusBadGateway)); code != "Custom" {
		t.Errorf("code %q, want Custom", code)
	}
	mustSend(t, c, "GET", "bkt", "k", nil, http.StatusOK)
}

func TestFaultFraction(t *testing.T) {
	r, in := startFaultyServer(t)
	c := newClient(t, r.URL)
	mustCreateBucket(t, c, "bkt")
	in.Inject(faults.Fault{Ops: []string{handlers.OpHeadObject}, Fraction: 0.5, Kinds: []faults.Kind{faults.Status(http.StatusServiceUnavailable)}})
	failed := 0
	for range 100 {
		resp, _, err := send(t, c, "HEAD", "bkt", "k", nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode == http.StatusServiceUnavailable {
			failed++
		}
	}
	if failed < 25 || failed > 75 {
		t.Errorf("%d of 100 requests failed with Fraction 0.5", failed)
	}
	in.Clear()
	for range 10 {
		mustSend(t, c, "HEAD", "bkt", "k", nil, http.StatusNotFound)
	}
}

func TestFaultReset(t *testing.T) {
	r, in := startFaultyServer(t)
	c := newClient(t, r.URL)
	mustCreateBucket(t, c, "bkt")
	in.Inject(faults.Fault{Ops: []string{handlers.OpPutObject}, Count: 1, Kinds: []faults.Kind{faults.Reset(4096)}})
	body := bytes.Repeat([]byte("x"), 1<<20)
	resp, _, err := send(t, c, "PUT", "bkt", "k", body)
	if err == nil {
		t.Fatalf("request answered with %d despite a dropped connection", resp.StatusCode)
	}
	mustSend(t, c, "GET", "bkt", "k", nil, http.StatusNotFound)
	mustSend(t, c, "PUT", "bkt", "k", body, http.StatusOK)
	if got := mustSend(t, c, "GET", "bkt", "k", nil, http.StatusOK); !bytes.Equal(got, body) {
		t.Error("object differs after a retried PUT")
	}
}

func TestFaultSlowBody(t *testing.T) {
	r, in := startFaultyServer(t)
	c := newClient(t, r.URL)
	mustCreateBucket(t, c, "bkt")
	data := bytes.Repeat([]byte("s"), 20000)
	mustSend(t, c, "PUT", "bkt", "k", data, http.StatusOK)
	in.Inject(faults.Fault{Ops: []string{handlers.OpGetObject}, Count: 1, Kinds: []faults.Kind{faults.Slow(100000)}})
	start := time.Now()
	got := mustSend(t, c, "GET", "bkt", "k", nil, http.StatusOK)
	if elapsed := time.Since(start); elapsed < 150*time.Millisecond {
		t.Errorf("20000 bytes at 100000 B/s took only %v", elapsed)
	}
	if !bytes.Equal(got, data) {
		t.Error("throttled body differs")
	}
}

// TestFaultHang checks that a hung request is never answered: the client
// gives up on its own timeout, and the server goes on serving others.
func TestFaultHang(t *testing.T) {
	r, in := startFaultyServer(t)
	c := newClient(t, r.URL)
	mustCreateBucket(t, c, "bkt")
	in.Inject(faults.Fault{Ops: []string{handlers.OpGetObject}, Count: 1, Kinds: []faults.Kind{faults.Hang()}})
	u, err := c.PresignURL("GET", "bkt", "k", time.Now().Add(time.Hour), ks3.PresignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	impatient := &http.Client{Timeout: 300 * time.Millisecond}
	start := time.Now()
	if resp, err := impatient.Get(u); err == nil {
		resp.Body.Close()
		t.Fatalf("a hung request was answered with %d", resp.StatusCode)
	}
	if waited := time.Since(start); waited < 250*time.Millisecond {
		t.Errorf("the hung request failed after %v, before the client's timeout", waited)
	}
	mustSend(t, c, "GET", "bkt", "k", nil, http.StatusNotFound)
}

// TestFaultHangReleasedAtClose checks that closing a server does not wait
// for the requests a hang fault holds.
func TestFaultHangReleasedAtClose(t *testing.T) {
	in := faults.New(faults.Fault{Kinds: []faults.Kind{faults.Hang()}})
	r, err := Start(Options{Root: t.TempDir(), Credentials: map[string]string{testAK: testSK}, NoSync: true, Interceptor: in}, "")
	if err != nil {
		t.Fatal(err)
	}
	go http.Get(r.URL + "/")
	for r.Stats().Requests[handlers.OpListBuckets] == 0 {
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited > runningGrace/2 {
		t.Errorf("Close waited %v for a hung request", waited)
	}
}

func TestStats(t *testing.T) {
	r := startTestServer(t)
	c := newClient(t, r.URL)
	mustCreateBucket(t, c, "bkt")
	r.ResetStats()
	data := bytes.Repeat([]byte("d"), 1000)
	mustSend(t, c, "PUT", "bkt", "a", data, http.StatusOK)
	mustSend(t, c, "PUT", "bkt", "b", data, http.StatusOK)
	mustSend(t, c, "GET", "bkt", "a", nil, http.StatusOK)
	mustSend(t, c, "GET", "bkt", "missing", nil, http.StatusNotFound)
	st := r.Stats()
	if st.Requests[handlers.OpPutObject] != 2 || st.Requests[handlers.OpGetObject] != 2 || len(st.Requests) != 2 {
		t.Errorf("requests %v", st.Requests)
	}
	if st.BytesIn != 2000 || st.BytesOut < 1000 {
		t.Errorf("bytes in %d, out %d", st.BytesIn, st.BytesOut)
	}
	st.Requests[handlers.OpPutObject] = 99
	if r.Stats().Requests[handlers.OpPutObject] != 2 {
		t.Error("Stats returned its own map, not a copy")
	}
	r.ResetStats()
	if st := r.Stats(); len(st.Requests) != 0 || st.BytesIn != 0 || st.BytesOut != 0 {
		t.Errorf("after ResetStats: %+v", st)
	}
}
