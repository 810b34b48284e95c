package daemon_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ks3sync/ks3sync/daemon"
	"github.com/ks3sync/ks3sync/notify"
	"github.com/ks3sync/ks3sync/planner"
	"github.com/ks3sync/ks3sync/syncer"
)

// notices records the notifications of the daemon.
type notices struct {
	mu  sync.Mutex
	got []notify.Message
}

var _ daemon.Notifier = (*notices)(nil)

func (n *notices) Notify(m notify.Message) {
	n.mu.Lock()
	n.got = append(n.got, m)
	n.mu.Unlock()
}

// events returns the notifications so far as "event pair", in order.
func (n *notices) events() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []string
	for _, m := range n.got {
		out = append(out, string(m.Event)+" "+m.Pair)
	}
	return out
}

// withMonitor gives the harness a monitor with a recording notifier.
func withMonitor(h *harness, afterFailures int) *notices {
	n := &notices{}
	h.opts.Monitor = daemon.NewMonitor(daemon.MonitorOptions{Device: "laptop", Notifier: n, AfterFailures: afterFailures, HealthFile: filepath.Join(h.t.TempDir(), "health.json")})
	return n
}

// health returns the pair's health now.
func (h *harness) health() daemon.PairHealth {
	h.t.Helper()
	p, ok := h.opts.Monitor.Snapshot().Pair(pairName)
	if !ok {
		h.t.Fatalf("no pair %s in the status", pairName)
	}
	return p.Health
}

// wantHealth checks the pair's health reason ("" = healthy) and that its
// message contains msg.
func (h *harness) wantHealth(reason, msg string) {
	h.t.Helper()
	got := h.health()
	if got.Healthy != (reason == "") || got.Reason != reason || !strings.Contains(got.Message, msg) {
		h.t.Fatalf("health = %+v, want reason %q with %q", got, reason, msg)
	}
}

var errUnreachable = fmt.Errorf("list ks3://bkt/: %w", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")})

// Health follows the passes: starting until the first reconcile, healthy
// after it, unhealthy as soon as a pass fails (naming why and for how long),
// healthy again after a success. A failure is notified after AfterFailures
// failed passes in a row, once, and the recovery once.
func TestHealthTransitions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		n := withMonitor(h, 2)
		h.start()
		h.wantHealth(daemon.ReasonStarting, "first reconcile")
		if h.opts.Monitor.Snapshot().Ready {
			t.Fatal("ready before the first reconcile")
		}
		h.rescan()
		h.wantHealth("", "")
		s := h.opts.Monitor.Snapshot()
		if !s.Ready || !s.Healthy || s.Pairs[0].LastFullAt == nil || s.Pairs[0].LastSuccessAt == nil {
			t.Fatalf("after the first reconcile: %+v", s)
		}

		h.sync.onPaths(fail(errUnreachable))
		h.change("a")
		h.wantHealth(daemon.ReasonUnreachable, "endpoint unreachable for 0s: list ks3://bkt/")
		if got := n.events(); len(got) != 0 {
			t.Fatalf("notified after one failure: %v", got)
		}
		h.advanceTo(6 * time.Second) // the retry at 5 s fails too
		h.wantHealth(daemon.ReasonUnreachable, "endpoint unreachable for 6s")
		p, _ := h.opts.Monitor.Snapshot().Pair(pairName)
		if p.ConsecutiveFailures != 2 || p.Last.Outcome != syncer.OutcomeFailed || p.Last.ErrorKind != syncer.KindNetwork {
			t.Fatalf("after two failures: %+v", p)
		}
		if got := n.events(); !slices.Equal(got, []string{"failure docs"}) {
			t.Fatalf("notifications %v, want one failure", got)
		}
		h.advanceTo(20 * time.Second) // and at 15 s: no new notification
		if got := n.events(); len(got) != 1 {
			t.Fatalf("notifications %v, want still one", got)
		}

		h.sync.onPaths(nil)
		h.advanceTo(40 * time.Second) // the retry at 35 s succeeds
		h.wantHealth("", "")
		if got := n.events(); !slices.Equal(got, []string{"failure docs", "recovery docs"}) {
			t.Fatalf("notifications %v, want the failure and the recovery", got)
		}
		p, _ = h.opts.Monitor.Snapshot().Pair(pairName)
		if p.ConsecutiveFailures != 0 || p.FailingSince != nil || p.Totals.Passes[syncer.OutcomeFailed] != 3 || p.Totals.Passes[syncer.OutcomeOK] != 2 {
			t.Fatalf("after the recovery: %+v", p)
		}
	})
}

