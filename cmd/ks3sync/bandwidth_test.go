package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// Request and response bodies pass through the throttle intact, and every
// byte of both is taken from the limiter, in reads no larger than its
// burst.
func TestThrottleTransportCountsBothWays(t *testing.T) {
	up := bytes.Repeat([]byte("u"), 3000)
	down := bytes.Repeat([]byte("d"), 5000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ := io.ReadAll(r.Body)
		if !bytes.Equal(got, up) {
			http.Error(w, "body differs", http.StatusBadRequest)
			return
		}
		w.Write(down)
	}))
	defer srv.Close()
	t0 := time.Now()
	lim := rate.NewLimiter(rate.Limit(1), 1<<20) // a full bucket: no waiting
	c := &http.Client{Transport: newThrottleTransport(http.DefaultTransport, lim)}
	resp, err := c.Post(srv.URL, "application/octet-stream", bytes.NewReader(up))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || !bytes.Equal(got, down) {
		t.Fatalf("status %d, %d bytes, %v", resp.StatusCode, len(got), err)
	}
	used := float64(1<<20) - lim.TokensAt(t0)
	if used < 7999 || used > 8001 {
		t.Fatalf("the limiter gave out %v tokens, want 8000", used)
	}
}
