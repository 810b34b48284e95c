package ks3

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// RetryPolicy configures how a Client repeats failed requests. Zero values
// mean the defaults: 5 attempts, 200ms base delay, 20s maximum delay.
//
// The delay before attempt n+1 is drawn uniformly from
// [0, min(MaxDelay, BaseDelay * 2^(n-1))) ("full jitter"). Only errors for
// which IsRetryable is true are retried; every attempt gets a fresh Date and
// signature, and an upload body is rewound to its start.
type RetryPolicy struct {
	// MaxAttempts is the total number of attempts, the first included;
	// 1 disables retries.
	MaxAttempts int
	BaseDelay   time.Duration
	MaxDelay    time.Duration
}

const (
	defaultMaxAttempts = 5
	defaultBaseDelay   = 200 * time.Millisecond
	defaultMaxDelay    = 20 * time.Second
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

// withRetry calls attempt until it succeeds, fails with an error that is not
// retryable, the policy's attempts are used up or ctx is done. A done
// context ends the loop at once with ctx.Err().
func (c *Client) withRetry(ctx context.Context, attempt func() error) error {
	resynced := false
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := attempt()
		if err == nil {
			return nil
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		var skewErr *clockSkewError
		if errors.As(err, &skewErr) {
			if resynced {
				return skewErr.err
			}
			resynced = true // once, at once, with the corrected clock
			n--
			continue
		}
		if n >= c.retry.MaxAttempts || !IsRetryable(err) {
			return err
		}
		if err := c.sleep(ctx, c.retry.backoff(n)); err != nil {
			return err
		}
	}
}
