package daemon

import "time"

const (
	firstBackoff = 5 * time.Second
	maxBackoff   = 10 * time.Minute
)

// Backoff is the wait before the n-th retry of a failed path or full
// reconcile: 5 s doubling up to 10 minutes (5 s for n < 2).
func Backoff(n int) time.Duration {
	d := firstBackoff
	for i := 1; i < n && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}
