package daemon

import (
	"time"

	"github.com/ks3sync/ks3sync/state"
	"github.com/ks3sync/ks3sync/syncer"
)

// StatusVersion is the version of the Status document; it grows when a
// field changes meaning or goes away (new fields may appear at any time).
const StatusVersion = 1

// Status is what the daemon knows about itself and its pairs: the document
// served as /api/status and printed by `ks3sync status --json`. A Status
// returned by Monitor.Snapshot is never modified afterwards.
type Status struct {
	Version int `json:"version"`
	// Source is "daemon" for a running daemon's live view, "state" when it
	// was read from the state database with no daemon answering.
	Source string `json:"source"`
	// Device is this installation's name (config device:), as it appears
	// in conflict copies, history entries and the change journal.
	Device      string       `json:"device"`
	StartedAt   *time.Time   `json:"started_at,omitempty"` // when the daemon started
	Ready       bool         `json:"ready"`                // every pair's first reconcile succeeded
	Healthy     bool         `json:"healthy"`              // as /healthz, at GeneratedAt
	GeneratedAt time.Time    `json:"generated_at"`
	Pairs       []PairStatus `json:"pairs"`
	// Throughput is the bytes moved per interval over the last hour, all
	// pairs together (empty when read from the state database).
	Throughput Throughput `json:"throughput"`
}

// PairStatus is one pair's state.
type PairStatus struct {
	Name      string     `json:"name"`
	Direction string     `json:"direction"` // push, pull or both
	Local     string     `json:"local"`     // the local folder
	Bucket    string     `json:"bucket"`
	Prefix    string     `json:"prefix"`
	Encrypted bool       `json:"encrypted"` // client-side encryption is on
	Health    PairHealth `json:"health"`
	Active    string     `json:"activity"` // idle, reconciling (a full pass) or syncing (a small pass)
	// Paused says no pass runs until the pair is resumed; changes are
	// still queued. PausedAt is when it was paused.
	Paused   bool         `json:"paused"`
	PausedAt *time.Time   `json:"paused_at,omitempty"`
	Last     *PassSummary `json:"last_pass,omitempty"`
	// LastSuccessAt is when the last pass that ran to its end (ok or
	// partial) ended; LastFullAt the same for full reconciles.
	LastSuccessAt *time.Time `json:"last_success_at,omitempty"`
	LastFullAt    *time.Time `json:"last_full_reconcile_at,omitempty"`
	// ConsecutiveFailures counts the failed or refused passes since the
	// last success; FailingSince is when the first of them ended.
	ConsecutiveFailures int        `json:"consecutive_failures"`
	FailingSince        *time.Time `json:"failing_since,omitempty"`
	Queue               Queue      `json:"queue"`
	// RescanSeconds is the pair's full reconcile interval.
	RescanSeconds float64          `json:"rescan_seconds"`
	InFlight      []Transfer       `json:"in_flight"`
	Recent        []TransferRecord `json:"recent_transfers"` // newest last, at most RecentLimit
	Errors        []ErrorRecord    `json:"recent_errors"`    // newest last, at most RecentLimit
	Refusals      []RefusalRecord  `json:"recent_refusals"`  // newest last, at most RecentLimit
	Conflicts     []ConflictRecord `json:"recent_conflicts"` // newest last, at most RecentLimit
	Totals        Totals           `json:"totals"`
	// History is the pair's version history, when it keeps one (a pair
	// that pushes or syncs both ways with history on).
	History *HistoryStatus `json:"history,omitempty"`
}

// HistoryStatus is what the status tells of a pair's version history: its
// policy, and the restore points, the ends of the last passes that changed
// files. `ks3sync restore --at` any of them rebuilds the folder as that
// pass left it (any other time works too; these are the ones known to
// differ).
type HistoryStatus struct {
	KeepSeconds   float64     `json:"keep_seconds"` // each displaced version is kept at least this long
	Versions      int         `json:"versions"`     // and the newest this many of each file, however old
	RestorePoints []time.Time `json:"restore_points"`
}

// RestorePointLimit is how many restore points a pair's status keeps.
const RestorePointLimit = 10

// restorePoint records the end of a successful pass that changed files.
func (h *HistoryStatus) restorePoint(sum PassSummary) {
	if h == nil || sum.Counts.Uploaded+sum.Counts.Deleted+sum.Counts.Conflicts == 0 {
		return
	}
	h.RestorePoints = append(h.RestorePoints, sum.EndedAt)
	if n := len(h.RestorePoints); n > RestorePointLimit {
		h.RestorePoints = append([]time.Time(nil), h.RestorePoints[n-RestorePointLimit:]...)
	}
}

// clone copies h for a reader.
func (h *HistoryStatus) clone() *HistoryStatus {
	if h == nil {
		return nil
	}
	c := *h
	c.RestorePoints = append([]time.Time{}, h.RestorePoints...)
	return &c
}

// RecentLimit is how many transfers, errors, refusals and conflicts a
// pair's status keeps.
const RecentLimit = 50

