package ks3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// request describes one KS3 operation independently of any attempt to
// send it.
type request struct {
	method string
	bucket string // "" for service-level requests
	key    string // raw key; "" for bucket-level requests
	query  url.Values
	// header holds the operation's headers. Names are sent as stored, so
	// user metadata keeps its lower-case "x-kss-meta-" names.
	header http.Header
	// body is sent with Content-Length size, rewound to its start before
	// every attempt; nil means no body.
	body io.ReadSeeker
	size int64
	// notFoundCode is the error code for a 404 answer without a body.
	notFoundCode string
}

// do sends r, retrying as the client's policy allows, and calls handle with
// the first 2xx response. handle owns the response body: it must close it
// unless it hands it to the caller. An error returned by handle is retried
// when IsRetryable says so.
func (c *Client) do(ctx context.Context, r *request, handle func(*http.Response) error) error {
	return c.withRetry(ctx, func() error { return c.attempt(ctx, r, handle) })
}

// attempt sends r once, under a watchdog that cancels it when sending the
// request, waiting for the answer or reading the body makes no progress for
// longer than the client's timeouts allow.
func (c *Client) attempt(ctx context.Context, r *request, handle func(*http.Response) error) error {
	actx, cancel := context.WithCancelCause(ctx)
	wd := newWatchdog(cancel)
	hr, body, err := c.newHTTPRequest(c.traced(actx, wd), r)
	if err != nil {
		cancel(nil)
		return err
	}
	body.watch(wd, c.timeouts.Stall)
	wd.arm(c.timeouts.Stall, PhaseSending)
	resp, err := c.http.Do(hr)
	// The transport may still hold the body; cut it off before the caller's
	// reader is rewound or reused (and before it can re-arm the watchdog).
	bodyErr := body.stop()
	wd.disarm()
	if bodyErr != nil {
		if resp != nil {
			drainClose(resp.Body)
		}
		cancel(nil)
		return bodyErr
	}
	if err != nil {
		cancel(nil)
		return transportFailure(actx, err)
	}
	resp.Body = &watchedBody{rc: resp.Body, ctx: actx, wd: wd, stall: c.timeouts.Stall, cancel: cancel}
	if resp.StatusCode >= http.StatusMultipleChoices {
		defer drainClose(resp.Body)
		return c.resyncClock(resp, responseError(resp, r.notFoundCode))
	}
	return handle(resp)
}

// traced returns ctx with the hooks that move the watchdog from sending to
// waiting for the answer, and stop it when the answer begins.
func (c *Client) traced(ctx context.Context, wd *watchdog) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest:         func(httptrace.WroteRequestInfo) { wd.arm(c.timeouts.ResponseHeader, PhaseWaiting) },
		GotFirstResponseByte: wd.disarm,
	})
}

// transportFailure turns an error of http.Client.Do into a transport
// failure: the StallError when the watchdog cancelled the attempt, without
// the URL the error text would repeat.
func transportFailure(actx context.Context, err error) error {
	if se := stallCause(actx); se != nil {
		return &transportError{err: se}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // its text repeats the URL
	}
	return &transportError{err: err}
}

// newHTTPRequest builds and signs one attempt of r.
func (c *Client) newHTTPRequest(ctx context.Context, r *request) (*http.Request, *attemptBody, error) {
	u := c.ep.url(r.bucket, r.key, encodeQuery(r.query))
	hr, err := http.NewRequestWithContext(ctx, r.method, u.String(), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("build request: %w", err)
	}
	hr.URL, hr.Host = u, u.Host
	hr.Header = r.header.Clone()
	if hr.Header == nil {
		hr.Header = http.Header{}
	}
	hr.Header.Set("User-Agent", c.userAgent)
	body, err := newAttemptBody(r.body, r.size)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case body != nil:
		hr.Body, hr.ContentLength = body, r.size
	case r.method == http.MethodPut || r.method == http.MethodPost:
		hr.Body, hr.ContentLength = http.NoBody, 0 // sent as "Content-Length: 0"
	}
	res := resource{bucket: r.bucket, encodedKey: encodeKey(r.key), query: r.query, payload: inMemoryPayload(r.body, r.size)}
	if c.signer != nil {
		c.signer.sign(hr, res, c.clock())
	} else {
		hr.Header.Set("Date", c.clock().UTC().Format(http.TimeFormat))
	}
	return hr, body, nil
}

// encodeQuery renders q sorted by name, values percent-encoded, and
// parameters with an empty value as a bare name ("uploads").
func encodeQuery(q url.Values) string {
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	slices.Sort(names)
	var b strings.Builder
	for _, name := range names {
		for _, v := range q[name] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(encodeQueryValue(name))
			if v != "" {
				b.WriteByte('=')
				b.WriteString(encodeQueryValue(v))
			}
		}
	}
	return b.String()
}

// drainClose reads a little of body so the connection can be reused, then
// closes it.
func drainClose(body io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, body, 64<<10)
	_ = body.Close()
}

// errAttemptOver is what a transport still reading an abandoned attempt's
// body gets.
var errAttemptOver = errors.New("request attempt is over")

// attemptBody hands exactly size bytes of the caller's body to one attempt.
// Once stopped, it refuses further reads, so a transport goroutine that
// outlives its request can never race with the rewind for the next attempt.
// It also tells local read failures (which must not be retried) apart from
// transport failures.
type attemptBody struct {
	mu      sync.Mutex
	r       io.Reader
	left    int64
	stopped bool
	err     error // failure of the caller's reader
	// wd is re-armed with stall whenever a read returns: the time until
	// the transport asks for more is the time the server takes to accept
	// what it was given. The caller's own reading does not count.
	wd    *watchdog
	stall time.Duration
}

// watch makes reads re-arm wd. It is nil-safe.
func (b *attemptBody) watch(wd *watchdog, stall time.Duration) {
	if b != nil {
		b.wd, b.stall = wd, stall
	}
}

// newAttemptBody rewinds r and wraps it; it returns nil when there is no
// body to send.
func newAttemptBody(r io.ReadSeeker, size int64) (*attemptBody, error) {
	if r == nil || size == 0 {
		return nil, nil
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("rewind upload body: %w", err)
	}
	return &attemptBody{r: r, left: size}, nil
}

// Read implements io.Reader.
func (b *attemptBody) Read(p []byte) (int, error) {
	if b.wd != nil {
		b.wd.disarm()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.read(p)
	if b.wd != nil && !b.stopped {
		b.wd.arm(b.stall, PhaseSending)
	}
	return n, err
}

// read does the work of Read with b.mu held.
func (b *attemptBody) read(p []byte) (int, error) {
	switch {
	case b.stopped:
		return 0, errAttemptOver
	case b.err != nil:
		return 0, b.err
	case b.left == 0:
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	switch {
	case b.left == 0:
		return n, io.EOF
	case err == io.EOF:
		b.err = fmt.Errorf("upload body ended %d bytes short of its size", b.left)
		return n, b.err
	case err != nil:
		b.err = fmt.Errorf("read upload body: %w", err)
		return n, b.err
	}
	return n, nil
}

// Close implements io.Closer; the transport calls it when done.
func (b *attemptBody) Close() error {
	b.stop()
	return nil
}

// stop ends the attempt's use of the body, waiting for a read in progress,
// and returns the caller's reader failure, if any. It is nil-safe.
func (b *attemptBody) stop() error {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.stopped = true
	return b.err
}
