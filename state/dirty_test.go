package state

import (
	"slices"
	"testing"
	"time"
)

func dirtyPaths(es []DirtyEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Path)
	}
	return out
}

func TestMarkDirtyDeduplicates(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	marks := []struct {
		at    time.Time
		paths []string
	}{
		{t0.Add(time.Second), []string{"a", "b"}},
		{t0, []string{"a"}},                       // earlier report of a: FirstSeen moves back
		{t0.Add(time.Minute), []string{"a", "b"}}, // later reports keep FirstSeen
		{t0.Add(time.Minute), []string{"c", "c"}}, // duplicates in one call
	}
	for _, m := range marks {
		if err := db.MarkDirty(ctx, "p", m.at, m.paths...); err != nil {
			t.Fatal(err)
		}
	}
	got := collect(t, db.Dirty(ctx, "p"))
	want := map[string]time.Time{"a": t0, "b": t0.Add(time.Second), "c": t0.Add(time.Minute)}
	if len(got) != len(want) {
		t.Fatalf("Dirty = %+v, want %d entries", got, len(want))
	}
	for _, e := range got {
		if !e.FirstSeen.Equal(want[e.Path]) || !e.NextAttempt.Equal(want[e.Path]) || e.Attempts != 0 {
			t.Errorf("%s: %+v, want first seen and due at %v", e.Path, e, want[e.Path])
		}
	}
	if err := db.MarkDirty(ctx, "p", t0); err != nil {
		t.Errorf("MarkDirty without paths: %v", err)
	}
	if err := db.MarkDirty(ctx, "p", t0, "ok", ""); err == nil {
		t.Error("MarkDirty of an empty path succeeded")
	}
	if err := db.FailDirty(ctx, DirtyEntry{Path: "a"}, "x", t0); err == nil {
		t.Error("FailDirty with an empty pair succeeded")
	}
	if n, _, _ := db.DirtyStats(ctx, ""); n != len(want) {
		t.Errorf("rejected marks changed the queue: %d entries", n)
	}
}

