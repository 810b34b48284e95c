package state

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestRunLifecycle(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	id, err := db.StartRun(ctx, "p", KindRun, t0)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := db.Runs(ctx, "p", 0)
	if err != nil || len(runs) != 1 {
		t.Fatalf("Runs = %+v, %v", runs, err)
	}
	if r := runs[0]; r.ID != id || r.Status != StatusRunning || !r.Started.Equal(t0) || !r.Ended.IsZero() || r.Kind != KindRun {
		t.Fatalf("running run = %+v", r)
	}

	var errs []string
	for i := range MaxRunErrors + 7 {
		errs = append(errs, fmt.Sprintf("error %d", i))
	}
	counts := RunCounts{Uploaded: 1, Downloaded: 2, Deleted: 3, Skipped: 4, Failed: 57, Conflicts: 6, Bytes: 1 << 40}
	if err := db.FinishRun(ctx, id, t0.Add(time.Minute), StatusPartial, counts, errs); err != nil {
		t.Fatal(err)
	}
	runs, err = db.Runs(ctx, "", 1)
	if err != nil || len(runs) != 1 {
		t.Fatalf("Runs = %+v, %v", runs, err)
	}
	r := runs[0]
	if r.Status != StatusPartial || r.Counts != counts || !r.Ended.Equal(t0.Add(time.Minute)) {
		t.Errorf("finished run = %+v", r)
	}
	if !slices.Equal(r.Errors, errs[:MaxRunErrors]) || r.ErrorCount != len(errs) {
		t.Errorf("kept %d errors of %d (ErrorCount %d), want the first %d", len(r.Errors), len(errs), r.ErrorCount, MaxRunErrors)
	}
}

func TestRunValidation(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	if _, err := db.StartRun(ctx, "p", "sprint", t0); err == nil {
		t.Error("StartRun with an unknown kind succeeded")
	}
	id, err := db.StartRun(ctx, "p", KindReconcile, t0)
	if err != nil {
		t.Fatal(err)
	}
	for _, status := range []string{StatusRunning, "done", ""} {
		if err := db.FinishRun(ctx, id, t0, status, RunCounts{}, nil); err == nil {
			t.Errorf("FinishRun with status %q succeeded", status)
		}
	}
	if err := db.FinishRun(ctx, id+1, t0, StatusOK, RunCounts{}, nil); err == nil {
		t.Error("FinishRun of an unknown run succeeded")
	}
	if err := db.FinishRun(ctx, id, t0, StatusOK, RunCounts{}, nil); err != nil {
		t.Fatal(err)
	}
	runs, _ := db.Runs(ctx, "p", 0)
	if len(runs[0].Errors) != 0 || runs[0].ErrorCount != 0 {
		t.Errorf("run without errors = %+v", runs[0])
	}
}

func TestRunsNewestFirstByPair(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	var ids []int64
	for i, pair := range []string{"p", "q", "p", "q", "p"} {
		id, err := db.StartRun(ctx, pair, KindWatchPass, t0.Add(time.Duration(i)*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	runIDs := func(pair string, limit int) []int64 {
		runs, err := db.Runs(ctx, pair, limit)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, r := range runs {
			out = append(out, r.ID)
		}
		return out
	}
	tests := []struct {
		pair  string
		limit int
		want  []int64
	}{
		{"", 0, []int64{ids[4], ids[3], ids[2], ids[1], ids[0]}},
		{"p", 0, []int64{ids[4], ids[2], ids[0]}},
		{"q", 1, []int64{ids[3]}},
		{"none", 0, nil},
	}
	for _, tt := range tests {
		if got := runIDs(tt.pair, tt.limit); !slices.Equal(got, tt.want) {
			t.Errorf("Runs(%q, %d) = %v, want %v", tt.pair, tt.limit, got, tt.want)
		}
	}
}

func TestInterruptRuns(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	done, _ := db.StartRun(ctx, "p", KindRun, t0)
	if err := db.FinishRun(ctx, done, t0.Add(time.Second), StatusOK, RunCounts{}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.StartRun(ctx, "p", KindRun, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	n, err := db.InterruptRuns(ctx, t0.Add(time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("InterruptRuns = %d, %v; want 1", n, err)
	}
	runs, _ := db.Runs(ctx, "p", 0)
	if runs[0].Status != StatusInterrupted || !runs[0].Ended.Equal(t0.Add(time.Hour)) || runs[1].Status != StatusOK {
		t.Fatalf("runs after InterruptRuns: %+v", runs)
	}
}

func TestRunHistoryIsBounded(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	var last int64
	for i := range keepRuns + 5 {
		id, err := db.StartRun(ctx, "p", KindWatchPass, t0.Add(time.Duration(i)))
		if err != nil {
			t.Fatal(err)
		}
		last = id
	}
	if _, err := db.StartRun(ctx, "q", KindRun, t0); err != nil {
		t.Fatal(err)
	}
	runs, err := db.Runs(ctx, "p", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != keepRuns || runs[0].ID != last {
		t.Fatalf("kept %d runs of p, newest %d; want %d, newest %d", len(runs), runs[0].ID, keepRuns, last)
	}
	if q, _ := db.Runs(ctx, "q", 0); len(q) != 1 {
		t.Fatalf("runs of q: %d, want 1", len(q))
	}
}
