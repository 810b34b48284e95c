package daemon

import (
	"errors"
	"fmt"
	"sync"
)

// Errors of the Control's actions, for errors.Is.
var (
	ErrUnknownPair = errors.New("no such pair")
	ErrNotRunning  = errors.New("the daemon is not running")
	ErrPaused      = errors.New("the pair is paused")
)

// Control pauses, resumes and triggers the pairs of a running daemon: pass
// it in Options.Control, then call it from any goroutine while Run runs.
// Its methods never wait for a pass. Pauses last until Resume or the end of
// Run: a daemon always starts with every pair running.
type Control struct {
	mu    sync.Mutex
	gates map[string]*gate // nil while no Run uses the Control
}

// NewControl returns a Control for one Run at a time.
func NewControl() *Control { return &Control{} }

// SyncNow asks for a full reconcile of the pair, which starts once the pass
// in flight, if any, has ended. Asking again before it starts asks for one
// reconcile, not two. It returns ErrPaused when the pair is paused.
func (c *Control) SyncNow(pair string) error {
	g, err := c.gate(pair)
	if err != nil {
		return err
	}
	if err := g.syncNow(); err != nil {
		return fmt.Errorf("sync pair %s now: %w", pair, err)
	}
	return nil
}

// Pause stops the pair's passes until Resume. A pass in flight is
// interrupted as by a stop of the daemon: what it finished stays done, and
// the finished parts of a large upload are not sent again. Local changes
// keep being queued meanwhile. Pausing a paused pair changes nothing.
func (c *Control) Pause(pair string) error {
	g, err := c.gate(pair)
	if err != nil {
		return err
	}
	g.setPaused(true)
	return nil
}

// Resume lets a paused pair sync again: the queued changes first, and a
// full reconcile if one fell due or was interrupted while it was paused.
// Resuming a running pair changes nothing.
func (c *Control) Resume(pair string) error {
	g, err := c.gate(pair)
	if err != nil {
		return err
	}
	g.setPaused(false)
	return nil
}

// gate returns the gate of a pair of the running daemon.
func (c *Control) gate(pair string) (*gate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gates == nil {
		return nil, ErrNotRunning
	}
	g, ok := c.gates[pair]
	if !ok {
		return nil, fmt.Errorf("pair %q: %w", pair, ErrUnknownPair)
	}
	return g, nil
}

// attach hands the Control the gates of a starting Run.
func (c *Control) attach(gates []*gate) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gates != nil {
		return errors.New("daemon: the Control is already used by a running daemon")
	}
	c.gates = make(map[string]*gate, len(gates))
	for _, g := range gates {
		c.gates[g.pair] = g
	}
	return nil
}

// detach forgets the gates of a Run that ended.
func (c *Control) detach() {
	c.mu.Lock()
	c.gates = nil
	c.mu.Unlock()
}
