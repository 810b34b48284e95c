package daemon_test

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ks3sync/ks3sync/daemon"
	"github.com/ks3sync/ks3sync/planner"
	"github.com/ks3sync/ks3sync/syncer"
)

// observer sends the harness monitor syncer events of its pair, stamped
// with the virtual time.
func (h *harness) observer() func(syncer.Event) {
	return func(e syncer.Event) {
		e.Pair, e.Time = pairName, time.Now()
		h.opts.Monitor.Observe(e)
	}
}

// A multipart upload in flight shows its parts and its rate; finished items
// keep their reasons, refusals their figures and the command that proceeds,
// conflicts their reason, errors a hint; refusals alike are counted as one; a signed URL in a message is
// redacted.
func TestStatusDetails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		withMonitor(h, 1)
		h.sync.opts.Direction, h.sync.opts.Bucket, h.sync.opts.Prefix = "push", "bkt", "docs/"
		h.start()
		ev := h.observer()
		var during *daemon.PairStatus
		h.sync.onFull(func(context.Context, call) (*syncer.Result, error) {
			ev(syncer.Event{Kind: syncer.EventStart, Action: "upload", Path: "big", Size: 40 << 20})
			ev(syncer.Event{Kind: syncer.EventParts, Path: "big", Parts: 0, PartCount: 4})
			for range 4 {
				time.Sleep(time.Second)
				ev(syncer.Event{Kind: syncer.EventBytes, Path: "big", Bytes: 5 << 20})
			}
			ev(syncer.Event{Kind: syncer.EventParts, Path: "big", Parts: 2, PartCount: 4})
			ev(syncer.Event{Kind: syncer.EventParts, Path: "big", Parts: 1, PartCount: 4}) // parts go in parallel
			time.Sleep(time.Millisecond)
			during = h.pairStatus()
			ev(syncer.Event{Kind: syncer.EventUpload, Path: "big", Size: 40 << 20, Reason: "new file"})
			ev(syncer.Event{Kind: syncer.EventConflict, Path: "c.txt", Size: 3, Reason: "changed on both sides"})
			ev(syncer.Event{Kind: syncer.EventError, Action: "download", Path: "x", ErrorKind: syncer.KindAuth,
				Error: `get "http://h/b/x?KSSAccessKeyId=AK&Expires=1&Signature=abc%2B": AccessDenied`})
			return &syncer.Result{Outcome: syncer.OutcomePartial}, nil
		})
		h.rescan()
		h.advance(5 * time.Second) // the pass takes 4 s
		if during == nil || len(during.InFlight) != 1 {
			t.Fatalf("in flight: %+v", during)
		}
		if tr := during.InFlight[0]; tr.Parts != 4 || tr.PartsDone != 2 || tr.Done != 20<<20 || tr.Rate != 5<<20 {
			t.Fatalf("multipart upload in flight: %+v, want 2 of 4 parts at 5 MiB/s", tr)
		}
		p := h.pairStatus()
		if p.Direction != "push" || p.Bucket != "bkt" || p.Prefix != "docs/" || p.Local != h.sync.opts.Root || p.Encrypted {
			t.Fatalf("pair configuration: %+v", p)
		}
		if r := p.Recent[0]; r.Path != "big" || r.Reason != "new file" {
			t.Fatalf("recent transfer %+v", r)
		}
		if len(p.Conflicts) != 1 || p.Conflicts[0].Path != "c.txt" || p.Conflicts[0].Reason != "changed on both sides" {
			t.Fatalf("conflicts %+v", p.Conflicts)
		}
		e := p.Errors[0]
		if !strings.Contains(e.Error, "Signature=REDACTED") || !strings.Contains(e.Error, "KSSAccessKeyId=REDACTED&Expires=1") ||
			strings.Contains(e.Error, "abc") || !strings.Contains(e.Hint, "secret_key") {
			t.Fatalf("error record %+v", e)
		}

		h.sync.onPaths(func(context.Context, call) (*syncer.Result, error) {
			ev(syncer.Event{Kind: syncer.EventRefused, ErrorKind: syncer.KindGuard, Error: "refusing to delete 4 of 5 files",
				Guard: &syncer.GuardInfo{Name: "max_delete", Side: "remote", Deletes: 4, Files: 5, Limit: "50%", Proceed: "ks3sync run --pair docs --max-delete 4"}})
			return nil, &syncer.RefusedError{Proceed: "ks3sync run --pair docs --max-delete 4",
				Guard: &planner.GuardError{Deletes: 4, Files: 5, Limit: planner.MaxDelete{Percent: 50}, Side: planner.SideRemote}}
		})
		h.change("gone")
		h.advance(6 * time.Second) // the retry is refused alike
		p = h.pairStatus()
		want := daemon.RefusalRecord{Time: h.t0.Add(10 * time.Second), Count: 2, Guard: "max_delete", Side: "remote", Deletes: 4, Files: 5, Limit: "50%",
			Message: "refusing to delete 4 of 5 files", Proceed: "ks3sync run --pair docs --max-delete 4"}
		if len(p.Refusals) != 1 || p.Refusals[0] != want {
			t.Fatalf("refusals %+v", p.Refusals)
		}
	})
}

