package callback

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/ks3sync/ks3sync/ks3server/apierr"
)

// DefaultTimeout bounds each attempt to reach a callback URL when
// Options.Timeout is zero.
const DefaultTimeout = 3 * time.Second

// attempts is how often an unanswered callback is tried.
const attempts = 3

// maxAnswer bounds how much of the application's answer is read.
const maxAnswer = 64 << 10

// Options configure a Poster.
type Options struct {
	// Timeout bounds each attempt; 0 means DefaultTimeout.
	Timeout time.Duration
	// AllowPrivate lets callbacks reach loopback, private and link-local
	// addresses: for tests, and for servers whose applications run beside
	// them on purpose.
	AllowPrivate bool
}

// Poster posts callbacks to application servers. It is safe for concurrent
// use.
type Poster struct {
	client  *http.Client
	timeout time.Duration
}

// NewPoster returns a poster for opts.
func NewPoster(opts Options) *Poster {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	dialer := &net.Dialer{Timeout: timeout}
	if !opts.AllowPrivate {
		dialer.Control = refusePrivate
	}
	transport := &http.Transport{
		Proxy:               nil, // callbacks go straight to the application
		DialContext:         dialer.DialContext,
		TLSHandshakeTimeout: timeout,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     time.Minute,
	}
	return &Poster{client: &http.Client{Transport: transport, Timeout: timeout}, timeout: timeout}
}

// Run posts the callback until the application answers, at most three
// times, and returns nil only for {"result":true}. Failures are
// apierr.CallbackFail or apierr.CallbackTimeout.
func (p *Poster) Run(ctx context.Context, c *Spec, v Vars) error {
	body := c.render(v)
	var lastErr error
	for range attempts {
		accepted, err := p.post(ctx, c.url, body)
		if err == nil {
			if !accepted {
				return apierr.CallbackFail
			}
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("upload callback: %w", ctx.Err())
		}
		var refused *RefusedAddressError
		if errors.As(err, &refused) {
			return apierr.CallbackFail.WithMessage("The callback URL leads to %s, which this server does not call.", refused.Addr)
		}
		lastErr = err
	}
	var netErr interface{ Timeout() bool }
	if errors.Is(lastErr, context.DeadlineExceeded) || (errors.As(lastErr, &netErr) && netErr.Timeout()) {
		return apierr.CallbackTimeout
	}
	return apierr.CallbackFail.WithMessage("The callback server could not be reached: %v.", lastErr)
}

// post makes one attempt. It returns an error only when no answer came.
func (p *Poster) post(ctx context.Context, target string, body []byte) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.client.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return false, err
	}
	if resp.StatusCode/100 != 2 {
		return false, nil
	}
	var result struct {
		Result bool `json:"result"`
	}
	if err := json.Unmarshal(answer, &result); err != nil {
		return false, nil
	}
	return result.Result, nil
}
