package daemon

import (
	"context"
	"sync"
	"time"
)

// gate is one pair's pause switch and sync-now trigger, shared by the
// pair's loop and the Control. It tells the monitor about pauses itself, in
// the order they happen.
type gate struct {
	pair    string
	mon     *Monitor
	now     func() time.Time
	trigger chan struct{} // holds a signal while a full reconcile is asked for
	changed chan struct{} // holds a signal after a pause or a resume

	mu     sync.Mutex
	paused bool
	cancel context.CancelCauseFunc // of the pass in flight; nil when none
}

func newGate(pair string, mon *Monitor, now func() time.Time) *gate {
	return &gate{pair: pair, mon: mon, now: now, trigger: make(chan struct{}, 1), changed: make(chan struct{}, 1)}
}

// syncNow asks the loop for a full reconcile, unless the pair is paused.
func (g *gate) syncNow() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.paused {
		return ErrPaused
	}
	signal(g.trigger)
	return nil
}

// setPaused pauses the pair, interrupting its pass in flight, or resumes
// it, and wakes the loop.
func (g *gate) setPaused(paused bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.paused == paused {
		return
	}
	g.paused = paused
	if paused && g.cancel != nil {
		g.cancel(ErrPaused)
	}
	g.mon.pauseChanged(g.pair, paused, g.now())
	signal(g.changed)
}

func (g *gate) isPaused() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.paused
}

// begin returns the context of a pass, which a pause cancels with the cause
// ErrPaused, and the function that ends the pass. It returns ErrPaused
// instead when the pair is paused.
func (g *gate) begin(ctx context.Context) (context.Context, func(), error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.paused {
		return nil, nil, ErrPaused
	}
	pctx, cancel := context.WithCancelCause(ctx)
	g.cancel = cancel
	end := func() {
		g.mu.Lock()
		g.cancel = nil
		g.mu.Unlock()
		cancel(nil)
	}
	return pctx, end, nil
}

// signal leaves a signal on ch unless one is already waiting.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
