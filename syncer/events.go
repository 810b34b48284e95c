package syncer

import (
	"sync"
	"time"

	"github.com/ks3sync/ks3sync/state"
)

// EventKind says what an Event reports.
type EventKind string

// The events of a pass, in the order a pass emits them. Every pass starts
// with pass-start and ends with exactly one pass-end, which carries the
// pass's Outcome; a refused pass emits refused just before its pass-end.
const (
	EventPassStart    EventKind = "pass-start"
	EventPlan         EventKind = "plan"    // what the pass is about to do: Plan
	EventPlanned      EventKind = "planned" // dry run: an action that would be taken
	EventUpload       EventKind = "upload"
	EventDownload     EventKind = "download"
	EventDeleteRemote EventKind = "delete-remote"
	EventDeleteLocal  EventKind = "delete-local"
	EventConflict     EventKind = "conflict"
	EventUpdateBase   EventKind = "update-base"
	EventStart        EventKind = "start"   // a transfer begins; Size is its length
	EventBytes        EventKind = "bytes"   // Bytes more were transferred (negative: taken back for a retry)
	EventResumed      EventKind = "resumed" // an interrupted upload resumes with Parts parts already sent
	EventParts        EventKind = "parts"   // Parts of a multipart upload's PartCount parts are on the server
	EventError        EventKind = "error"   // an item failed; ErrorKind classifies it
	EventWarning      EventKind = "warning"
	EventRefused      EventKind = "refused" // a guard held the pass back: Guard
	EventPassEnd      EventKind = "pass-end"
)

// Event is one thing a pass did or would do. It marshals to the JSON lines
// that `ks3sync run --json` prints: keys are snake_case, durations carry
// their unit in the key, sizes are bytes.
type Event struct {
	Kind      EventKind        `json:"event"`
	Time      time.Time        `json:"time"`
	Pair      string           `json:"pair"`
	Action    string           `json:"action,omitempty"` // the planner's action, or the kind of pass
	Path      string           `json:"path,omitempty"`
	Key       string           `json:"key,omitempty"`
	Size      int64            `json:"size,omitempty"`
	Bytes     int64            `json:"bytes,omitempty"`
	Parts     int              `json:"parts,omitempty"`
	PartCount int              `json:"part_count,omitempty"`
	Reason    string           `json:"reason,omitempty"`
	Error     string           `json:"error,omitempty"`
	ErrorKind string           `json:"error_kind,omitempty"`
	Duration  float64          `json:"duration_seconds,omitempty"`
	Outcome   Outcome          `json:"outcome,omitempty"`
	Counts    *state.RunCounts `json:"counts,omitempty"`
	Plan      *PlanTotals      `json:"plan,omitempty"`
	Guard     *GuardInfo       `json:"guard,omitempty"`
	DryRun    bool             `json:"dry_run,omitempty"`
}

// PlanTotals is the work a pass is about to do, for progress displays.
type PlanTotals struct {
	Files   int   `json:"files"`   // uploads, downloads and conflict copies
	Bytes   int64 `json:"bytes"`   // their size
	Deletes int   `json:"deletes"` // deletions on either side
}

// GuardInfo describes a refusal: which guard, its figures and the command
// that would let the pass proceed once.
type GuardInfo struct {
	Name    string `json:"name"` // the config key of the guard, e.g. max_delete
	Side    string `json:"side"` // remote or local
	Deletes int    `json:"deletes"`
	// Overwrites is, for max_overwrite, the existing objects the pass
	// would have overwritten.
	Overwrites int    `json:"overwrites,omitempty"`
	Files      int    `json:"files"`
	Limit      string `json:"limit"`
	Proceed    string `json:"proceed"`
}

// Result sums up a pass.
type Result struct {
	RunID   int64
	Outcome Outcome
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

// skip counts an item that is skipped for good reason but must be seen: it
// is reported with the run's errors (status shows them) without failing.
func (t *tally) skip(msg string) {
	t.mu.Lock()
	t.counts.Skipped++
	if len(t.errs) < 1000 {
		t.errs = append(t.errs, msg)
	}
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
