package main

import (
	"context"
	"io"
	"net/http"

	"golang.org/x/time/rate"
)

// newLimiter returns a limiter of bw bytes per second, with bursts of a
// quarter second (at least 64 KiB, so one read fits).
func newLimiter(bw int64) *rate.Limiter {
	return rate.NewLimiter(rate.Limit(bw), int(max(bw/4, 64<<10)))
}

// throttleTransport keeps request and response bodies to a bandwidth
// limit shared by every request of a client.
type throttleTransport struct {
	next http.RoundTripper
	lim  *rate.Limiter
}

var _ http.RoundTripper = (*throttleTransport)(nil)

func newThrottleTransport(next http.RoundTripper, lim *rate.Limiter) *throttleTransport {
	return &throttleTransport{next: next, lim: lim}
}

// RoundTrip implements http.RoundTripper.
func (t *throttleTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		req = req.Clone(req.Context())
		req.Body = &throttledBody{ctx: req.Context(), rc: req.Body, lim: t.lim}
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	resp.Body = &throttledBody{ctx: req.Context(), rc: resp.Body, lim: t.lim}
	return resp, nil
}

// throttledBody waits for the limiter after every read.
type throttledBody struct {
	ctx context.Context
	rc  io.ReadCloser
	lim *rate.Limiter
}

func (b *throttledBody) Read(p []byte) (int, error) {
	if len(p) > b.lim.Burst() {
		p = p[:b.lim.Burst()]
	}
	n, err := b.rc.Read(p)
	if n > 0 {
		if werr := b.lim.WaitN(b.ctx, n); werr != nil {
			return n, werr
		}
	}
	return n, err
}

func (b *throttledBody) Close() error { return b.rc.Close() }
