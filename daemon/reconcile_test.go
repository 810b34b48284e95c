package daemon_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ks3sync/ks3sync/planner"
)

// Nothing runs until the source's first batch asks for a rescan; that batch
// triggers the first reconcile, and the next one follows a rescan interval
// after it.
func TestInitialRescanTriggersReconcile(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.opts.StaleUploads = 24 * time.Hour
		h.startWith(10 * time.Minute)
		h.advanceTo(9 * time.Minute)
		h.wantCalls(nil)
		h.rescan()
		h.wantCalls(nil, "9m0s abort 24h0m0s", "9m0s run reconcile")
		if got := h.logLines("info", "full rescan"); len(got) != 1 || got[0]["reason"] != "watch started" {
			t.Fatalf("info %q = %v, want 1 with reason", "full rescan", got)
		}
		h.advanceTo(20 * time.Minute)
		h.wantCalls(nil,
			"9m0s abort 24h0m0s", "9m0s run reconcile",
			"19m0s abort 24h0m0s", "19m0s run reconcile",
		)
	})
}

// The full reconcile runs every rescan interval (an hour by default),
// counted from the end of the last one.
func TestPeriodicReconcile(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t).start()
		h.sync.onFull(inTurn(succeed, taking(2*time.Minute, succeed), succeed))
		h.rescan()
		h.advanceTo(3*time.Hour + 5*time.Minute)
		h.wantCalls([]string{callRun},
			"0s run reconcile",
			"1h0m0s run reconcile", // takes 2 minutes
			"2h2m0s run reconcile",
			"3h2m0s run reconcile",
		)
	})
}

// Full reconciles that fail in a row wait 5 s, 10 s, 20 s...; a success
// resets the count and the rescan interval applies again.
func TestReconcileFailuresBackOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t).start()
		down := fail(errors.New("list bucket: 503 SlowDown"))
		h.sync.onFull(inTurn(down, down, down, succeed, down, succeed))
		h.rescan()
		h.advanceTo(2*time.Hour + time.Minute)
		h.wantCalls([]string{callRun},
			"0s run reconcile",
			"5s run reconcile",
			"15s run reconcile",
			"35s run reconcile", // succeeds
			"1h0m35s run reconcile",
			"1h0m40s run reconcile", // 5 s again: the count was reset
			"2h0m40s run reconcile",
		)
		var waits []any
		for _, l := range h.logLines("error", "reconcile failed") {
			waits = append(waits, l["retry_in_seconds"])
		}
		if want := []any{5.0, 10.0, 20.0, 5.0}; !slices.Equal(waits, want) {
			t.Fatalf("retry_in_seconds of failed reconciles = %v, want %v", waits, want)
		}
	})
}

// A pass refused by the max_delete guard is a failed pass: its paths stay
// queued and back off, nothing is cleared, and the refusal is logged as an
// error with the guard's figures. A full reconcile refused likewise keeps
// the queue; the next one that succeeds clears it.
func TestGuardRefusal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t).start()
		h.rescan()
		refused := &planner.GuardError{Deletes: 40, Files: 50, Limit: planner.MaxDelete{Count: 10}, Side: planner.SideRemote}
		h.sync.onPaths(fail(refused))
		h.change("a", "b")
		h.advanceTo(6 * time.Second)
		msg := refused.Error()
		h.wantQueue(
			"a attempts=2 next=15s error="+msg,
			"b attempts=2 next=15s error="+msg,
		)
		got := h.logLines("error", "pass failed")
		if len(got) != 2 || got[0]["guard"] != "max_delete" || got[0]["side"] != "remote" || got[0]["deletes"] != 40.0 ||
			!strings.Contains(got[0]["error"].(string), "refusing to delete 40 of 50") {
			t.Fatalf("errors %q = %v, want 2 naming the guard", "pass failed", got)
		}

		h.sync.onFull(inTurn(fail(refused), succeed))
		h.rescan()
		h.wantCalls([]string{callRun}, "0s run reconcile", "6s run reconcile")
		h.wantQueue(
			"a attempts=2 next=15s error="+msg,
			"b attempts=2 next=15s error="+msg,
		)
		if got := h.logLines("error", "reconcile failed"); len(got) != 1 || got[0]["guard"] != "max_delete" {
			t.Fatalf("errors %q = %v, want 1 naming the guard", "reconcile failed", got)
		}
		h.advanceTo(11 * time.Second)
		h.wantCalls([]string{callRun}, "0s run reconcile", "6s run reconcile", "11s run reconcile")
		h.wantQueue()
		h.advanceTo(time.Hour)
		h.wantCalls(smallPasses, "0s paths [a b]", "5s paths [a b]")
	})
}

// A successful full reconcile clears the queued paths it covered, but not
// one whose item failed, one below a folder that failed, nor one marked
// again while it ran; the items it could not sync are queued with a
// backoff, so they are retried long before the next rescan.
func TestReconcileClearsWhatItCovered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t).start()
		h.sync.onPaths(failItems("a", "b", "dir/x", "dir2"))
		h.change("a", "b", "dir/x", "dir2")
		h.sync.onPaths(nil) // the next small passes succeed
		remark := func() {
			if err := h.db.MarkDirty(t.Context(), pairName, time.Now(), "b"); err != nil {
				t.Error(err)
			}
		}
		h.sync.onFull(during(remark, failItems("dir", "dir2/y")))
		h.advanceTo(time.Second)
		h.rescan()
		h.wantCalls(nil,
			"0s paths [a b dir/x dir2]",
			"1s abort 0s", "1s run reconcile",
			"1s paths [b]", // marked again: due at once
		)
		h.wantQueue(
			"dir attempts=1 next=6s error=item failed",
			"dir/x attempts=1 next=5s error=item failed",
			"dir2 attempts=1 next=5s error=item failed",
			"dir2/y attempts=1 next=6s error=item failed",
		)
		h.advanceTo(7 * time.Second)
		h.wantCalls(smallPasses,
			"0s paths [a b dir/x dir2]",
			"1s paths [b]",
			"5s paths [dir/x dir2]",
			"6s paths [dir dir2/y]",
		)
		h.wantQueue()
	})
}
