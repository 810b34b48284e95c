package daemon_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/daemon"
	"github.com/ks3sync/ks3sync/state"
	"github.com/ks3sync/ks3sync/syncer"
	"github.com/ks3sync/ks3sync/watcher"
)

// Kinds of call the fake syncer records.
const (
	callRun   = "run"   // Syncer.Run, a full reconcile
	callPaths = "paths" // Syncer.RunPaths, a small pass
	callAbort = "abort" // Syncer.AbortStale
)

// call is one call the loop made of its Syncer, at the (virtual) time it
// began.
type call struct {
	At    time.Time
	Kind  string
	Run   string        // Run's kind of run
	Paths []string      // RunPaths's paths
	Age   time.Duration // AbortStale's age
}

// passFunc answers one Run or RunPaths call; a nil passFunc succeeds.
type passFunc func(ctx context.Context, c call) (*syncer.Result, error)

// fakeSyncer stands in for a pair's syncer: it records every call and
// answers passes from scripts that a test may swap while the loop runs.
// Past limit calls it fails the test and calls onSpin, so that a loop
// that spins without waiting ends instead of hanging the bubble.
type fakeSyncer struct {
	t      *testing.T
	opts   syncer.Options
	limit  int
	onSpin func()

	mu    sync.Mutex
	calls []call
	full  passFunc // answers Run
	small passFunc // answers RunPaths
}

var _ daemon.Syncer = (*fakeSyncer)(nil)

func newFakeSyncer(t *testing.T, pair string) *fakeSyncer {
	return &fakeSyncer{t: t, opts: syncer.Options{Pair: pair, Root: t.TempDir()}, limit: 1000}
}

func (f *fakeSyncer) Options() syncer.Options { return f.opts }

func (f *fakeSyncer) Run(ctx context.Context, kind string) (*syncer.Result, error) {
	c := f.record(call{Kind: callRun, Run: kind})
	return f.script(&f.full)(ctx, c)
}

func (f *fakeSyncer) RunPaths(ctx context.Context, paths []string) (*syncer.Result, error) {
	c := f.record(call{Kind: callPaths, Paths: slices.Clone(paths)})
	return f.script(&f.small)(ctx, c)
}

func (f *fakeSyncer) AbortStale(_ context.Context, age time.Duration) (int, error) {
	f.record(call{Kind: callAbort, Age: age})
	return 0, nil
}

// record stamps c with the time and keeps it.
func (f *fakeSyncer) record(c call) call {
	c.At = time.Now()
	f.mu.Lock()
	f.calls = append(f.calls, c)
	n := len(f.calls)
	f.mu.Unlock()
	if n > f.limit && f.onSpin != nil {
		f.t.Errorf("more than %d calls of the syncer: the loop does not wait", f.limit)
		f.onSpin()
	}
	return c
}

// script returns the script at p, or succeed when it is nil.
func (f *fakeSyncer) script(p *passFunc) passFunc {
	f.mu.Lock()
	defer f.mu.Unlock()
	if *p == nil {
		return succeed
	}
	return *p
}

// onFull and onPaths set the scripts for Run and RunPaths.
func (f *fakeSyncer) onFull(fn passFunc) {
	f.mu.Lock()
	f.full = fn
	f.mu.Unlock()
}

func (f *fakeSyncer) onPaths(fn passFunc) {
	f.mu.Lock()
	f.small = fn
	f.mu.Unlock()
}

// recorded returns the calls so far of the given kinds (all if none).
func (f *fakeSyncer) recorded(kinds ...string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if len(kinds) == 0 || slices.Contains(kinds, c.Kind) {
			out = append(out, c)
		}
	}
	return out
}

// succeed answers a pass that did everything.
func succeed(context.Context, call) (*syncer.Result, error) { return &syncer.Result{}, nil }

// fail answers a pass that could not be carried out.
func fail(err error) passFunc {
	return func(context.Context, call) (*syncer.Result, error) { return nil, err }
}

// failItems answers a pass that ran, but whose items at paths failed.
func failItems(paths ...string) passFunc {
	return func(context.Context, call) (*syncer.Result, error) {
		res := &syncer.Result{FailedPaths: paths}
		res.Counts.Failed = len(paths)
		for _, p := range paths {
			res.Errors = append(res.Errors, p+": permission denied")
		}
		return res, nil
	}
}

// taking answers like fn after d of virtual time, or with ctx's error.
func taking(d time.Duration, fn passFunc) passFunc {
	return func(ctx context.Context, c call) (*syncer.Result, error) {
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if fn == nil {
			fn = succeed
		}
		return fn(ctx, c)
	}
}

// during runs side while the pass is in flight, then answers like fn.
func during(side func(), fn passFunc) passFunc {
	return func(ctx context.Context, c call) (*syncer.Result, error) {
		side()
		return fn(ctx, c)
	}
}

// inTurn answers the i-th call with fns[i], and the calls after the last
// with the last.
func inTurn(fns ...passFunc) passFunc {
	var mu sync.Mutex
	i := 0
	return func(ctx context.Context, c call) (*syncer.Result, error) {
		mu.Lock()
		fn := fns[min(i, len(fns)-1)]
		i++
		mu.Unlock()
		if fn == nil {
			fn = succeed
		}
		return fn(ctx, c)
	}
}

// feeder is a BatchSource the test drives: what it is given reaches the
// loop the way a watcher's batches would.
type feeder struct {
	in      chan watcher.Batch
	fail    chan error
	stopped chan struct{} // closed when Run has returned
	// linger is how long Run takes to return once ctx is done, as a
	// watcher closing its notifications would.
	linger time.Duration
}

var _ daemon.BatchSource = (*feeder)(nil)

func newFeeder() *feeder {
	return &feeder{in: make(chan watcher.Batch), fail: make(chan error), stopped: make(chan struct{})}
}

// Run forwards batches until ctx is done, or returns what is sent on fail.
func (f *feeder) Run(ctx context.Context, out chan<- watcher.Batch) error {
	defer close(f.stopped)
	for {
		select {
		case <-ctx.Done():
			time.Sleep(f.linger)
			return nil
		case err := <-f.fail:
			return err
		case b := <-f.in:
			select {
			case out <- b:
			case <-ctx.Done():
				time.Sleep(f.linger)
				return nil
			}
		}
	}
}

// hasStopped reports whether Run has returned.
func (f *feeder) hasStopped() bool {
	select {
	case <-f.stopped:
		return true
	default:
		return false
	}
}

// syncBuffer is a log sink the loop writes while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// since formats a call relative to t0 for comparisons, as in
// "5s paths [a b]" or "1h0m0s run reconcile".
func (c call) since(t0 time.Time) string {
	s := fmt.Sprintf("%v %s", c.At.Sub(t0), c.Kind)
	switch c.Kind {
	case callRun:
		s += " " + c.Run
	case callPaths:
		s += fmt.Sprint(" ", c.Paths)
	case callAbort:
		s += " " + c.Age.String()
	}
	return s
}

// openState opens a new state database, closed when the test ends.
func openState(t *testing.T) *state.DB {
	t.Helper()
	db, err := state.Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
