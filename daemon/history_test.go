package daemon_test

import (
	"slices"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/daemon"
	"github.com/ks3sync/ks3sync/history"
	"github.com/ks3sync/ks3sync/state"
	"github.com/ks3sync/ks3sync/syncer"
)

// With no daemon running, the status comes from the run history and the
// queue, judged as the daemon would.
func TestStatusFromState(t *testing.T) {
	db := openState(t)
	ctx := t.Context()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for i, r := range []struct{ kind, status, err string }{
		{state.KindRun, state.StatusOK, ""},
		{state.KindWatchPass, state.StatusFailed, "list: connection refused"},
		{state.KindWatchPass, state.StatusInterrupted, ""},
		{state.KindWatchPass, state.StatusFailed, "list: 503 SlowDown"},
	} {
		at := t0.Add(time.Duration(i) * time.Minute)
		id, err := db.StartRun(ctx, "docs", r.kind, at)
		if err != nil {
			t.Fatal(err)
		}
		var errs []string
		if r.err != "" {
			errs = []string{r.err}
		}
		if err := db.FinishRun(ctx, id, at.Add(time.Second), r.status, state.RunCounts{Uploaded: 1}, errs); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.MarkDirty(ctx, "docs", t0, "a"); err != nil {
		t.Fatal(err)
	}
	s, err := daemon.StatusFromState(ctx, db, []daemon.PairConfig{{Name: "docs"}, {Name: "new"}}, t0.Add(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if s.Source != "state" || s.Ready || s.Healthy || len(s.Pairs) != 2 {
		t.Fatalf("status %+v", s)
	}
	p := s.Pairs[0]
	if p.Last == nil || p.Last.Outcome != syncer.OutcomeFailed || p.Last.Error != "list: 503 SlowDown" || p.ConsecutiveFailures != 2 ||
		!p.FailingSince.Equal(t0.Add(time.Minute+time.Second)) || !p.LastFullAt.Equal(t0.Add(time.Second)) ||
		p.Queue.Depth != 1 || p.Totals.Passes[syncer.OutcomeInterrupted] != 1 || p.Totals.UploadedFiles != 4 {
		t.Fatalf("pair from the history: %+v", p)
	}
	if p.Health.Reason != daemon.ReasonFailing || s.Pairs[1].Health.Reason != daemon.ReasonStarting {
		t.Fatalf("health %+v, %+v", p.Health, s.Pairs[1].Health)
	}
}

// A pair that keeps a history has restore points: the ends of the
// successful passes that changed files, the last RestorePointLimit of them.
// A pull pair, or one with history off, has no history in its status.
func TestRestorePoints(t *testing.T) {
	db := openState(t)
	ctx := t.Context()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var want []time.Time
	for i := range 24 {
		at := t0.Add(time.Duration(i) * time.Minute)
		id, err := db.StartRun(ctx, "docs", state.KindRun, at)
		if err != nil {
			t.Fatal(err)
		}
		status, counts := state.StatusOK, state.RunCounts{Uploaded: 1}
		switch i % 4 {
		case 1:
			counts = state.RunCounts{} // nothing changed
		case 2:
			status = state.StatusFailed
		default:
			want = append(want, at.Add(time.Second))
		}
		if err := db.FinishRun(ctx, id, at.Add(time.Second), status, counts, nil); err != nil {
			t.Fatal(err)
		}
	}
	keep := history.Policy{Keep: 48 * time.Hour, Versions: 2}
	s, err := daemon.StatusFromState(ctx, db, []daemon.PairConfig{
		{Name: "docs", Direction: "push", History: keep},
		{Name: "docs", Direction: "pull", History: keep},
		{Name: "docs", Direction: "push"},
	}, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	h := s.Pairs[0].History
	want = want[len(want)-daemon.RestorePointLimit:]
	if h == nil || h.KeepSeconds != 48*3600 || h.Versions != 2 || !slices.EqualFunc(h.RestorePoints, want, time.Time.Equal) {
		t.Fatalf("history %+v, want restore points %v", h, want)
	}
	if s.Pairs[1].History != nil || s.Pairs[2].History != nil {
		t.Errorf("history of a pull pair %+v, of a pair without history %+v", s.Pairs[1].History, s.Pairs[2].History)
	}
}

// A refused run in the history is a guard refusal, not a failure of
// another kind.
func TestStatusFromStateRefused(t *testing.T) {
	db := openState(t)
	ctx := t.Context()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	id, err := db.StartRun(ctx, "docs", state.KindRun, t0)
	if err != nil {
		t.Fatal(err)
	}
	msg := "refusing to delete 4 of 5 files (max_delete 50%)"
	if err := db.FinishRun(ctx, id, t0.Add(time.Second), state.StatusRefused, state.RunCounts{}, []string{msg}); err != nil {
		t.Fatal(err)
	}
	s, err := daemon.StatusFromState(ctx, db, []daemon.PairConfig{{Name: "docs"}}, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	p := s.Pairs[0]
	if p.Last == nil || p.Last.Outcome != syncer.OutcomeRefused || p.Health.Reason != daemon.ReasonRefused ||
		p.Totals.Passes[syncer.OutcomeRefused] != 1 {
		t.Fatalf("pair after a refused run: %+v", p)
	}
}
