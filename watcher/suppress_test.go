package watcher

import (
	"testing"
	"time"
)

func TestSuppressor(t *testing.T) {
	var s suppressor
	now := time.Now()
	s.set("a", now.Add(time.Second))
	s.set("b", now.Add(time.Second))
	s.set("b", now.Add(3*time.Second)) // extended
	tests := []struct {
		rel  string
		at   time.Duration
		want bool
	}{
		{"a", 0, true},
		{"a", 999 * time.Millisecond, true},
		{"a", time.Second, false},
		{"a", 0, false}, // forgotten once it ended
		{"b", 2 * time.Second, true},
		{"c", 0, false},
	}
	for _, tt := range tests {
		if got := s.drop(tt.rel, now.Add(tt.at), noStat(t)); got != tt.want {
			t.Errorf("drop(%q, +%v) = %v, want %v", tt.rel, tt.at, got, tt.want)
		}
	}
}

// noStat fails the test if drop reads the path: an unsettled suppression
// needs no stat.
func noStat(t *testing.T) func(string) fileState {
	return func(rel string) fileState {
		t.Errorf("stat(%q) of an unsettled suppression", rel)
		return fileState{}
	}
}

// Once a write is settled, an event is dropped only while the path is as
// the write left it: a change made right after a download is reported,
// and so is every later event of the path.
func TestSuppressorSettled(t *testing.T) {
	var s suppressor
	now := time.Now()
	left := fileState{exists: true, size: 3, mtime: now}
	cur := left
	stat := func(string) fileState { return cur }
	s.set("a", now.Add(5*time.Second))
	s.settle("a", left)
	if !s.drop("a", now, stat) {
		t.Error("the echo of the write itself was reported")
	}
	cur.size = 4 // the user edits the file
	if s.drop("a", now.Add(time.Millisecond), stat) {
		t.Error("an edit right after the download was dropped")
	}
	cur = left
	if s.drop("a", now.Add(2*time.Millisecond), stat) {
		t.Error("an event after the user's edit was dropped")
	}
	s.set("gone", now.Add(5*time.Second))
	s.settle("gone", fileState{}) // a local delete
	cur = fileState{}
	if !s.drop("gone", now, stat) {
		t.Error("the echo of a delete was reported")
	}
	cur = left // created again by the user
	if s.drop("gone", now, stat) {
		t.Error("a file created right after the delete was dropped")
	}
	s.settle("never-set", left) // nothing to settle: no suppression appears
	if s.drop("never-set", now, stat) {
		t.Error("settle without set suppressed events")
	}
}

func TestSuppressorSweepsEnded(t *testing.T) {
	var s suppressor
	past := time.Now().Add(-time.Second)
	for i := range 1000 {
		s.set(string(rune('a'+i%26))+time.Duration(i).String(), past)
	}
	if n := len(s.until); n > 200 {
		t.Errorf("%d ended suppressions kept, want them swept", n)
	}
}

// When a folder goes, the suppressions of the paths inside it go too, and
// only those.
func TestSuppressorForgetUnder(t *testing.T) {
	var s suppressor
	until := time.Now().Add(time.Minute)
	for _, rel := range []string{"d/f", "d/sub/g", "d", "dd/f", "e/f"} {
		s.set(rel, until)
	}
	s.forgetUnder("d")
	for rel, want := range map[string]bool{"d/f": false, "d/sub/g": false, "d": true, "dd/f": true, "e/f": true} {
		if got := s.drop(rel, time.Now(), noStat(t)); got != want {
			t.Errorf("after the folder d went, drop(%q) = %v, want %v", rel, got, want)
		}
	}
}
