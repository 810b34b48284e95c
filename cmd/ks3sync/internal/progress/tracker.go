// Package progress shows how far a batch of transfers has come: an overall
// bar (files and bytes done of the total, rate, time left) and one line per
// transfer in flight, redrawn in place on a terminal (Terminal), or as
// plain periodic lines elsewhere (Line). Tracker holds the figures and is
// safe for concurrent use; Render turns a snapshot into lines, with no I/O.
package progress

import (
	"slices"
	"sync"
	"time"
)

// rateWindow is how far back the transfer rate looks, and minRateSpan how
// much time it needs before it says anything: a rate measured over a few
// milliseconds is noise.
const (
	rateWindow  = 5 * time.Second
	minRateSpan = time.Second
)

// Tracker counts the work of a batch of transfers.
type Tracker struct {
	now func() time.Time

	mu      sync.Mutex
	start   time.Time
	files   int // total, as announced
	bytes   int64
	done    int // files finished (or failed)
	failed  int
	sent    int64 // bytes transferred
	active  map[string]*Transfer
	order   int
	samples []sample // (time, sent), oldest first, within rateWindow
}

type sample struct {
	at   time.Time
	sent int64
}

// Transfer is one transfer in flight.
type Transfer struct {
	Label string // e.g. "↑ docs/a.txt"
	Size  int64  // -1 when unknown
	Done  int64
	order int
}

// NewTracker returns an empty Tracker; now nil means time.Now.
func NewTracker(now func() time.Time) *Tracker {
	if now == nil {
		now = time.Now
	}
	return &Tracker{now: now, start: now(), active: map[string]*Transfer{}}
}

// AddTotal announces files more files of bytes bytes.
func (t *Tracker) AddTotal(files int, bytes int64) {
	t.mu.Lock()
	t.files += files
	t.bytes += bytes
	t.mu.Unlock()
}

// Start begins the transfer id, shown as label, of size bytes (-1 unknown).
func (t *Tracker) Start(id, label string, size int64) {
	t.mu.Lock()
	t.order++
	t.active[id] = &Transfer{Label: label, Size: size, order: t.order}
	t.mu.Unlock()
}

// Add counts n bytes of the transfer id (n < 0 takes bytes back, for a
// retry); bytes of an unknown id count towards the total only.
func (t *Tracker) Add(id string, n int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if tr := t.active[id]; tr != nil {
		tr.Done = max(tr.Done+n, 0)
	}
	t.sent = max(t.sent+n, 0)
	t.sample(t.now())
}

// Done ends the transfer id, and counts one file done (failed or not).
func (t *Tracker) Done(id string, failed bool) {
	t.mu.Lock()
	delete(t.active, id)
	t.done++
	if failed {
		t.failed++
	}
	t.mu.Unlock()
}

// sample records the bytes sent at now and forgets samples that left the
// window, keeping one older than the window's start to measure from.
func (t *Tracker) sample(now time.Time) {
	t.samples = append(t.samples, sample{at: now, sent: t.sent})
	i := 0
	for i+1 < len(t.samples) && now.Sub(t.samples[i+1].at) >= rateWindow {
		i++
	}
	t.samples = t.samples[i:]
}

// Snapshot is the state of a Tracker at one moment.
type Snapshot struct {
	Files, Done, Failed int
	Bytes, Sent         int64
	Rate                float64       // bytes per second; 0 = not known yet
	Elapsed             time.Duration // since the tracker was made
	Active              []Transfer    // in the order they started
}

// ETA estimates the time left, or -1 when it cannot be known.
func (s Snapshot) ETA() time.Duration {
	if s.Rate <= 0 || s.Bytes <= 0 {
		return -1
	}
	left := max(s.Bytes-s.Sent, 0)
	return time.Duration(float64(left) / s.Rate * float64(time.Second))
}

// Snapshot returns the figures now.
func (t *Tracker) Snapshot() Snapshot {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.sample(now)
	s := Snapshot{Files: t.files, Done: t.done, Failed: t.failed, Bytes: t.bytes, Sent: t.sent, Elapsed: now.Sub(t.start)}
	if first := t.samples[0]; now.Sub(first.at) >= minRateSpan {
		s.Rate = float64(t.sent-first.sent) / now.Sub(first.at).Seconds()
	}
	for _, tr := range t.active {
		s.Active = append(s.Active, *tr)
	}
	slices.SortFunc(s.Active, func(a, b Transfer) int { return a.order - b.order })
	return s
}