// The throughput history has an hour of 10-second intervals, counts bytes
// each way as they flow, takes back the bytes of a retried attempt, and
// rolls forward with the time.
func TestThroughput(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		withMonitor(h, 1)
		h.start()
		ev := h.observer()
		h.sync.onFull(inTurn(func(context.Context, call) (*syncer.Result, error) {
			ev(syncer.Event{Kind: syncer.EventStart, Action: "upload", Path: "u", Size: 1000})
			ev(syncer.Event{Kind: syncer.EventStart, Action: "download", Path: "d", Size: 1000})
			ev(syncer.Event{Kind: syncer.EventBytes, Path: "u", Bytes: 300})
			ev(syncer.Event{Kind: syncer.EventBytes, Path: "u", Bytes: -100}) // a retry
			time.Sleep(25 * time.Second)
			ev(syncer.Event{Kind: syncer.EventBytes, Path: "d", Bytes: 700})
			ev(syncer.Event{Kind: syncer.EventBytes, Path: "nobody", Bytes: 5})
			return &syncer.Result{}, nil
		}, succeed)) // the rescans meanwhile move nothing
		h.rescan()
		h.advance(25 * time.Second)
		tp := h.opts.Monitor.Snapshot().Throughput
		n := len(tp.Up)
		if tp.IntervalSeconds != 10 || n != 360 || len(tp.Down) != n || tp.EndsAt.Sub(h.t0) != 30*time.Second {
			t.Fatalf("throughput: %v s x %d up to %v", tp.IntervalSeconds, n, tp.EndsAt.Sub(h.t0))
		}
		if tp.Up[n-3] != 200 || tp.Down[n-3] != 0 || tp.Up[n-1] != 0 || tp.Down[n-1] != 700 || sum(tp.Up)+sum(tp.Down) != 900 {
			t.Fatalf("the last intervals: up %v, down %v", tp.Up[n-4:], tp.Down[n-4:])
		}
		h.advance(59*time.Minute + 50*time.Second) // to 1h0m15s: the intervals from 20 s on are left
		tp = h.opts.Monitor.Snapshot().Throughput
		if tp.Down[0] != 700 || sum(tp.Up)+sum(tp.Down) != 700 {
			t.Fatalf("an hour later: %v up, %v down", sum(tp.Up), sum(tp.Down))
		}
		h.advance(2 * time.Hour)
		if tp = h.opts.Monitor.Snapshot().Throughput; sum(tp.Up)+sum(tp.Down) != 0 || len(tp.Up) != 360 {
			t.Fatalf("hours later: %v up, %v down", sum(tp.Up), sum(tp.Down))
		}
	})
}

func sum(s []int64) int64 {
	var n int64
	for _, v := range s {
		n += v
	}
	return n
}
