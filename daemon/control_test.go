package daemon_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ks3sync/ks3sync/daemon"
	"github.com/ks3sync/ks3sync/syncer"
)

// withControl gives the harness a Control and a monitor.
func withControl(h *harness) *daemon.Control {
	withMonitor(h, 1)
	h.opts.Control = daemon.NewControl()
	return h.opts.Control
}

// pairStatus returns the harness pair's status now.
func (h *harness) pairStatus() *daemon.PairStatus {
	h.t.Helper()
	p, ok := h.opts.Monitor.Snapshot().Pair(pairName)
	if !ok {
		h.t.Fatalf("no pair %s in the status", pairName)
	}
	return p
}

// blockUntilDone answers a pass once its context ends, as a pass
// interrupted midway does.
func blockUntilDone(ctx context.Context, _ call) (*syncer.Result, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// SyncNow runs a full reconcile at once; asked for during a pass, it runs
// when that pass ends, and asking twice meanwhile runs one.
func TestSyncNow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		c := withControl(h)
		h.start()
		h.rescan()
		h.advanceTo(time.Minute)
		if err := c.SyncNow(pairName); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		h.wantCalls([]string{callRun}, "0s run reconcile", "1m0s run reconcile")

		h.sync.onPaths(taking(10*time.Second, nil))
		h.change("a")
		c.SyncNow(pairName)
		c.SyncNow(pairName)
		h.advanceTo(2 * time.Minute)
		h.wantCalls(allPasses, "0s run reconcile", "1m0s run reconcile", "1m0s paths [a]", "1m10s run reconcile")
		if p := h.pairStatus(); p.LastFullAt == nil || p.LastFullAt.Sub(h.t0) != 70*time.Second {
			t.Fatalf("last full reconcile at %v, want 1m10s", p.LastFullAt)
		}
	})
}

// A pause interrupts the pass in flight without failing or backing off its
// paths, runs no pass while it lasts (changes are still queued), and makes
// the pair unhealthy with the reason paused. The resume syncs the queue and
// runs the full reconcile that fell due meanwhile.
func TestPauseAndResume(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		c := withControl(h)
		h.startWith(10 * time.Minute)
		h.rescan()
		h.sync.onPaths(inTurn(blockUntilDone, succeed))
		h.change("a")
		h.wantCalls(smallPasses, "0s paths [a]")

		h.advanceTo(time.Minute)
		if err := c.Pause(pairName); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		h.wantQueue("a attempts=0 next=0s")
		p := h.pairStatus()
		if !p.Paused || p.PausedAt == nil || p.PausedAt.Sub(h.t0) != time.Minute || p.Active != "idle" ||
			p.Totals.Passes[syncer.OutcomeInterrupted] != 1 || p.ConsecutiveFailures != 0 {
			t.Fatalf("after the pause: %+v", p)
		}
		if err := c.Pause(pairName); err != nil {
			t.Fatalf("pausing a paused pair: %v", err)
		}
		if err := c.SyncNow(pairName); !errors.Is(err, daemon.ErrPaused) {
			t.Fatalf("SyncNow of a paused pair = %v, want ErrPaused", err)
		}
		h.change("b")
		h.advanceTo(30 * time.Minute) // two rescans fall due
		h.wantCalls(allPasses, "0s run reconcile", "0s paths [a]")
		h.wantQueue("a attempts=0 next=0s", "b attempts=0 next=1m0s")
		h.wantHealth(daemon.ReasonPaused, "paused for 29m0s")
		if _, metrics := get(h.opts.Monitor, "/metrics"); !strings.Contains(metrics, `ks3sync_paused{pair="docs"} 1`) {
			t.Fatalf("/metrics of a paused pair lacks ks3sync_paused 1")
		}

		if err := c.Resume(pairName); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		h.wantCalls(allPasses, "0s run reconcile", "0s paths [a]", "30m0s run reconcile")
		h.wantQueue()
		if p := h.pairStatus(); p.Paused || p.PausedAt != nil {
			t.Fatalf("after the resume: %+v", p)
		}
		h.wantHealth("", "")
		if got := h.logLines("info", "pause changed"); len(got) != 2 {
			t.Fatalf("pause log lines %v, want 2", got)
		}
	})
}

// A full reconcile interrupted by a pause runs again on the resume.
func TestPauseInterruptsReconcile(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		c := withControl(h)
		h.sync.onFull(inTurn(taking(time.Hour, nil), succeed))
		h.start()
		h.rescan()
		h.advanceTo(time.Minute)
		c.Pause(pairName)
		synctest.Wait()
		if p := h.pairStatus(); p.LastFullAt != nil || p.Active != "idle" {
			t.Fatalf("after pausing the first reconcile: %+v", p)
		}
		h.advanceTo(2 * time.Minute)
		c.Resume(pairName)
		synctest.Wait()
		h.wantCalls([]string{callRun}, "0s run reconcile", "2m0s run reconcile")
		if p := h.pairStatus(); p.LastFullAt == nil || !h.opts.Monitor.Snapshot().Ready {
			t.Fatalf("after the resume: %+v", p)
		}
	})
}

// The Control answers for the pairs of a running daemon only.
func TestControlErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		c := withControl(h)
		if err := c.SyncNow(pairName); !errors.Is(err, daemon.ErrNotRunning) {
			t.Fatalf("before Run: %v, want ErrNotRunning", err)
		}
		h.start()
		for name, f := range map[string]func(string) error{"SyncNow": c.SyncNow, "Pause": c.Pause, "Resume": c.Resume} {
			if err := f("nope"); !errors.Is(err, daemon.ErrUnknownPair) || err.Error() != `pair "nope": no such pair` {
				t.Errorf("%s of an unknown pair = %v", name, err)
			}
		}
		if err := c.Resume(pairName); err != nil {
			t.Fatalf("resuming a running pair: %v", err)
		}
		if err := daemon.Run(t.Context(), h.opts); err == nil {
			t.Fatal("a second Run took the same Control")
		}
		if err := h.stopped(); err != nil {
			t.Fatal(err)
		}
		if err := c.Pause(pairName); !errors.Is(err, daemon.ErrNotRunning) {
			t.Fatalf("after Run: %v, want ErrNotRunning", err)
		}
	})
}
