package syncer

import (
	"sync"
	"time"

	"github.com/ks3sync/ks3sync/state"
)

// EventKind says what an Event reports.
type EventKind string

// The events of a pass, in the order a pass emits them.
const (
	EventPassStart    EventKind = "pass-start"
	EventPlanned      EventKind = "planned" // dry run: an action that would be taken
	EventUpload       EventKind = "upload"
	EventDownload     EventKind = "download"
	EventDeleteRemote EventKind = "delete-remote"
	EventDeleteLocal  EventKind = "delete-local"
	EventConflict     EventKind = "conflict"
	EventUpdateBase   EventKind = "update-base"
	EventStart        EventKind = "start" // a transfer begins; Size is its length
	EventBytes        EventKind = "bytes" // Bytes more were transferred
	EventError        EventKind = "error"
	EventWarning      EventKind = "warning"
	EventPassEnd      EventKind = "pass-end"
)

// Event is one thing a pass did or would do. It marshals to the JSON lines
// that `ks3sync run --json` prints.
type Event struct {
	Kind     EventKind        `json:"event"`
	Time     time.Time        `json:"time"`
	Pair     string           `json:"pair"`
	Action   string           `json:"action,omitempty"`
	Path     string           `json:"path,omitempty"`
	Key      string           `json:"key,omitempty"`
	Size     int64            `json:"size,omitempty"`
	Bytes    int64            `json:"bytes,omitempty"`
	Reason   string           `json:"reason,omitempty"`
	Error    string           `json:"error,omitempty"`
	Duration float64          `json:"seconds,omitempty"`
	Counts   *state.RunCounts `json:"counts,omitempty"`
	DryRun   bool             `json:"dry_run,omitempty"`
}

// Result sums up a pass.
type Result struct {
	RunID   int64
	Counts  state.RunCounts
	Errors  []string
	Started time.Time
	Ended   time.Time
	Planned int // actions planned (dry run)
	// FailedPaths are the local paths whose item failed; a watch loop
	// retries them with backoff.
	FailedPaths []string
}

// tally collects counts from concurrent workers.
type tally struct {
	mu     sync.Mutex
	counts state.RunCounts
	errs   []string
	paths  []string
}

func (t *tally) add(f func(c *state.RunCounts)) {
	t.mu.Lock()
	f(&t.counts)
	t.mu.Unlock()
}

func (t *tally) fail(path, msg string) {
	t.mu.Lock()
	t.counts.Failed++
	if len(t.errs) < 1000 {
		t.errs = append(t.errs, msg)
	}
	t.paths = append(t.paths, path)
	t.mu.Unlock()
}

func (t *tally) snapshot() (state.RunCounts, []string, []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.counts, append([]string(nil), t.errs...), append([]string(nil), t.paths...)
}

func (s *Syncer) emit(ev Event) {
	if s.opts.Report == nil {
		return
	}
	ev.Pair = s.opts.Pair
	if ev.Time.IsZero() {
		ev.Time = s.opts.Now()
	}
	s.opts.Report(ev)
}
