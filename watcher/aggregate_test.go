package watcher

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

func file(p string) change    { return change{path: p} }
func dir(p string) change     { return change{path: p, dir: true} }
func gone(p string) change    { return change{path: p, removed: true} }
func goneDir(p string) change { return change{path: p, removed: true, dir: true} }

// step is one input to the aggregator: an event at a time, or a rescan
// request when reason is set.
type step struct {
	at     time.Duration
	ev     change
	reason string
}

// released is what a flush at a given time must release, as a Batch.
type released struct {
	at    time.Duration
	batch Batch
}

func TestAggregator(t *testing.T) {
	const delay, maxDelay = 2 * time.Second, 30 * time.Second
	tests := []struct {
		name      string
		threshold int
		steps     []step
		want      []released // every flush that releases something, in order
	}{
		{
			name:  "quiet period per path",
			steps: []step{{at: 0, ev: file("a")}, {at: time.Second, ev: file("b")}},
			want: []released{
				{at: 2 * time.Second, batch: Batch{Paths: []string{"a"}}},
				{at: 3 * time.Second, batch: Batch{Paths: []string{"b"}}},
			},
		},
		{
			name:  "events restart the quiet period",
			steps: []step{{at: 0, ev: file("a")}, {at: 1500 * time.Millisecond, ev: file("a")}},
			want:  []released{{at: 3500 * time.Millisecond, batch: Batch{Paths: []string{"a"}}}},
		},
		{
			name:  "hard maximum under continuous writes",
			steps: every(time.Second, 0, 45*time.Second, file("log")),
			want: []released{
				{at: 30 * time.Second, batch: Batch{Paths: []string{"log"}}},
				{at: 47 * time.Second, batch: Batch{Paths: []string{"log"}}},
			},
		},
		{
			name:      "burst collapses into its directory",
			threshold: 3,
			steps: []step{
				{at: 0, ev: file("d/1")}, {at: 0, ev: file("d/2")}, {at: 0, ev: file("d/3")},
				{at: time.Second, ev: file("d/4")}, {at: 1500 * time.Millisecond, ev: file("d/5")},
			},
			want: []released{{at: 3500 * time.Millisecond, batch: Batch{Paths: []string{"d"}}}},
		},
		{
			name:      "at the threshold paths stay single",
			threshold: 3,
			steps:     []step{{at: 0, ev: file("d/1")}, {at: 0, ev: file("d/2")}, {at: 0, ev: file("d/3")}},
			want:      []released{{at: 2 * time.Second, batch: Batch{Paths: []string{"d/1", "d/2", "d/3"}}}},
		},
		{
			name:      "collapse keeps the first event for the hard maximum",
			threshold: 1,
			steps: append([]step{{at: 0, ev: file("d/1")}},
				every(time.Second, time.Second, 40*time.Second, file("d/2"))...),
			want: []released{
				{at: 30 * time.Second, batch: Batch{Paths: []string{"d"}}},
				{at: 42 * time.Second, batch: Batch{Paths: []string{"d/2"}}},
			},
		},
		{
			name:      "collapse cascades to the parent",
			threshold: 2,
			steps: []step{
				{at: 0, ev: file("p/a/1")}, {at: 0, ev: file("p/a/2")}, {at: 0, ev: file("p/a/3")},
				{at: 0, ev: file("p/b/1")}, {at: 0, ev: file("p/b/2")}, {at: 0, ev: file("p/b/3")},
				{at: 0, ev: file("p/c")},
			},
			want: []released{{at: 2 * time.Second, batch: Batch{Paths: []string{"p"}}}},
		},
		{
			name:      "collapsing the root rescans everything",
			threshold: 2,
			steps:     []step{{at: 0, ev: file("1")}, {at: 0, ev: file("2")}, {at: time.Second, ev: file("3")}},
			want: []released{{at: 3 * time.Second, batch: Batch{
				Rescan: true, Reason: "more than 2 changed entries directly in the root"}}},
		},
		{
			name: "a new directory absorbs events below it",
			steps: []step{
				{at: 0, ev: file("n/old")},
				{at: 500 * time.Millisecond, ev: dir("n")},
				{at: time.Second, ev: file("n/x/y")},
			},
			want: []released{{at: 3 * time.Second, batch: Batch{Paths: []string{"n"}}}},
		},
		{
			name: "deletes come after creates",
			steps: []step{
				{at: 0, ev: gone("a-old")}, {at: 0, ev: file("z-new")},
				{at: 0, ev: goneDir("b")}, {at: 0, ev: file("c")},
			},
			want: []released{{at: 2 * time.Second, batch: Batch{Paths: []string{"c", "z-new", "a-old", "b"}}}},
		},
		{
			name:  "the last event decides whether a path is gone",
			steps: []step{{at: 0, ev: file("a")}, {at: 0, ev: gone("a")}, {at: 0, ev: gone("b")}, {at: 0, ev: file("b")}},
			want:  []released{{at: 2 * time.Second, batch: Batch{Paths: []string{"b", "a"}}}},
		},
		{
			name: "a recreated file under a removed directory makes it present",
			steps: []step{
				{at: 0, ev: goneDir("d")},
				{at: 100 * time.Millisecond, ev: file("d/f")},
			},
			want: []released{{at: 2100 * time.Millisecond, batch: Batch{Paths: []string{"d"}}}},
		},
		{
			name: "overflow swallows pending paths into a rescan",
			steps: []step{
				{at: 0, ev: file("a")},
				{at: time.Second, reason: "event queue overflow"},
				{at: 2 * time.Second, ev: file("b")},
			},
			want: []released{{at: 4 * time.Second, batch: Batch{Rescan: true, Reason: "event queue overflow"}}},
		},
		{
			name: "rescan reasons are listed once",
			steps: []step{
				{at: 0, reason: "event queue overflow"},
				{at: 0, reason: "watch limit reached"},
				{at: time.Second, reason: "event queue overflow"},
			},
			want: []released{{at: 3 * time.Second, batch: Batch{
				Rescan: true, Reason: "event queue overflow; watch limit reached"}}},
		},
		{
			name: "a rescan keeps the hard maximum of swallowed paths",
			steps: append([]step{{at: 0, ev: file("a")}, {at: time.Second, reason: "event queue overflow"}},
				every(time.Second, 2*time.Second, 40*time.Second, file("b"))...),
			want: []released{
				{at: 30 * time.Second, batch: Batch{Rescan: true, Reason: "event queue overflow"}},
				{at: 42 * time.Second, batch: Batch{Paths: []string{"b"}}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			threshold := tt.threshold
			if threshold == 0 {
				threshold = DefaultCollapseThreshold
			}
			got := simulate(newAggregator(delay, maxDelay, 0, threshold), tt.steps)
			if !equalReleases(got, tt.want) {
				t.Errorf("releases:\n got %v\nwant %v", got, tt.want)
			}
		})
	}
}

// every returns an event each interval from start up to and including end.
func every(interval, start, end time.Duration, ev change) []step {
	var steps []step
	for d := start; d <= end; d += interval {
		steps = append(steps, step{at: d, ev: ev})
	}
	return steps
}

// simulate feeds steps to a in order and flushes whenever a says the next
// path settles, the way the watch loop's timer does, until nothing is
// pending.
func simulate(a *aggregator, steps []step) []released {
	var got []released
	release := func(now time.Time) {
		f := a.due(now)
		if f.empty() {
			return
		}
		var box outbox
		box.merge(f)
		got = append(got, released{at: now.Sub(t0), batch: box.batch()})
	}
	for _, s := range steps {
		for next, ok := a.next(); ok && !next.After(at(s.at)); next, ok = a.next() {
			release(next)
		}
		if s.reason != "" {
			a.requestRescan(s.reason, at(s.at))
		} else {
			a.add(s.ev, at(s.at))
		}
	}
	for next, ok := a.next(); ok; next, ok = a.next() {
		release(next)
	}
	return got
}

func equalReleases(a, b []released) bool {
	return slices.EqualFunc(a, b, func(x, y released) bool {
		return x.at == y.at && x.batch.Rescan == y.batch.Rescan && x.batch.Reason == y.batch.Reason &&
			slices.Equal(x.batch.Paths, y.batch.Paths)
	})
}

func (r released) String() string { return fmt.Sprintf("%v:%+v", r.at, r.batch) }

// TestAggregatorLargeBurst checks that a burst spread over many directories
// stays bounded and releases every path once.
func TestAggregatorLargeBurst(t *testing.T) {
	a := newAggregator(time.Second, 10*time.Second, 0, 64)
	for i := range 10000 {
		a.add(file(fmt.Sprintf("d%d/s%02d/f%02d", i%10, i/10%20, i/200)), at(time.Duration(i)*time.Microsecond))
	}
	if n := a.pending(); n != 10000 {
		t.Fatalf("pending = %d, want 10000 (no directory is over the threshold)", n)
	}
	for i := range 10000 {
		a.add(file(fmt.Sprintf("e/%05d", i)), at(10*time.Millisecond))
	}
	if n := a.pending(); n != 10001 {
		t.Fatalf("pending = %d, want 10001 (one collapsed directory more)", n)
	}
	f := a.due(at(time.Hour))
	if len(f.changes) != 10001 || a.pending() != 0 || len(a.nodes) != 1 || len(a.queue) != 0 {
		t.Fatalf("released %d, left %d pending, %d nodes, %d queued", len(f.changes), a.pending(), len(a.nodes), len(a.queue))
	}
}

// TestAggregatorWindow checks that a flush waits its window for paths that
// settle right after the first, such as the new name of a rename.
func TestAggregatorWindow(t *testing.T) {
	const ms = time.Millisecond
	a := newAggregator(2*time.Second, 30*time.Second, 100*ms, DefaultCollapseThreshold)
	got := simulate(a, []step{
		{at: 0, ev: gone("report.doc")},
		{at: 50 * ms, ev: file("report-final.doc")},
		{at: 150 * ms, ev: file("later.txt")},
	})
	want := []released{
		{at: 2100 * ms, batch: Batch{Paths: []string{"report-final.doc", "report.doc"}}},
		{at: 2250 * ms, batch: Batch{Paths: []string{"later.txt"}}},
	}
	if !equalReleases(got, want) {
		t.Errorf("releases:\n got %v\nwant %v", got, want)
	}
}

// TestAggregatorLimit checks that more pending paths than the limit turn
// into a rescan instead of growing without bound.
func TestAggregatorLimit(t *testing.T) {
	a := newAggregator(time.Second, 10*time.Second, 0, DefaultCollapseThreshold)
	a.limit = 100
	for i := range 101 {
		a.add(file(fmt.Sprintf("d%03d/f", i%50)+fmt.Sprint(i)), at(0))
	}
	if a.pending() != 0 || a.rescan == nil {
		t.Fatalf("pending %d, rescan %v; want the paths swallowed by a rescan", a.pending(), a.rescan)
	}
	f := a.due(at(time.Second))
	if !f.rescan || !slices.Equal(f.reasons, []string{"more than 100 changed paths at once"}) {
		t.Errorf("flush = %+v", f)
	}
}
