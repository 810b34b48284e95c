package ks3

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"
)

// Timeouts bound how long a request may wait on the server without
// progress; a slow server that keeps moving bytes is never cut off. An
// attempt that exceeds one is cancelled and fails with a *StallError,
// which is retried like any transport failure (a GetObject body resumes
// where it stopped). Zero values mean the defaults; a negative value
// removes that limit.
type Timeouts struct {
	// ResponseHeader is how long to wait for the response header once the
	// request has been sent; 0 means DefaultResponseHeaderTimeout.
	ResponseHeader time.Duration
	// Stall is how long an upload body may go without the server taking a
	// byte, or a read of a response body without a byte arriving; 0 means
	// DefaultStallTimeout.
	Stall time.Duration
}

// Defaults of Timeouts.
const (
	DefaultResponseHeaderTimeout = 60 * time.Second
	DefaultStallTimeout          = 60 * time.Second
)

// withDefaults fills in zero values.
func (t Timeouts) withDefaults() Timeouts {
	if t.ResponseHeader == 0 {
		t.ResponseHeader = DefaultResponseHeaderTimeout
	}
	if t.Stall == 0 {
		t.Stall = DefaultStallTimeout
	}
	return t
}

// Phases of a request named by StallError.
const (
	PhaseSending   = "sending the request"
	PhaseWaiting   = "waiting for the response header"
	PhaseReceiving = "reading the response body"
)

// StallError reports an attempt cancelled because it made no progress for
// After while in Phase (PhaseSending, PhaseWaiting or PhaseReceiving). It
// arrives wrapped as a transport failure, for which IsRetryable is true.
type StallError struct {
	Phase string
	After time.Duration
}

// Error reads like "no progress for 1m0s while waiting for the response
// header".
func (e *StallError) Error() string {
	return fmt.Sprintf("no progress for %s while %s", e.After, e.Phase)
}

// Timeout reports true: a StallError is a net.Error that timed out.
func (e *StallError) Timeout() bool { return true }

// Temporary reports true, for net.Error.
func (e *StallError) Temporary() bool { return true }

// watchdog cancels one attempt when a phase of it lasts longer than its
// limit without being re-armed. It is safe for concurrent use: the
// transport calls into it from its own goroutines.
type watchdog struct {
	cancel context.CancelCauseFunc

	mu       sync.Mutex
	timer    *time.Timer
	deadline time.Time // zero: disarmed
	phase    string
	after    time.Duration
	stopped  bool
}

func newWatchdog(cancel context.CancelCauseFunc) *watchdog {
	return &watchdog{cancel: cancel}
}

// arm (re)starts the countdown: unless re-armed or disarmed within d, the
// attempt is cancelled with a StallError naming phase. d <= 0 disarms.
func (w *watchdog) arm(d time.Duration, phase string) {
	if d <= 0 {
		w.disarm()
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return
	}
	w.deadline, w.phase, w.after = time.Now().Add(d), phase, d
	if w.timer == nil {
		w.timer = time.AfterFunc(d, w.fire)
	} else {
		w.timer.Reset(d)
	}
}

// disarm stops the countdown until the next arm.
func (w *watchdog) disarm() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.deadline = time.Time{}
	if w.timer != nil {
		w.timer.Stop()
	}
}

// stop disarms the watchdog for good.
func (w *watchdog) stop() {
	w.disarm()
	w.mu.Lock()
	w.stopped = true
	w.mu.Unlock()
}

// fire cancels the attempt if its deadline has really passed: a timer that
// went off just as it was re-armed re-arms itself for the rest.
func (w *watchdog) fire() {
	w.mu.Lock()
	if w.stopped || w.deadline.IsZero() {
		w.mu.Unlock()
		return
	}
	if left := time.Until(w.deadline); left > 0 {
		w.timer.Reset(left)
		w.mu.Unlock()
		return
	}
	err := &StallError{Phase: w.phase, After: w.after}
	w.stopped = true
	w.mu.Unlock()
	w.cancel(err)
}

// stallCause returns the StallError that cancelled ctx, if that is why it
// is done.
func stallCause(ctx context.Context) *StallError {
	se, _ := context.Cause(ctx).(*StallError)
	return se
}

// watchedBody is a response body whose reads are watched: a read that
// waits longer than the stall limit for its first byte cancels the attempt.
// Closing it ends the attempt.
type watchedBody struct {
	rc     io.ReadCloser
	ctx    context.Context // the attempt's, to learn why it ended
	wd     *watchdog
	stall  time.Duration
	cancel context.CancelCauseFunc
}

// Read implements io.Reader. A read error other than io.EOF is a transport
// failure.
func (b *watchedBody) Read(p []byte) (int, error) {
	b.wd.arm(b.stall, PhaseReceiving)
	n, err := b.rc.Read(p)
	b.wd.disarm()
	if err == nil || err == io.EOF {
		return n, err
	}
	if se := stallCause(b.ctx); se != nil {
		return n, &transportError{err: se}
	}
	return n, &transportError{err: err}
}

// Close implements io.Closer.
func (b *watchedBody) Close() error {
	b.wd.stop()
	err := b.rc.Close()
	b.cancel(nil)
	return err
}
