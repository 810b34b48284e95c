package ks3

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// RetryPolicy configures how a Client repeats failed requests. Zero values
// mean the defaults: 5 attempts, 200ms base delay, 20s maximum delay, and a
// 30s budget for transport failures.
//
// The delay before attempt n+1 is drawn uniformly from
// [0, min(MaxDelay, BaseDelay * 2^(n-1))) ("full jitter"). Only errors for
// which IsRetryable is true are retried; every attempt gets a fresh Date and
// signature, and an upload body is rewound to its start.
type RetryPolicy struct {
	// MaxAttempts is the total number of attempts, the first included;
	// 1 disables retries (of service errors; see Budget).
	MaxAttempts int
	BaseDelay   time.Duration
	MaxDelay    time.Duration
	// Budget is how long transport failures (connection refused or reset,
	// a failed DNS lookup, a stalled transfer) go on being retried after
	// the first attempt of a request, with the same backoff, whatever
	// MaxAttempts says: an endpoint that is away for a few seconds is
	// waited for. A negative Budget retries them MaxAttempts times only.
	Budget time.Duration
}

const (
	defaultMaxAttempts = 5
	defaultBaseDelay   = 200 * time.Millisecond
	defaultMaxDelay    = 20 * time.Second
	// DefaultRetryBudget is the default RetryPolicy.Budget.
	DefaultRetryBudget = 30 * time.Second
)

// withDefaults validates p and fills in zero values.
func (p RetryPolicy) withDefaults() (RetryPolicy, error) {
	switch {
	case p.MaxAttempts < 0:
		return p, fmt.Errorf("MaxAttempts %d is negative", p.MaxAttempts)
	case p.BaseDelay < 0:
		return p, fmt.Errorf("BaseDelay %v is negative", p.BaseDelay)
	case p.MaxDelay < 0:
		return p, fmt.Errorf("MaxDelay %v is negative", p.MaxDelay)
	}
	if p.MaxAttempts == 0 {
		p.MaxAttempts = defaultMaxAttempts
	}
	if p.BaseDelay == 0 {
		p.BaseDelay = defaultBaseDelay
	}
	if p.MaxDelay == 0 {
		p.MaxDelay = defaultMaxDelay
	}
	if p.Budget == 0 {
		p.Budget = DefaultRetryBudget
	}
	return p, nil
}

// backoffCap returns the upper bound of the delay that follows failed
// attempt n (1-based): min(MaxDelay, BaseDelay * 2^(n-1)).
func (p RetryPolicy) backoffCap(n int) time.Duration {
	d := p.BaseDelay
	for i := 1; i < n && d < p.MaxDelay; i++ {
		d *= 2
	}
	return min(d, p.MaxDelay)
}

// backoff returns a random delay in [0, backoffCap(n)).
func (p RetryPolicy) backoff(n int) time.Duration {
	limit := p.backoffCap(n)
	if limit <= 0 {
		return 0
	}
	return rand.N(limit)
}

// sleepContext waits for d or until ctx is done, whichever comes first, and
// returns ctx.Err() in the latter case.
func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// retries tracks the failed attempts of one request and decides whether
// it is worth another.
type retries struct {
	policy RetryPolicy
	n      int       // attempts that failed
	first  time.Time // when the first attempt started
}

func (c *Client) newRetries() *retries {
	return &retries{policy: c.retry, first: time.Now()}
}

// next records a failed attempt and returns the delay before the next one,
// or false when err ends the request: it is not retryable, or the attempts
// and (for transport failures) the time budget are used up. Within the
// budget no delay outlasts it, so the last attempt is made as it ends.
func (r *retries) next(err error) (time.Duration, bool) {
	r.n++
	if !IsRetryable(err) {
		return 0, false
	}
	delay := r.policy.backoff(r.n)
	if r.n < r.policy.MaxAttempts {
		return delay, true
	}
	var te *transportError
	left := r.policy.Budget - time.Since(r.first)
	if r.policy.Budget > 0 && errors.As(err, &te) && left > 0 {
		return min(delay, left), true // the last attempt comes as the budget ends
	}
	return 0, false
}

// withRetry calls attempt until it succeeds, fails with an error that is not
// retryable, the policy gives up or ctx is done. A done context ends the
// loop at once with ctx.Err(). Every outcome is reported to the circuit
// breaker, which refuses the attempt while it is open.
func (c *Client) withRetry(ctx context.Context, attempt func() error) error {
	resynced := false
	r := c.newRetries()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		probe, err := c.breaker.allow()
		if err != nil {
			return err
		}
		err = attempt()
		if ctxErr := ctx.Err(); ctxErr != nil && err != nil {
			c.breaker.release(probe) // cancelled: says nothing of the endpoint
			return ctxErr
		}
		c.breaker.observe(probe, err)
		if err == nil {
			return nil
		}
		var skewErr *clockSkewError
		if errors.As(err, &skewErr) {
			if resynced {
				return skewErr.err
			}
			resynced = true // once, at once, with the corrected clock
			continue
		}
		delay, again := r.next(err)
		if !again {
			if open := c.breaker.openError(); open != nil && IsRetryable(err) {
				return open // this failure is one of those that opened it
			}
			return err
		}
		if err := c.sleep(ctx, delay); err != nil {
			return err
		}
	}
}
