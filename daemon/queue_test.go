package daemon_test

import (
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ks3sync/ks3sync/internal/sqlitex"
)

var smallPasses = []string{callPaths}

// allPasses are the calls that run a pass, full or small.
var allPasses = []string{callRun, callPaths}

// A path that keeps failing is retried after 5 s, then waits twice as long
// each time, up to 10 minutes; a new change to it is tried at once.
func TestRetryBackoffDoubles(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t).start()
		h.sync.onPaths(failItems("a"))
		h.rescan()
		h.change("a")
		h.advanceTo(31 * time.Minute)
		want := []string{
			"0s paths [a]",
			"5s paths [a]",     // +5 s
			"15s paths [a]",    // +10 s
			"35s paths [a]",    // +20 s
			"1m15s paths [a]",  // +40 s
			"2m35s paths [a]",  // +80 s
			"5m15s paths [a]",  // +160 s
			"10m35s paths [a]", // +320 s
			"20m35s paths [a]", // +10 min, capped
			"30m35s paths [a]", // +10 min
		}
		h.wantCalls(smallPasses, want...)
		h.wantQueue("a attempts=10 next=40m35s error=item failed")

		h.change("a")
		h.wantCalls(smallPasses, append(want, "31m0s paths [a]")...)
		h.wantQueue("a attempts=11 next=41m0s error=item failed")
	})
}

// The retry timer is armed for the earliest backed-off path, so each path
// is retried exactly when it is due, alone.
func TestRetryArmsEarliest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t).start()
		h.sync.onPaths(failItems("a", "b"))
		h.rescan()
		h.change("a")
		h.advanceTo(3 * time.Second)
		h.change("b")
		h.advanceTo(40 * time.Second)
		h.wantCalls(smallPasses,
			"0s paths [a]",
			"3s paths [b]",
			"5s paths [a]",
			"8s paths [b]",
			"15s paths [a]",
			"18s paths [b]",
			"35s paths [a]",
			"38s paths [b]",
		)
		h.wantQueue(
			"a attempts=4 next=1m15s error=item failed",
			"b attempts=4 next=1m18s error=item failed",
		)
	})
}

// After a small pass, the paths that synced leave the queue, the failed
// ones (and a folder with a failed item inside) are backed off, and a path
// marked again while the pass ran stays queued and is passed again.
func TestSettle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t).start()
		h.rescan()
		remark := func() {
			if err := h.db.MarkDirty(t.Context(), pairName, time.Now(), "c"); err != nil {
				t.Error(err)
			}
		}
		h.sync.onPaths(inTurn(during(remark, failItems("b", "dir/x")), succeed))
		h.change("a", "b", "c", "dir")
		h.wantCalls(smallPasses,
			"0s paths [a b c dir]",
			"0s paths [c]",
		)
		h.wantQueue(
			"b attempts=1 next=5s error=item failed",
			"dir attempts=1 next=5s error=item failed",
		)
		h.advanceTo(time.Minute)
		h.wantCalls(smallPasses,
			"0s paths [a b c dir]",
			"0s paths [c]",
			"5s paths [b dir]",
		)
		h.wantQueue()
	})
}

// A pass that could not be carried out backs off all of its paths, with
// the pass's error as their last error, and is logged as a warning.
func TestPassErrorBacksOffAll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t).start()
		h.rescan()
		h.sync.onPaths(fail(errors.New("list bucket: connection refused")))
		h.change("a", "b")
		h.wantQueue(
			"a attempts=1 next=5s error=list bucket: connection refused",
			"b attempts=1 next=5s error=list bucket: connection refused",
		)
		if got := h.logLines("warn", "pass failed"); len(got) != 1 {
			t.Fatalf("warnings %q = %v, want 1", "pass failed", got)
		}
	})
}

// When the queue cannot be written, the loop waits the first backoff step
// before passing the same paths again instead of repeating them at once,
// and carries on when the queue works again.
func TestQueueWriteFailureWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t).start()
		h.rescan()
		raw, err := sqlitex.Open(h.path)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		// The disk is full for writes that change the queue; reads work.
		for _, q := range []string{
			`CREATE TRIGGER full_update BEFORE UPDATE ON dirty BEGIN SELECT RAISE(ABORT, 'disk full'); END`,
			`CREATE TRIGGER full_delete BEFORE DELETE ON dirty BEGIN SELECT RAISE(ABORT, 'disk full'); END`,
		} {
			if _, err := raw.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		h.change("a")
		h.advanceTo(12 * time.Second)
		h.wantCalls(smallPasses, "0s paths [a]", "5s paths [a]", "10s paths [a]")
		if got := h.logLines("error", "dirty queue"); len(got) != 3 || got[0]["retry_in_seconds"] != 5.0 {
			t.Fatalf("errors %q = %v, want 3 with retry_in_seconds 5", "dirty queue", got)
		}

		if _, err := raw.Exec(`DROP TRIGGER full_update; DROP TRIGGER full_delete`); err != nil {
			t.Fatal(err)
		}
		h.advanceTo(time.Minute)
		h.wantCalls(smallPasses, "0s paths [a]", "5s paths [a]", "10s paths [a]", "15s paths [a]")
		h.wantQueue()
	})
}

// A path changed again while its pass ran and then failed is passed again
// at once: the failure's backoff applies to the old change only.
func TestChangeDuringFailedPassStaysDue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t).start()
		h.rescan()
		remark := func() {
			if err := h.db.MarkDirty(t.Context(), pairName, time.Now(), "a"); err != nil {
				t.Error(err)
			}
		}
		h.sync.onPaths(inTurn(during(remark, fail(errors.New("list bucket: 503 SlowDown"))), succeed))
		h.change("a")
		h.wantCalls(smallPasses, "0s paths [a]", "0s paths [a]")
		h.wantQueue()
	})
}

// The paths of a pass that failed as a whole are due again at one time,
// however the clock moves while their failures are recorded and whatever
// their attempts before, and so are retried in one pass: a pass the
// max_delete guard refused must not come back as smaller passes that each
// get through the guard.
func TestFailedPassRetriesTogether(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		var ticks time.Duration
		h.opts.Now = func() time.Time { // a millisecond passes at every reading of the loop
			ticks += time.Millisecond
			return time.Now().Add(ticks)
		}
		c := withControl(h) // its monitor reads the real clock
		h.start()
		h.rescan()
		h.sync.onPaths(inTurn(failItems("a"), fail(errors.New("refused")), succeed))
		h.change("a") // a fails once
		c.Pause(pairName)
		h.advance(6 * time.Second)
		h.change("b", "c", "d")
		c.Resume(pairName) // a, b, c and d go in one pass, refused
		synctest.Wait()
		q := h.queue()
		next := func(entry string) string { return strings.Fields(entry)[2] }
		if len(q) != 4 || next(q[1]) != next(q[0]) || next(q[2]) != next(q[0]) || next(q[3]) != next(q[0]) {
			t.Fatalf("queue after the failed pass: %q, want one next attempt for all", q)
		}
		h.advance(time.Minute)
		calls := h.sync.recorded(callPaths)
		if len(calls) != 3 || len(calls[1].Paths) != 4 || len(calls[2].Paths) != 4 {
			t.Fatalf("passes %v, want the refused one and one retry of all four paths", calls)
		}
		h.wantQueue()
	})
}
