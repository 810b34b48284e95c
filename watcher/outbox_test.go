package watcher

import (
	"slices"
	"testing"
)

func TestOutboxMerge(t *testing.T) {
	tests := []struct {
		name    string
		flushes []flush
		want    Batch
	}{
		{
			name:    "nothing",
			flushes: []flush{{}},
			want:    Batch{},
		},
		{
			name: "a later flush decides whether a path is gone",
			flushes: []flush{
				{changes: []change{file("a"), gone("b")}},
				{changes: []change{gone("a"), file("b"), file("c")}},
			},
			want: Batch{Paths: []string{"b", "c", "a"}},
		},
		{
			name: "paths below a directory of the batch are left out",
			flushes: []flush{
				{changes: []change{file("d/x"), file("d y"), gone("e/f/g")}},
				{changes: []change{dir("d"), goneDir("e")}},
			},
			want: Batch{Paths: []string{"d", "d y", "e"}},
		},
		{
			name: "a path stays a directory once it was one",
			flushes: []flush{
				{changes: []change{dir("d")}},
				{changes: []change{file("d"), file("d/x")}},
			},
			want: Batch{Paths: []string{"d"}},
		},
		{
			name: "a rescan swallows paths before and after it",
			flushes: []flush{
				{changes: []change{file("a")}},
				{rescan: true, reasons: []string{"event queue overflow"}},
				{changes: []change{file("b")}},
				{rescan: true, reasons: []string{"watch limit reached", "event queue overflow"}},
			},
			want: Batch{Rescan: true, Reason: "event queue overflow; watch limit reached"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var o outbox
			for _, f := range tt.flushes {
				o.merge(f)
			}
			got := o.batch()
			if got.Rescan != tt.want.Rescan || got.Reason != tt.want.Reason || !slices.Equal(got.Paths, tt.want.Paths) {
				t.Errorf("batch = %+v, want %+v", got, tt.want)
			}
			if o.empty() != (len(tt.want.Paths) == 0 && !tt.want.Rescan) {
				t.Errorf("empty() = %v for %+v", o.empty(), got)
			}
		})
	}
}

func TestOutboxBatchAfterMerge(t *testing.T) {
	var o outbox
	o.merge(flush{changes: []change{file("a")}})
	if got := o.batch().Paths; !slices.Equal(got, []string{"a"}) {
		t.Fatalf("paths = %q", got)
	}
	o.merge(flush{changes: []change{file("b")}})
	if got := o.batch().Paths; !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("paths after a merge = %q, want the merged batch", got)
	}
	o.clear()
	if !o.empty() || len(o.batch().Paths) != 0 {
		t.Fatal("outbox not empty after clear")
	}
}

func TestOutboxLimit(t *testing.T) {
	o := outbox{limit: 3}
	o.merge(flush{changes: []change{file("a"), file("b")}})
	o.merge(flush{changes: []change{file("b"), file("c")}})
	if b := o.batch(); b.Rescan {
		t.Fatalf("batch = %+v, want paths at the limit", b)
	}
	o.merge(flush{changes: []change{file("d")}})
	if b := o.batch(); !b.Rescan || b.Reason != "more than 3 changed paths waiting" || len(b.Paths) != 0 {
		t.Errorf("batch = %+v, want a rescan past the limit", b)
	}
	o.clear()
	if o.limit != 3 || !o.empty() {
		t.Errorf("clear lost the limit or kept content: %+v", o)
	}
}
