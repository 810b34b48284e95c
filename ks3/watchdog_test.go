package ks3

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// quick are timeouts short enough for tests, far longer than a loopback
// exchange takes.
var quick = Timeouts{ResponseHeader: 300 * time.Millisecond, Stall: 300 * time.Millisecond}

// noRetry sends each request once and retries nothing.
var noRetry = RetryPolicy{MaxAttempts: 1, Budget: -1}

// hang blocks a handler until the client gives up on the request, or
// (when the server cannot tell, as with an unread request body) for long
// after the client's timeouts.
func hang(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(5 * quick.Stall):
	}
}

func TestResponseHeaderTimeoutRetries(t *testing.T) {
	s := newTestServer(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
		if n == 1 {
			hang(r)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	c := newTestClient(t, s, func(o *Options) { o.Timeouts = quick })
	if err := c.DeleteObject(t.Context(), "b", "k"); err != nil {
		t.Fatalf("DeleteObject after one unanswered attempt: %v", err)
	}
	if n := len(s.requests()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestResponseHeaderTimeoutIsAStall(t *testing.T) {
	s := newTestServer(t, func(_ http.ResponseWriter, r *http.Request, _ int, _ []byte) { hang(r) })
	c := newTestClient(t, s, func(o *Options) { o.Timeouts, o.Retry = quick, noRetry })
	err := c.DeleteObject(t.Context(), "b", "k")
	var se *StallError
	if !errors.As(err, &se) || se.Phase != PhaseWaiting || se.After != quick.ResponseHeader || !IsRetryable(err) {
		t.Fatalf("DeleteObject of a server that never answers = %v, want a retryable StallError while waiting", err)
	}
}

func TestSlowButLiveServerIsNotAStall(t *testing.T) {
	const body = "0123456789"
	s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request, _ int, _ []byte) {
		w.Header().Set("Content-Length", "10")
		for i := range len(body) {
			time.Sleep(quick.Stall / 4) // together far longer than the stall limit
			io.WriteString(w, body[i:i+1])
			w.(http.Flusher).Flush()
		}
	})
	c := newTestClient(t, s, func(o *Options) { o.Timeouts, o.Retry = quick, noRetry })
	obj, err := c.GetObject(t.Context(), "b", "k", GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Body.Close()
	got, err := io.ReadAll(obj.Body)
	if err != nil || string(got) != body {
		t.Fatalf("slow body = %q, %v", got, err)
	}
}

func TestCallerPausesAreNotStalls(t *testing.T) {
	s := newTestServer(t, answer(200, map[string]string{"ETag": `"e"`}, "content"))
	c := newTestClient(t, s, func(o *Options) { o.Timeouts, o.Retry = quick, noRetry })
	obj, err := c.GetObject(t.Context(), "b", "k", GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Body.Close()
	time.Sleep(2 * quick.Stall) // the caller is busy: the server is not at fault
	if got, err := io.ReadAll(obj.Body); err != nil || string(got) != "content" {
		t.Fatalf("body read after a pause = %q, %v", got, err)
	}
}

func TestUploadThatStallsIsCancelledAndRetried(t *testing.T) {
	data := bytes.Repeat([]byte("x"), 32<<20) // more than the socket buffers hold
	var attempts atomic.Int32
	// The first attempt takes nothing of the body and holds on until the
	// test ends: only the client's watchdog can end it, and a retry that
	// arrives is proof that it did. (The server cannot see the client go
	// away while the request body is unread.)
	release := make(chan struct{})
	var mu sync.Mutex
	var got []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if attempts.Add(1) == 1 {
			<-release
			return
		}
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return // a retry cut short by the client; the next one counts
		}
		mu.Lock()
		got = b
		mu.Unlock()
		w.Header().Set("ETag", `"ok"`)
	}))
	defer srv.Close()
	defer close(release)
	// The retries move 32 MiB each: on a loaded machine (CI runs packages
	// side by side) a retry's answer can take longer than quick allows,
	// so this test gives the header and the stall a second.
	patient := Timeouts{ResponseHeader: time.Second, Stall: time.Second}
	c := newTestClient(t, &testServer{Server: srv}, func(o *Options) { o.Timeouts = patient })
	if _, err := c.PutObject(t.Context(), "b", "k", bytes.NewReader(data), int64(len(data)), PutOptions{}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if n := attempts.Load(); n < 2 || !bytes.Equal(got, data) {
		t.Errorf("%d attempts, %d bytes received; want a retry after the stalled attempt and the whole body", n, len(got))
	}
}

func TestUploadStallError(t *testing.T) {
	data := bytes.Repeat([]byte("x"), 32<<20)
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { hang(r) }))
	defer srv.Close()
	c := newTestClient(t, &testServer{Server: srv}, func(o *Options) { o.Timeouts, o.Retry = quick, noRetry })
	_, err := c.PutObject(t.Context(), "b", "k", bytes.NewReader(data), int64(len(data)), PutOptions{})
	var se *StallError
	if !errors.As(err, &se) || se.Phase != PhaseSending {
		t.Fatalf("PutObject to a server that takes nothing = %v, want a StallError while sending", err)
	}
}

func TestTimeoutDefaults(t *testing.T) {
	got := Timeouts{}.withDefaults()
	if got != (Timeouts{ResponseHeader: time.Minute, Stall: time.Minute}) {
		t.Errorf("defaults = %+v", got)
	}
	off := Timeouts{ResponseHeader: -1, Stall: -1}.withDefaults()
	if off.ResponseHeader > 0 || off.Stall > 0 {
		t.Errorf("negative timeouts became %+v", off)
	}
}

// BenchmarkWatchdogRead is the cost the watchdog adds to every read of a
// body: one arm and one disarm.
func BenchmarkWatchdogRead(b *testing.B) {
	wd := newWatchdog(func(error) {})
	defer wd.stop()
	for b.Loop() {
		wd.arm(time.Minute, PhaseReceiving)
		wd.disarm()
	}
}