// PassSummary describes one finished pass.
type PassSummary struct {
	Kind      string          `json:"kind"` // reconcile, watch-pass or run
	Outcome   syncer.Outcome  `json:"outcome"`
	Error     string          `json:"error,omitempty"`
	ErrorKind string          `json:"error_kind,omitempty"`
	Proceed   string          `json:"proceed,omitempty"` // a refusal: the command that lets it proceed once
	StartedAt time.Time       `json:"started_at"`
	EndedAt   time.Time       `json:"ended_at"`
	Duration  float64         `json:"duration_seconds"`
	Counts    state.RunCounts `json:"counts"`
}

// Queue is the pair's durable queue of local changes, as the daemon last
// saw it (it is never read on a request).
type Queue struct {
	Depth    int        `json:"depth"`
	OldestAt *time.Time `json:"oldest_at,omitempty"` // when the oldest waiting change was seen
}

// Transfer is a transfer in flight.
type Transfer struct {
	Action    string    `json:"action"` // upload or download
	Path      string    `json:"path"`
	Size      int64     `json:"size"`
	Done      int64     `json:"bytes_done"`
	StartedAt time.Time `json:"started_at"`
	// Parts is the number of parts of a multipart upload (0 for a single
	// request), PartsDone how many the server has.
	Parts     int `json:"parts"`
	PartsDone int `json:"parts_done"`
	// Rate is the transfer's recent speed in bytes per second; 0 before
	// it is known, or when no byte moved for a while.
	Rate float64 `json:"bytes_per_second"`
}

// TransferRecord is a finished transfer, deletion or conflict.
type TransferRecord struct {
	Time     time.Time `json:"time"`
	Action   string    `json:"action"` // upload, download, delete-remote, delete-local or conflict
	Path     string    `json:"path"`
	Size     int64     `json:"size,omitempty"`
	Duration float64   `json:"duration_seconds,omitempty"`
	Reason   string    `json:"reason,omitempty"` // why the planner chose it
}

// ErrorRecord is an item that failed, or a pass that failed as a whole
// (Path empty).
type ErrorRecord struct {
	Time   time.Time `json:"time"`
	Action string    `json:"action,omitempty"`
	Path   string    `json:"path,omitempty"`
	Error  string    `json:"error"`
	Kind   string    `json:"error_kind"`
	Hint   string    `json:"hint,omitempty"` // what a person can do about it
}

// RefusalRecord is a pass a safety guard held back: nothing was changed.
// The retries of a refused pass that the guard refuses alike add to Count
// and move Time instead of adding records.
type RefusalRecord struct {
	Time    time.Time `json:"time"`  // of the last refusal
	Count   int       `json:"count"` // refusals in a row that said the same
	Guard   string    `json:"guard"` // the config key of the guard, e.g. max_delete
	Side    string    `json:"side"`  // remote or local
	Deletes int       `json:"deletes"`
	Files   int       `json:"files"`
	Limit   string    `json:"limit"`
	Message string    `json:"message"`
	Proceed string    `json:"proceed"` // the command that lets the pass proceed once
}

// ConflictRecord is a file changed on both sides since the last sync; both
// versions were kept.
type ConflictRecord struct {
	Time   time.Time `json:"time"`
	Path   string    `json:"path"`
	Reason string    `json:"reason"`
}

// Throughput is the bytes moved per interval, oldest first: Up[i] and
// Down[i] are the bytes uploaded and downloaded (counted as they flow,
// retries taken back) in the interval that ends IntervalSeconds*(n-1-i)
// before EndsAt, n being the number of intervals. The last interval is
// still filling.
type Throughput struct {
	IntervalSeconds float64   `json:"interval_seconds"`
	EndsAt          time.Time `json:"ends_at"`
	Up              []int64   `json:"up_bytes"`
	Down            []int64   `json:"down_bytes"`
}

// Totals are counters since the daemon started.
type Totals struct {
	Passes          map[syncer.Outcome]int `json:"passes"` // by outcome
	UploadedFiles   int                    `json:"uploaded_files"`
	DownloadedFiles int                    `json:"downloaded_files"`
	UploadedBytes   int64                  `json:"uploaded_bytes"`
	DownloadedBytes int64                  `json:"downloaded_bytes"`
	DeletedRemote   int                    `json:"deleted_remote"`
	DeletedLocal    int                    `json:"deleted_local"`
	Conflicts       int                    `json:"conflicts"`
	ResumedParts    int                    `json:"resumed_parts"`
	TransferErrors  map[string]int         `json:"transfer_errors"` // by syncer.ErrorKind
}

// PairHealth is a pair's health: Reason is one of the Reason constants
// when it is not healthy, and Message says it for a person.
type PairHealth struct {
	Healthy bool   `json:"healthy"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
}

// Pair returns the status of the named pair.
func (s *Status) Pair(name string) (*PairStatus, bool) {
	for i := range s.Pairs {
		if s.Pairs[i].Name == name {
			return &s.Pairs[i], true
		}
	}
	return nil, false
}