// A pass that fails because the pair's folder is gone (a disk unmounted)
// makes the pair unhealthy with a reason and a message that say so.
func TestHealthFolderMissing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		withMonitor(h, 2)
		h.start()
		h.rescan()
		h.sync.onPaths(fail(fmt.Errorf("/mnt/usb: %w", syncer.ErrLocalRootMissing)))
		h.change("a")
		h.wantHealth(daemon.ReasonNoFolder, "local folder missing for 0s (mount its disk")
		p, _ := h.opts.Monitor.Snapshot().Pair(pairName)
		if p.Last.ErrorKind != syncer.KindNoFolder || len(p.Errors) == 0 || !strings.Contains(p.Errors[len(p.Errors)-1].Hint, "mount its disk") {
			t.Fatalf("after the failure: %+v", p)
		}
	})
}

// A refused pass makes the pair unhealthy with the guard's message and the
// command that proceeds, and is notified once however often it is retried.
func TestHealthGuardRefusal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		n := withMonitor(h, 1)
		h.start()
		h.rescan()
		refused := &syncer.RefusedError{
			Guard:   &planner.GuardError{Deletes: 4, Files: 5, Limit: planner.MaxDelete{Percent: 50}, Side: planner.SideRemote},
			Proceed: "ks3sync run --pair docs --max-delete 4",
		}
		h.sync.onPaths(fail(refused))
		h.change("a")
		h.advanceTo(time.Minute)
		h.wantHealth(daemon.ReasonRefused, "refusing to delete 4 of 5")
		p, _ := h.opts.Monitor.Snapshot().Pair(pairName)
		if p.Last.Proceed != refused.Proceed || p.Totals.Passes[syncer.OutcomeRefused] < 3 {
			t.Fatalf("refused pair: %+v", p)
		}
		n.mu.Lock()
		got := slices.Clone(n.got)
		n.mu.Unlock()
		if len(got) != 1 || got[0].Event != notify.Refused || got[0].Proceed != refused.Proceed {
			t.Fatalf("notifications %+v, want one refusal with the command", got)
		}
	})
}

// Items that keep failing stay queued; once the oldest has waited longer
// than QueueStuckAfter with no pass running, the queue counts as stuck.
func TestHealthQueueStuck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		withMonitor(h, 1)
		h.start()
		h.rescan()
		h.sync.onPaths(failItems("a"))
		h.change("a")
		h.wantHealth("", "") // a partial pass ran: items are retried
		h.advanceTo(daemon.QueueStuckAfter + time.Second)
		h.wantHealth(daemon.ReasonQueueStuck, "1 change(s) waiting, the oldest for 15m1s")
	})
}

// A pass that never ends leaves the pair without a success for longer than
// two rescan intervals: no_recent_success.
func TestHealthNoRecentSuccess(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		withMonitor(h, 1)
		h.sync.onFull(inTurn(succeed, taking(24*time.Hour, nil)))
		h.startWith(10 * time.Minute)
		h.rescan()
		h.advanceTo(20 * time.Minute)
		h.wantHealth("", "")
		if p, _ := h.opts.Monitor.Snapshot().Pair(pairName); p.Active != "reconciling" {
			t.Fatalf("activity %q during the second reconcile", p.Active)
		}
		h.advanceTo(21 * time.Minute)
		h.wantHealth(daemon.ReasonStale, "no successful pass for 21m0s")
	})
}

// The status keeps what the syncer's events tell: transfers in flight with
// their bytes, the last transfers and errors (at most RecentLimit), totals
// by direction and kind, conflicts (notified) and resumed parts.
func TestStatusFromEvents(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		n := withMonitor(h, 1)
		h.start()
		m := h.opts.Monitor
		var inFlight []daemon.Transfer
		h.sync.onFull(func(context.Context, call) (*syncer.Result, error) {
			ev := func(e syncer.Event) { e.Pair, e.Time = pairName, time.Now(); m.Observe(e) }
			ev(syncer.Event{Kind: syncer.EventStart, Action: "upload", Path: "big", Size: 100})
			ev(syncer.Event{Kind: syncer.EventBytes, Path: "big", Bytes: 40})
			ev(syncer.Event{Kind: syncer.EventResumed, Path: "big", Parts: 3})
			time.Sleep(time.Millisecond) // the monitor takes the events meanwhile
			p, _ := m.Snapshot().Pair(pairName)
			inFlight = p.InFlight
			ev(syncer.Event{Kind: syncer.EventUpload, Path: "big", Size: 100, Duration: 2})
			for i := range daemon.RecentLimit + 5 {
				ev(syncer.Event{Kind: syncer.EventDownload, Path: fmt.Sprintf("d%02d", i), Size: 10})
			}
			ev(syncer.Event{Kind: syncer.EventConflict, Path: "c", Size: 5, Reason: "changed on both sides"})
			ev(syncer.Event{Kind: syncer.EventDeleteRemote, Path: "gone"})
			ev(syncer.Event{Kind: syncer.EventError, Action: "upload", Path: "x", Error: "denied", ErrorKind: syncer.KindAuth})
			res := &syncer.Result{Outcome: syncer.OutcomePartial, FailedPaths: []string{"x"}}
			res.Counts.Failed = 1
			return res, nil
		})
		h.rescan()
		h.advance(time.Second) // past the pause inside the pass
		if len(inFlight) != 1 || inFlight[0] != (daemon.Transfer{Action: "upload", Path: "big", Size: 100, Done: 40, StartedAt: h.t0}) {
			t.Fatalf("in flight during the pass: %+v", inFlight)
		}
		p, _ := m.Snapshot().Pair(pairName)
		tot := p.Totals
		if len(p.InFlight) != 0 || len(p.Recent) != daemon.RecentLimit || p.Recent[len(p.Recent)-1].Path != "gone" ||
			tot.UploadedFiles != 1 || tot.UploadedBytes != 100 || tot.DownloadedFiles != daemon.RecentLimit+6 ||
			tot.Conflicts != 1 || tot.DeletedRemote != 1 || tot.ResumedParts != 3 || tot.TransferErrors[syncer.KindAuth] != 1 {
			t.Fatalf("status after the pass: %+v", p)
		}
		if len(p.Errors) != 1 || p.Errors[0].Path != "x" || p.Last.Outcome != syncer.OutcomePartial || p.Queue.Depth != 1 {
			t.Fatalf("errors %+v, last %+v, queue %+v", p.Errors, p.Last, p.Queue)
		}
		if got := n.events(); !slices.Equal(got, []string{"conflict docs"}) {
			t.Fatalf("notifications %v", got)
		}
	})
}

