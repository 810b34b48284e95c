package ks3

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"
)

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// refused is what dialling a port nobody listens on returns.
var refused = &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}

// fakeClient returns a client whose requests go to rt, with real backoff
// delays (virtual inside a synctest bubble).
func fakeClient(t *testing.T, rt roundTripFunc, edit ...func(*Options)) *Client {
	t.Helper()
	opts := Options{Endpoint: "http://ks3.example:9000", AccessKey: vecAK, SecretKey: vecSK, Transport: rt}
	for _, e := range edit {
		e(&opts)
	}
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// status answers r with an empty response of the given status.
func status(r *http.Request, code int, body string) *http.Response {
	return &http.Response{StatusCode: code, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)), Request: r}
}

func TestConnectionErrorsAreRetriedWithinTheBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		var calls atomic.Int32
		c := fakeClient(t, func(r *http.Request) (*http.Response, error) {
			calls.Add(1)
			if time.Since(start) < 5*time.Second { // the endpoint is away for 5s
				return nil, refused
			}
			return status(r, http.StatusNoContent, ""), nil
		}, func(o *Options) { o.Retry = RetryPolicy{MaxAttempts: 2} })
		if err := c.DeleteObject(t.Context(), "b", "k"); err != nil {
			t.Fatalf("DeleteObject across a 5s outage: %v", err)
		}
		if n := calls.Load(); n <= 2 {
			t.Errorf("%d attempts: the outage was not waited for", n)
		}
	})
}

func TestConnectionErrorsStopAtTheBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := fakeClient(t, func(*http.Request) (*http.Response, error) { return nil, refused },
			func(o *Options) {
				o.Retry = RetryPolicy{MaxAttempts: 2, Budget: 10 * time.Second}
				o.Breaker.Window = -1
			})
		start := time.Now()
		err := c.DeleteObject(t.Context(), "b", "k")
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("DeleteObject of a dead endpoint = %v", err)
		}
		if took := time.Since(start); took < 10*time.Second || took > 11*time.Second {
			t.Errorf("gave up after %v, want as the 10s budget ends", took)
		}
	})
}

func TestServiceErrorsKeepTheAttemptCount(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		c := fakeClient(t, func(r *http.Request) (*http.Response, error) {
			calls.Add(1)
			return status(r, http.StatusInternalServerError, internalErrorXML), nil
		}, func(o *Options) { o.Retry = RetryPolicy{MaxAttempts: 3} })
		if err := c.DeleteObject(t.Context(), "b", "k"); ErrorCode(err) != "InternalError" {
			t.Fatalf("DeleteObject = %v", err)
		}
		if n := calls.Load(); n != 3 {
			t.Errorf("%d attempts, want 3", n)
		}
	})
}

func TestBreakerOpensWhenEverythingFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		c := fakeClient(t, func(r *http.Request) (*http.Response, error) {
			calls.Add(1)
			return status(r, http.StatusInternalServerError, internalErrorXML), nil
		})
		start := time.Now()
		var err error
		items := 0
		for ; items < 300; items++ {
			if err = c.DeleteObject(t.Context(), "b", "k"); IsRetryable(err) {
				continue
			}
			break
		}
		var open *CircuitOpenError
		if !errors.As(err, &open) {
			t.Fatalf("after %d failed items: %v, want a CircuitOpenError", items, err)
		}
		if took := time.Since(start); took > 2*DefaultBreakerWindow {
			t.Errorf("the breaker opened after %v", took)
		}
		for _, want := range []string{"http://ks3.example:9000", "InternalError", "in a row"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not mention %q", err, want)
			}
		}
		if ErrorCode(err) != "InternalError" || IsRetryable(err) {
			t.Errorf("the open breaker's error does not unwrap to the last failure, or is retryable: %v", err)
		}
		sent := calls.Load()
		if err := c.DeleteObject(t.Context(), "b", "k"); !errors.As(err, &open) || calls.Load() != sent {
			t.Errorf("an open breaker sent a request (%v)", err)
		}
	})
}