func TestDueDirtyOrderAndLimit(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	for i, p := range []string{"z", "y", "x", "w"} {
		if err := db.MarkDirty(ctx, "p", t0.Add(time.Duration(i)*time.Second), p); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.MarkDirty(ctx, "p", t0.Add(time.Second), "a"); err != nil { // ties with y: path order
		t.Fatal(err)
	}
	if err := db.MarkDirty(ctx, "other", t0, "o"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		now   time.Time
		limit int
		want  []string
	}{
		{t0.Add(-time.Second), 0, nil},
		{t0, 0, []string{"z"}},
		{t0.Add(time.Hour), 0, []string{"z", "a", "y", "x", "w"}},
		{t0.Add(time.Hour), 3, []string{"z", "a", "y"}},
		{t0.Add(2 * time.Second), -1, []string{"z", "a", "y", "x"}},
	}
	for _, tt := range tests {
		got, err := db.DueDirty(ctx, "p", tt.now, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(dirtyPaths(got), tt.want) {
			t.Errorf("DueDirty(now=%v, limit=%d) = %q, want %q", tt.now.Sub(t0), tt.limit, dirtyPaths(got), tt.want)
		}
	}
}

func TestFailDirtyBacksOff(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	if err := db.MarkDirty(ctx, "p", t0, "f"); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 2; i++ {
		read := collect(t, db.Dirty(ctx, "p"))[0]
		if err := db.FailDirty(ctx, read, "boom", t0.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	assertDue := func(now time.Time, want bool) DirtyEntry {
		t.Helper()
		due, err := db.DueDirty(ctx, "p", now, 0)
		if err != nil {
			t.Fatal(err)
		}
		if (len(due) == 1) != want {
			t.Fatalf("at %v due = %+v, want due %v", now.Sub(t0), due, want)
		}
		es := collect(t, db.Dirty(ctx, "p"))
		return es[0]
	}
	assertDue(t0.Add(time.Minute), false)
	e := assertDue(t0.Add(2*time.Minute), true)
	if e.Attempts != 2 || e.LastError != "boom" || !e.FirstSeen.Equal(t0) {
		t.Fatalf("after two failures: %+v", e)
	}
	// A new change makes the path due at once; the failure history stays.
	if err := db.MarkDirty(ctx, "p", t0.Add(10*time.Second), "f"); err != nil {
		t.Fatal(err)
	}
	e = assertDue(t0.Add(10*time.Second), true)
	if e.Attempts != 2 || e.LastError != "boom" || !e.FirstSeen.Equal(t0) {
		t.Fatalf("after a new change: %+v", e)
	}
}

func TestFailDirtyQueuesUnknownPath(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	next := t0.Add(time.Minute)
	if err := db.FailDirty(ctx, DirtyEntry{Pair: "p", Path: "scanned"}, "upload failed", next); err != nil {
		t.Fatal(err)
	}
	es := collect(t, db.Dirty(ctx, "p"))
	if len(es) != 1 || es[0].Attempts != 1 || !es[0].NextAttempt.Equal(next) || es[0].LastError != "upload failed" {
		t.Fatalf("Dirty = %+v", es)
	}
}

// A path marked again while the pass that then failed was running keeps
// its new change due at once: the failure is counted, but its backoff does
// not delay the new change.
func TestFailDirtyKeepsNewChangeDue(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	if err := db.MarkDirty(ctx, "p", t0, "f"); err != nil {
		t.Fatal(err)
	}
	taken, err := db.DueDirty(ctx, "p", t0, 0)
	if err != nil || len(taken) != 1 {
		t.Fatalf("DueDirty = %+v, %v", taken, err)
	}
	if err := db.MarkDirty(ctx, "p", t0.Add(time.Second), "f"); err != nil {
		t.Fatal(err)
	}
	if err := db.FailDirty(ctx, taken[0], "boom", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	due, err := db.DueDirty(ctx, "p", t0.Add(time.Second), 0)
	if err != nil || len(due) != 1 {
		t.Fatalf("the new change is not due at once: DueDirty = %+v, %v", due, err)
	}
	if e := due[0]; e.Attempts != 1 || e.LastError != "boom" || !e.NextAttempt.Equal(t0) {
		t.Fatalf("after a failure of the old change: %+v", e)
	}
	// Without a new change, the same failure backs the path off.
	if err := db.FailDirty(ctx, due[0], "boom", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if due, _ := db.DueDirty(ctx, "p", t0.Add(time.Minute), 0); len(due) != 0 {
		t.Fatalf("a failed path is due before its backoff: %+v", due)
	}
}

func TestClearDirty(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	if err := db.MarkDirty(ctx, "p", t0, "a", "b", "c"); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkDirty(ctx, "q", t0, "a"); err != nil {
		t.Fatal(err)
	}
	if err := db.ClearDirty(ctx, "p", "a", "c", "unknown"); err != nil {
		t.Fatal(err)
	}
	if got := dirtyPaths(collect(t, db.Dirty(ctx, ""))); !slices.Equal(got, []string{"b", "a"}) {
		t.Fatalf("left after ClearDirty: %q, want p/b and q/a", got)
	}
}

// TestClearDirtyEntriesKeepsNewChanges is the race between a worker that
// synced a path and the watcher reporting a new change of it meanwhile.
func TestClearDirtyEntriesKeepsNewChanges(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	if err := db.MarkDirty(ctx, "p", t0, "synced", "changed-again"); err != nil {
		t.Fatal(err)
	}
	taken, err := db.DueDirty(ctx, "p", t0, 0)
	if err != nil || len(taken) != 2 {
		t.Fatalf("DueDirty = %+v, %v", taken, err)
	}
	if err := db.MarkDirty(ctx, "p", t0.Add(time.Second), "changed-again"); err != nil {
		t.Fatal(err)
	}
	if err := db.ClearDirtyEntries(ctx, taken...); err != nil {
		t.Fatal(err)
	}
	left := collect(t, db.Dirty(ctx, "p"))
	if got := dirtyPaths(left); !slices.Equal(got, []string{"changed-again"}) {
		t.Fatalf("left after ClearDirtyEntries: %q, want [changed-again]", got)
	}
	if err := db.ClearDirtyEntries(ctx, left...); err != nil {
		t.Fatal(err)
	}
	if n, _, _ := db.DirtyStats(ctx, "p"); n != 0 {
		t.Fatalf("%d left after clearing the current entry", n)
	}
}

func TestDirtyStats(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	n, oldest, err := db.DirtyStats(ctx, "")
	if err != nil || n != 0 || !oldest.IsZero() {
		t.Fatalf("empty queue: %d, %v, %v", n, oldest, err)
	}
	if err := db.MarkDirty(ctx, "p", t0.Add(time.Hour), "a", "b"); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkDirty(ctx, "q", t0, "a"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		pair   string
		n      int
		oldest time.Time
	}{
		{"", 3, t0},
		{"p", 2, t0.Add(time.Hour)},
		{"q", 1, t0},
		{"none", 0, time.Time{}},
	}
	for _, tt := range tests {
		n, oldest, err := db.DirtyStats(ctx, tt.pair)
		if err != nil || n != tt.n || !oldest.Equal(tt.oldest) {
			t.Errorf("DirtyStats(%q) = %d, %v, %v; want %d, %v", tt.pair, n, oldest, err, tt.n, tt.oldest)
		}
	}
}
