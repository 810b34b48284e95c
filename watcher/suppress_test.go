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
		if got := s.drop(tt.rel, now.Add(tt.at)); got != tt.want {
			t.Errorf("drop(%q, +%v) = %v, want %v", tt.rel, tt.at, got, tt.want)
		}
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