func TestBreakerProbesAndCloses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var down atomic.Bool
		down.Store(true)
		c := fakeClient(t, func(r *http.Request) (*http.Response, error) {
			if down.Load() {
				return nil, refused
			}
			return status(r, http.StatusNoContent, ""), nil
		}, func(o *Options) { o.Breaker = BreakerPolicy{Window: 5 * time.Second, Cooldown: 2 * time.Second} })
		err := c.DeleteObject(t.Context(), "b", "k")
		var open *CircuitOpenError
		if !errors.As(err, &open) || !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("DeleteObject of a dead endpoint = %v, want the breaker to open", err)
		}
		down.Store(false)
		if err := c.DeleteObject(t.Context(), "b", "k"); !errors.As(err, &open) {
			t.Errorf("within the cooldown: %v, want refused", err)
		}
		time.Sleep(2 * time.Second)
		if err := c.DeleteObject(t.Context(), "b", "k"); err != nil {
			t.Errorf("after the cooldown, with the endpoint back: %v", err)
		}
		if _, err := c.breaker.allow(); err != nil {
			t.Errorf("the breaker stayed open after a probe succeeded: %v", err)
		}
	})
}

func TestBreakerStates(t *testing.T) {
	now := time.Unix(0, 0)
	b := newBreaker(BreakerPolicy{Window: 10 * time.Second, Failures: 3, Cooldown: time.Second}, "http://e")
	b.now = func() time.Time { return now }
	fail := &Error{StatusCode: 503, Code: "SlowDown"}
	step := func(d time.Duration, err error) {
		now = now.Add(d)
		probe, aerr := b.allow()
		if aerr == nil {
			b.observe(probe, err)
		}
	}
	isOpen := func() bool { _, err := b.allow(); return err != nil }

	step(0, fail)
	step(20*time.Second, fail) // two failures far apart: not enough of them
	if isOpen() {
		t.Fatal("opened after two failures")
	}
	step(0, &Error{StatusCode: 404, Code: "NoSuchKey"}) // an answer ends the run
	step(0, fail)
	step(5*time.Second, fail)
	step(4*time.Second, fail) // three failures, but within 9s
	if isOpen() {
		t.Fatal("opened before the window passed")
	}
	step(time.Second, fail)
	if !isOpen() {
		t.Fatal("still closed after 4 failures over 10s")
	}
	now = now.Add(time.Second)
	probe, err := b.allow()
	if err != nil || !probe {
		t.Fatalf("no probe after the cooldown: %v", err)
	}
	if _, err := b.allow(); err == nil {
		t.Error("a second request went through while the probe was out")
	}
	b.observe(true, fail)
	if !isOpen() {
		t.Error("a failed probe did not reopen the breaker")
	}
	now = now.Add(time.Second)
	probe, _ = b.allow()
	b.release(probe) // the probe was cancelled
	probe, err = b.allow()
	if err != nil || !probe {
		t.Fatalf("no new probe after a cancelled one: %v", err)
	}
	b.observe(true, errors.New("a local failure"))
	probe, _ = b.allow()
	b.observe(probe, nil)
	if isOpen() {
		t.Error("a successful probe did not close the breaker")
	}
	if newBreaker(BreakerPolicy{Window: -1}, "x") != nil {
		t.Error("a negative window did not disable the breaker")
	}
}

func TestCancelledAttemptsDoNotOpenTheBreaker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := fakeClient(t, func(r *http.Request) (*http.Response, error) {
			<-r.Context().Done()
			return nil, r.Context().Err()
		}, func(o *Options) { o.Breaker = BreakerPolicy{Window: time.Second, Failures: 1} })
		for range 5 {
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
			c.DeleteObject(ctx, "b", "k")
			cancel()
		}
		if _, err := c.breaker.allow(); err != nil {
			t.Errorf("cancelled requests opened the breaker: %v", err)
		}
	})
}
