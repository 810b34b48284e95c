package daemon_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rs/zerolog"

	"github.com/ks3sync/ks3sync/daemon"
	"github.com/ks3sync/ks3sync/state"
	"github.com/ks3sync/ks3sync/watcher"
)

// pairName is the name of the harness's pair in the state store.
const pairName = "docs"

// harness runs the daemon for one pair on a fake syncer and a fed batch
// source, with a real state DB, inside a synctest bubble: time is virtual,
// so hours of backoff and rescans pass in milliseconds. Create it inside
// synctest.Test; the cleanup stops the daemon and closes the DB.
type harness struct {
	t    *testing.T
	path string // of the state DB
	db   *state.DB
	sync *fakeSyncer
	src  *feeder
	logs *syncBuffer
	opts daemon.Options

	t0   time.Time // when the daemon started
	stop context.CancelFunc
	done chan error // receives Run's result once, then is closed
}

// newHarness opens the DB and makes the fakes; configure h.opts, the
// scripts and the queue, then call start.
func newHarness(t *testing.T) *harness {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.db")
	db, err := state.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	h := &harness{t: t, path: path, db: db, sync: newFakeSyncer(t, pairName), src: newFeeder(), logs: &syncBuffer{}}
	h.opts = daemon.Options{
		DB:     db,
		Pairs:  []daemon.Pair{{Syncer: h.sync, Source: h.src}},
		Logger: zerolog.New(h.logs),
	}
	return h
}

// start runs the daemon and waits until it idles.
func (h *harness) start() *harness {
	ctx, cancel := context.WithCancel(h.t.Context())
	h.t0, h.stop, h.done = time.Now(), cancel, make(chan error, 1)
	h.sync.onSpin = cancel
	go func() {
		h.done <- daemon.Run(ctx, h.opts)
		close(h.done) // later reads see nil
	}()
	h.t.Cleanup(func() { cancel(); <-h.done })
	synctest.Wait()
	return h
}

// startWith sets the pair's rescan interval, then starts.
func (h *harness) startWith(rescan time.Duration) *harness {
	h.opts.Pairs[0].Rescan = rescan
	return h.start()
}

// feed hands b to the loop as the watcher would and waits until the loop
// idles again.
func (h *harness) feed(b watcher.Batch) {
	h.t.Helper()
	select {
	case h.src.in <- b:
	case err := <-h.done:
		h.t.Fatalf("daemon ended before a batch was fed: %v", err)
	}
	synctest.Wait()
}

// rescan feeds the watcher's "watch started" batch.
func (h *harness) rescan() { h.feed(watcher.Batch{Rescan: true, Reason: "watch started"}) }

// change feeds a batch of changed paths.
func (h *harness) change(paths ...string) { h.feed(watcher.Batch{Paths: paths}) }

// advance lets d of virtual time pass and waits until the loop idles.
func (h *harness) advance(d time.Duration) {
	time.Sleep(d)
	synctest.Wait()
}

// advanceTo advances to d after the start.
func (h *harness) advanceTo(d time.Duration) {
	h.t.Helper()
	if now := time.Since(h.t0); now > d {
		h.t.Fatalf("advance to %v: already at %v", d, now)
	}
	h.advance(d - time.Since(h.t0))
}

// wantCalls checks the syncer's calls of the given kinds so far, formatted
// by call.since.
func (h *harness) wantCalls(kinds []string, want ...string) {
	h.t.Helper()
	var got []string
	for _, c := range h.sync.recorded(kinds...) {
		got = append(got, c.since(h.t0))
	}
	if !slices.Equal(got, want) {
		h.t.Fatalf("calls %v:\n got  %q\n want %q", kinds, got, want)
	}
}

// queue returns the pair's queue, one entry per path, formatted as
// "path attempts=N next=D" with D relative to the start, then the last
// error if any.
func (h *harness) queue() []string {
	h.t.Helper()
	var out []string
	for d, err := range h.db.Dirty(context.Background(), pairName) {
		if err != nil {
			h.t.Fatal(err)
		}
		s := fmt.Sprintf("%s attempts=%d next=%v", d.Path, d.Attempts, d.NextAttempt.Sub(h.t0))
		if d.LastError != "" {
			s += " error=" + d.LastError
		}
		out = append(out, s)
	}
	return out
}

// wantQueue checks the queue as formatted by queue.
func (h *harness) wantQueue(want ...string) {
	h.t.Helper()
	if got := h.queue(); !slices.Equal(got, want) {
		h.t.Fatalf("queue:\n got  %q\n want %q", got, want)
	}
}

// logLines returns the log lines of the given level whose message starts
// with msg, decoded.
func (h *harness) logLines(level, msg string) []map[string]any {
	h.t.Helper()
	var out []map[string]any
	for line := range strings.Lines(h.logs.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			h.t.Fatalf("log line %q: %v", line, err)
		}
		if m["level"] == level && strings.HasPrefix(fmt.Sprint(m["message"]), msg) {
			out = append(out, m)
		}
	}
	return out
}

// stopped cancels the daemon and returns Run's result.
func (h *harness) stopped() error {
	h.stop()
	return <-h.done
}
