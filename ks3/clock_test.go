package ks3

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// skewedServer answers like KS3 with a clock offset from ours: a request
// whose Date is more than 15 minutes off gets 403 RequestTimeTooSkewed.
func skewedServer(t *testing.T, offset time.Duration, sendDate bool) (*httptest.Server, *atomic.Int32) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		now := time.Now().Add(offset)
		if sendDate {
			w.Header().Set("Date", now.UTC().Format(http.TimeFormat))
		} else {
			w.Header()["Date"] = nil // net/http adds one unless told not to
		}
		sent, err := http.ParseTime(r.Header.Get("Date"))
		if err != nil || sent.Sub(now).Abs() > 15*time.Minute {
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`<Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and the current time is too large.</Message></Error>`))
			return
		}
		w.Header().Set("Content-Length", "3")
		w.Header().Set("ETag", `"abc"`)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func TestClockSkewIsCorrected(t *testing.T) {
	srv, calls := skewedServer(t, 2*time.Hour, true)
	c, err := New(Options{Endpoint: srv.URL, AccessKey: "AK", SecretKey: "SK"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.HeadObject(t.Context(), "bkt", "k"); err != nil {
		t.Fatalf("first request after a skew answer: %v", err)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("first request took %d attempts, want 2 (one resync)", n)
	}
	if _, err := c.HeadObject(t.Context(), "bkt", "k"); err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("the correction was not kept: %d requests for two calls", n)
	}
	if got := time.Duration(c.skew.Load()); (got - 2*time.Hour).Abs() > time.Minute {
		t.Errorf("learned offset %v, want about 2h", got)
	}
}

func TestClockSkewWithoutServerDate(t *testing.T) {
	srv, calls := skewedServer(t, 2*time.Hour, false)
	c, err := New(Options{Endpoint: srv.URL, AccessKey: "AK", SecretKey: "SK"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.HeadObject(t.Context(), "bkt", "k")
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusForbidden {
		t.Fatalf("err = %v, want the 403", err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("%d attempts without a Date to learn from, want 1", n)
	}
}

// A GET answers skew with its code, which the client acts on as well.
func TestClockSkewOnGet(t *testing.T) {
	srv, calls := skewedServer(t, -3*time.Hour, true)
	c, err := New(Options{Endpoint: srv.URL, AccessKey: "AK", SecretKey: "SK"})
	if err != nil {
		t.Fatal(err)
	}
	obj, err := c.GetObject(t.Context(), "bkt", "k", GetOptions{})
	if err != nil {
		t.Fatalf("GET after a skew answer: %v", err)
	}
	obj.Body.Close()
	if n := calls.Load(); n != 2 {
		t.Errorf("%d attempts, want 2", n)
	}
}