// get serves one request of the monitor's handler.
func get(m *daemon.Monitor, path string) (int, string) {
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code, rec.Body.String()
}

// /healthz, /readyz, /metrics and /api/status answer from the snapshots.
func TestHTTPEndpoints(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		withMonitor(h, 1)
		h.start()
		m := h.opts.Monitor
		if code, body := get(m, "/readyz"); code != 503 || !strings.Contains(body, `"docs"`) {
			t.Fatalf("/readyz before the first reconcile: %d %s", code, body)
		}
		h.rescan()
		if code, body := get(m, "/readyz"); code != 200 {
			t.Fatalf("/readyz: %d %s", code, body)
		}
		if code, body := get(m, "/healthz"); code != 200 || !strings.Contains(body, `"ok"`) {
			t.Fatalf("/healthz: %d %s", code, body)
		}
		h.sync.onFull(fail(errUnreachable))
		h.rescan()
		code, body := get(m, "/healthz")
		var hb struct {
			Status    string
			Unhealthy []struct{ Pair, Reason, Message string }
		}
		if err := json.Unmarshal([]byte(body), &hb); err != nil || code != 503 || len(hb.Unhealthy) != 1 ||
			hb.Unhealthy[0].Pair != pairName || hb.Unhealthy[0].Reason != daemon.ReasonUnreachable {
			t.Fatalf("/healthz after a failure: %d %s", code, body)
		}
		_, metrics := get(m, "/metrics")
		for _, want := range []string{
			`ks3sync_passes_total{outcome="failed",pair="docs"} 1`,
			`ks3sync_passes_total{outcome="ok",pair="docs"} 1`,
			`ks3sync_healthy{pair="docs"} 0`,
			`ks3sync_consecutive_failures{pair="docs"} 1`,
			`ks3sync_queue_depth{pair="docs"} 0`,
			`ks3sync_seconds_since_full_reconcile{pair="docs"} 0`,
		} {
			if !strings.Contains(metrics, want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
		var s daemon.Status
		if code, body := get(m, "/api/status"); code != 200 || json.Unmarshal([]byte(body), &s) != nil ||
			s.Version != daemon.StatusVersion || s.Source != "daemon" || s.Healthy || len(s.Pairs) != 1 {
			t.Fatalf("/api/status: %d %s", code, body)
		}
	})
}

// The health file says whether the daemon runs, is ready and healthy, and
// says stopped once it stopped.
func TestHealthFile(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		path := filepath.Join(t.TempDir(), "health.json")
		h.opts.Monitor = daemon.NewMonitor(daemon.MonitorOptions{HealthFile: path})
		h.start()
		read := func() *daemon.HealthRecord {
			r, err := daemon.ReadHealthFile(path)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		if r := read(); !r.Running || r.Ready || r.Healthy || len(r.Pairs) != 1 || r.Pairs[0].Reason != daemon.ReasonStarting {
			t.Fatalf("at the start: %+v", r)
		}
		h.rescan()
		if r := read(); !r.Running || !r.Ready || !r.Healthy {
			t.Fatalf("after the first reconcile: %+v", r)
		}
		if err := h.stopped(); err != nil {
			t.Fatal(err)
		}
		if r := read(); r.Running {
			t.Fatalf("after the stop: %+v", r)
		}
	})
}
