package daemon_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rs/zerolog"

	"github.com/ks3sync/ks3sync/daemon"
	"github.com/ks3sync/ks3sync/syncer"
	"github.com/ks3sync/ks3sync/watcher"
)

// Cancelling the context stops the daemon cleanly: the pass in flight is
// abandoned with its paths still queued as they were (not backed off), the
// batch source has returned, and Run returns nil.
func TestStopOnCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.src.linger = time.Second
		h.start()
		h.rescan()
		h.sync.onPaths(func(ctx context.Context, _ call) (*syncer.Result, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		})
		h.change("a")
		h.wantCalls(smallPasses, "0s paths [a]")
		if err := h.stopped(); err != nil {
			t.Fatalf("Run after cancel = %v, want nil", err)
		}
		if !h.src.hasStopped() {
			t.Fatal("Run returned before the batch source")
		}
		h.wantQueue("a attempts=0 next=0s")
		if got := h.logLines("warn", "pass failed"); len(got) != 0 {
			t.Fatalf("an interrupted pass was logged as failed: %v", got)
		}
	})
}

// A batch source that fails stops the daemon with an error naming the
// pair, after stopping the other pairs; one that returns early is an error
// too.
func TestSourceFailureStopsDaemon(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"error", errors.New("inotify: no space left"), "pair docs: watcher stopped: inotify: no space left"},
		{"early return", nil, "pair docs: watcher stopped: returned while the daemon runs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := newHarness(t)
				other := newFeeder()
				h.opts.Pairs = append(h.opts.Pairs, daemon.Pair{Syncer: newFakeSyncer(t, "photos"), Source: other})
				h.start()
				h.src.fail <- tc.err
				synctest.Wait()
				select {
				case err := <-h.done:
					if err == nil || err.Error() != tc.want {
						t.Fatalf("Run = %v, want %q", err, tc.want)
					}
				default:
					t.Fatal("Run goes on after its source stopped")
				}
				if !other.hasStopped() {
					t.Fatal("the other pair's source still runs")
				}
			})
		})
	}
}

// Changes that cannot be queued are left to a full reconcile a second
// later.
func TestUnqueuedChangesReconcileSoon(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t).start()
		h.rescan()
		h.advanceTo(time.Minute)
		h.change("") // the queue refuses an empty path
		if got := h.logLines("error", "queue changes"); len(got) != 1 {
			t.Fatalf("errors %q = %v, want 1", "queue changes", got)
		}
		h.advanceTo(2 * time.Minute)
		h.wantCalls([]string{callRun}, "0s run reconcile", "1m1s run reconcile")
	})
}

func TestRunNeedsDBAndPairs(t *testing.T) {
	db := openState(t)
	pair := daemon.Pair{Syncer: newFakeSyncer(t, pairName), Source: newFeeder()}
	for name, opts := range map[string]daemon.Options{
		"no DB":    {Pairs: []daemon.Pair{pair}},
		"no pairs": {DB: db},
	} {
		if err := daemon.Run(t.Context(), opts); err == nil || !strings.Contains(err.Error(), "required") {
			t.Errorf("%s: Run = %v, want an error", name, err)
		}
	}
}

// Without a Source, the pair follows an fsnotify watcher of its root, which
// OnWatcher receives and whose first batch starts the initial reconcile.
// Real time: the kernel's notifications do not run in a bubble.
func TestDefaultSourceIsTheWatcher(t *testing.T) {
	db := openState(t)
	s := newFakeSyncer(t, pairName)
	ctx, cancel := context.WithCancel(t.Context())
	reconciled := make(chan struct{})
	s.onFull(during(func() { close(reconciled) }, succeed))
	var got *watcher.Watcher
	pair := daemon.Pair{Syncer: s, OnWatcher: func(w *watcher.Watcher) { got = w }}
	done := make(chan error, 1)
	go func() {
		done <- daemon.Run(ctx, daemon.Options{DB: db, Pairs: []daemon.Pair{pair}, Logger: zerolog.Nop()})
	}()
	select {
	case <-reconciled:
	case err := <-done:
		t.Fatalf("Run = %v before the initial reconcile", err)
	case <-time.After(10 * time.Second):
		t.Fatal("no initial reconcile from the watcher's first batch")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after cancel = %v, want nil", err)
	}
	if got == nil {
		t.Fatal("OnWatcher was not called")
	}
}
