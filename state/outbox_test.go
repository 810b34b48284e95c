package state

import (
	"slices"
	"testing"
	"time"
)

// A record of journal names stays until it is dropped, and is the pair's
// alone.
func TestOutbox(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	now := time.Unix(1700000000, 0)
	a, err := db.AddOutbox(ctx, "p", []string{"a.txt", "dir/b.txt"}, now)
	if err != nil {
		t.Fatal(err)
	}
	b, err := db.AddOutbox(ctx, "p", []string{"c.txt"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddOutbox(ctx, "q", []string{"x"}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddOutbox(ctx, "p", []string{"two\nlines"}, now); err == nil {
		t.Error("a name with a newline was accepted")
	}
	got, err := db.PendingOutbox(ctx, "p")
	if err != nil || len(got) != 2 || got[0].ID != a || got[1].ID != b ||
		!slices.Equal(got[0].Names, []string{"a.txt", "dir/b.txt"}) || !slices.Equal(got[1].Names, []string{"c.txt"}) {
		t.Fatalf("pending = %+v, %v", got, err)
	}
	if err := db.DropOutbox(ctx, "p", a); err != nil {
		t.Fatal(err)
	}
	if got, err := db.PendingOutbox(ctx, "p"); err != nil || len(got) != 1 || got[0].ID != b {
		t.Fatalf("after drop: %+v, %v", got, err)
	}
	if got, err := db.PendingOutbox(ctx, "q"); err != nil || len(got) != 1 {
		t.Fatalf("other pair: %+v, %v", got, err)
	}
}
