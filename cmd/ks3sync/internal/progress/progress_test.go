package progress

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newClock() *clock { return &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

// The rate says nothing until a second of transfer has been measured,
// however fast the first bytes come, then follows the last few seconds.
func TestRateIsSaneFromTheStart(t *testing.T) {
	c := newClock()
	tr := NewTracker(c.now)
	tr.AddTotal(2, 20<<20)
	tr.Start("a", "↑ a", 10<<20)
	c.add(time.Millisecond)
	tr.Add("a", 4<<20) // 4 MiB in 1 ms: not a rate of 4 GiB/s
	if s := tr.Snapshot(); s.Rate != 0 || s.ETA() != -1 {
		t.Fatalf("after 1 ms: rate %v, ETA %v", s.Rate, s.ETA())
	}
	for range 4 {
		c.add(500 * time.Millisecond)
		tr.Add("a", 512<<10)
	}
	s := tr.Snapshot()
	// 2 MiB in the 2 s since the first sample (at 1 ms, after 4 MiB).
	if want := float64(2<<20) / 2.0; s.Rate < want*0.99 || s.Rate > want*1.01 {
		t.Fatalf("rate %v, want about %v", s.Rate, want)
	}
	if eta := s.ETA(); eta != 14*time.Second {
		t.Fatalf("ETA %v, want 14s for 14 MiB at 1 MiB/s", eta)
	}
	// Ten seconds later the window holds only the recent samples.
	for range 20 {
		c.add(500 * time.Millisecond)
		tr.Add("a", 1<<20)
	}
	if s := tr.Snapshot(); s.Rate < 1.9*(1<<20) || s.Rate > 2.1*(1<<20) {
		t.Fatalf("rate %v, want about 2 MiB/s", s.Rate)
	}
}

func TestRender(t *testing.T) {
	s := Snapshot{Files: 10, Done: 3, Bytes: 4 << 20, Sent: 1 << 20, Rate: 512 << 10,
		Active: []Transfer{{Label: "↑ docs/a.txt", Size: 2 << 20, Done: 1 << 20}, {Label: "↓ b", Size: -1, Done: 10}, {Label: "↑ c", Size: 5}}}
	got := Render(s, 80, 2)
	want := []string{
		"[===========>                                ] 3/10 files  1.0 MiB/4.0 MiB  512 KiB/s  ETA 6s",
		"  ↑ docs/a.txt   50%  1.0 MiB/2.0 MiB",
		"  ↓ b  10 B",
		"  … and 1 more",
	}
	if len(got) != len(want) {
		t.Fatalf("Render = %q", got)
	}
	for i := range want {
		if i == 0 {
			if !strings.HasSuffix(got[0], "] 3/10 files  1.0 MiB/4.0 MiB  512 KiB/s  ETA 6s") || len([]rune(got[0])) != 80 ||
				!strings.HasPrefix(got[0], "[=======>    ") {
				t.Errorf("bar line %q (%d runes)", got[0], len([]rune(got[0])))
			}
			continue
		}
		if got[i] != want[i] {
			t.Errorf("line %d = %q, want %q", i, got[i], want[i])
		}
	}
}

// A terminal that reports no width, or a tiny one, still gets a bar.
func TestRenderZeroWidth(t *testing.T) {
	s := Snapshot{Files: 1, Bytes: 100, Sent: 50}
	for _, w := range []int{0, -1, 5} {
		line := Render(s, w, 4)[0]
		if !strings.HasPrefix(line, "[=") || !strings.Contains(line, ">    ") || !strings.Contains(line, "0/1") {
			t.Errorf("width %d: %q has no bar", w, line)
		}
	}
}

func TestLine(t *testing.T) {
	s := Snapshot{Files: 4, Done: 4, Failed: 1, Bytes: 1024, Sent: 1024}
	if got, want := Line(s), "4/4 files (1 failed)  1.0 KiB/1.0 KiB  -/s  ETA -"; got != want {
		t.Fatalf("Line = %q, want %q", got, want)
	}
}

// syncBuffer is a writer safe for the redraw goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// Lines printed go above the display, and Close takes the display away.
func TestTerminalPrintsAboveAndCloses(t *testing.T) {
	var out syncBuffer
	tr := NewTracker(nil)
	tr.AddTotal(1, 10)
	d := NewTerminal(&out, tr, 4)
	d.Println("uploaded a")
	d.Close()
	d.Println("summary")
	s := out.String()
	if !strings.Contains(s, "0/1 files") || !strings.Contains(s, "uploaded a\n") || !strings.HasSuffix(s, "\x1b[J"+"summary\n") {
		t.Fatalf("output %q", s)
	}
}
