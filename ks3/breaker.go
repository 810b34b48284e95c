package ks3

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// BreakerPolicy configures a Client's circuit breaker. When every request
// to the endpoint has failed for a while (the server is down, or answers
// every request with 500), going on costs each caller its whole retry
// schedule for nothing: the open breaker fails requests at once, without
// sending them, with a *CircuitOpenError that says why. After Cooldown it
// lets one request through to probe the endpoint; the first request that
// gets an answer closes it again.
//
// Failures that open it are those IsRetryable accepts (transport failures,
// 5xx, 408, 429, SlowDown); any other answer, even an error such as
// NoSuchKey, shows that the endpoint works and ends the run of failures.
// Zero values mean the defaults.
type BreakerPolicy struct {
	// Window is how long the requests must have been failing, every one
	// of them, before the breaker opens: the time from the first to the
	// latest failure of an unbroken run. 0 means DefaultBreakerWindow; a
	// negative Window disables the breaker.
	Window time.Duration
	// Failures is the fewest failed attempts in a row that open the
	// breaker; 0 means 3.
	Failures int
	// Cooldown is how long an open breaker refuses requests before it lets
	// one through to probe the endpoint; 0 means 5s.
	Cooldown time.Duration
}

// Defaults of BreakerPolicy.
const (
	DefaultBreakerWindow = 30 * time.Second
	defaultBreakerFails  = 3
	defaultCooldown      = 5 * time.Second
)

// withDefaults validates p and fills in zero values.
func (p BreakerPolicy) withDefaults() (BreakerPolicy, error) {
	switch {
	case p.Failures < 0:
		return p, fmt.Errorf("negative Breaker.Failures %d", p.Failures)
	case p.Cooldown < 0:
		return p, fmt.Errorf("negative Breaker.Cooldown %v", p.Cooldown)
	}
	if p.Window == 0 {
		p.Window = DefaultBreakerWindow
	}
	if p.Failures == 0 {
		p.Failures = defaultBreakerFails
	}
	if p.Cooldown == 0 {
		p.Cooldown = defaultCooldown
	}
	return p, nil
}

// CircuitOpenError is the answer of a Client whose circuit breaker is open
// (see BreakerPolicy): the request was not sent. It is not retryable; it
// unwraps to the last failure.
type CircuitOpenError struct {
	// Endpoint is the endpoint's URL, such as "https://ks3-cn-beijing.ksyuncs.com".
	Endpoint string
	// Failures counts the failed attempts in a row, and Over is the time
	// from the first of them to the one that opened the breaker.
	Failures int
	Over     time.Duration
	// Last is the latest failure.
	Last error
}

// Error reads like "endpoint http://127.0.0.1:9000 failed every request
// for 31s (12 in a row); last error: connection refused".
func (e *CircuitOpenError) Error() string {
	return fmt.Sprintf("endpoint %s failed every request for %s (%d in a row); last error: %v",
		e.Endpoint, e.Over.Round(time.Second), e.Failures, e.Last)
}

// Unwrap returns the last failure.
func (e *CircuitOpenError) Unwrap() error { return e.Last }

// breaker is a Client's circuit breaker; all its methods are safe for
// concurrent use, and a nil breaker (disabled) allows everything.
type breaker struct {
	policy   BreakerPolicy
	endpoint string
	now      func() time.Time // monotonic time; tests replace it

	mu       sync.Mutex
	failures int       // failed attempts in a row
	first    time.Time // the first of them
	last     error     // the latest of them
	opened   time.Time // zero while closed
	over     time.Duration
	probing  bool // an attempt is probing the endpoint
}

// newBreaker returns the breaker of p (already with defaults), nil when it
// is disabled.
func newBreaker(p BreakerPolicy, endpoint string) *breaker {
	if p.Window < 0 {
		return nil
	}
	return &breaker{policy: p, endpoint: endpoint, now: time.Now}
}

// allow admits an attempt, or refuses it while the breaker is open. probe
// is true for the one attempt that tests an open breaker's endpoint; the
// attempt's outcome must be reported with observe or release.
func (b *breaker) allow() (probe bool, err error) {
	if b == nil {
		return false, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.opened.IsZero():
		return false, nil
	case b.probing || b.now().Sub(b.opened) < b.policy.Cooldown:
		return false, &CircuitOpenError{Endpoint: b.endpoint, Failures: b.failures, Over: b.over, Last: b.last}
	}
	b.probing = true
	return true, nil
}

// openError returns the *CircuitOpenError of an open breaker, nil while it
// is closed.
func (b *breaker) openError() error {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.opened.IsZero() {
		return nil
	}
	return &CircuitOpenError{Endpoint: b.endpoint, Failures: b.failures, Over: b.over, Last: b.last}
}

// observe records the outcome of an attempt that was sent.
func (b *breaker) observe(probe bool, err error) {
	if b == nil {
		return
	}
	var e *Error
	switch {
	case err == nil || (!IsRetryable(err) && errors.As(err, &e)):
		b.succeeded()
	case IsRetryable(err):
		b.failed(probe, err)
	default:
		b.release(probe) // a local failure says nothing of the endpoint
	}
}

// succeeded closes the breaker: the endpoint answered.
func (b *breaker) succeeded() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures, b.last, b.opened, b.probing = 0, nil, time.Time{}, false
}

// failed counts a failed attempt and opens the breaker when the run of
// failures is long enough, or reopens it when the probe failed.
func (b *breaker) failed(probe bool, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	if b.failures == 0 {
		b.first = now
	}
	b.failures++
	b.last = err
	switch {
	case probe:
		b.probing, b.opened = false, now
	case b.opened.IsZero() && b.failures >= b.policy.Failures && now.Sub(b.first) >= b.policy.Window:
		b.opened, b.over = now, now.Sub(b.first)
	}
}

// release ends a probe whose outcome says nothing (it was cancelled, or
// failed locally), so that another attempt may probe.
func (b *breaker) release(probe bool) {
	if b == nil || !probe {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.probing = false
}
