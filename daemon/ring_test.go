package daemon

import (
	"slices"
	"testing"
)

func TestRingKeepsTheLast(t *testing.T) {
	r := newRing[int](3)
	if got := r.items(); len(got) != 0 {
		t.Fatalf("empty ring: %v", got)
	}
	var all []int
	for i := 1; i <= 7; i++ {
		r.add(i)
		all = append(all, i)
		want := all[max(0, len(all)-3):]
		if got := r.items(); !slices.Equal(got, want) {
			t.Fatalf("after %d: %v, want %v", i, got, want)
		}
	}
}

func TestRingLast(t *testing.T) {
	r := newRing[int](3)
	if r.last() != nil {
		t.Fatal("last of an empty ring")
	}
	for i := 1; i <= 5; i++ {
		r.add(i)
		if got := *r.last(); got != i {
			t.Fatalf("after adding %d, last = %d", i, got)
		}
	}
	*r.last() = 50
	if got := r.items(); got[2] != 50 {
		t.Fatalf("items %v after changing the last", got)
	}
}
