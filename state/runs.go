package state

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Kinds of run.
const (
	KindRun       = "run"        // one-shot `ks3sync run`
	KindWatchPass = "watch-pass" // a pass over dirty paths while watching
	KindReconcile = "reconcile"  // a full scan and listing while watching
)

// Statuses of a run.
const (
	StatusRunning     = "running"     // started, not finished
	StatusOK          = "ok"          // everything done
	StatusPartial     = "partial"     // some items failed, the rest done
	StatusFailed      = "failed"      // the pass could not be carried out
	StatusInterrupted = "interrupted" // stopped before the end
	StatusRefused     = "refused"     // a safety guard held the pass back; nothing was changed
)

// MaxRunErrors is how many error messages a run keeps.
const MaxRunErrors = 50

// keepRuns is how many runs of each pair the history keeps; older runs are
// dropped when a new one starts.
const keepRuns = 1000

// RunCounts are the outcomes of a run.
type RunCounts struct {
	Uploaded   int   `json:"uploaded"`
	Downloaded int   `json:"downloaded"`
	Deleted    int   `json:"deleted"`
	Skipped    int   `json:"skipped"`
	Failed     int   `json:"failed"`
	Conflicts  int   `json:"conflicts"`
	Bytes      int64 `json:"bytes"` // transferred
}

// Run is one sync pass in the history shown by `ks3sync status`.
type Run struct {
	ID      int64
	Pair    string
	Kind    string // KindRun, KindWatchPass or KindReconcile
	Started time.Time
	Ended   time.Time // zero while running
	Counts  RunCounts
	Errors  []string // the first MaxRunErrors error messages
	Status  string   // StatusRunning, StatusOK, ...
	// ErrorCount is the number of errors the run had, which may be more
	// than len(Errors).
	ErrorCount int
}

// StartRun records the start of a run of kind (KindRun, KindWatchPass or
// KindReconcile) for pair, with status StatusRunning, and returns its id. It
// drops the oldest runs of pair beyond the last 1000.
func (db *DB) StartRun(ctx context.Context, pair, kind string, started time.Time) (int64, error) {
	if !slices.Contains([]string{KindRun, KindWatchPass, KindReconcile}, kind) {
		return 0, fmt.Errorf("start run: unknown kind %q", kind)
	}
	var id int64
	err := db.update(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO runs (pair, kind, started) VALUES (?, ?, ?)`,
			pair, kind, nanos(started))
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM runs WHERE pair = ? AND id <= (
			SELECT id FROM runs WHERE pair = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`, pair, pair, keepRuns)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("start run: %w", err)
	}
	return id, nil
}

// FinishRun records the end of run id: its end time, final status (any
// status but StatusRunning), counts and errors, of which it keeps the first
// MaxRunErrors.
func (db *DB) FinishRun(ctx context.Context, id int64, ended time.Time, status string, c RunCounts, errs []string) error {
	if !slices.Contains([]string{StatusOK, StatusPartial, StatusFailed, StatusInterrupted, StatusRefused}, status) {
		return fmt.Errorf("finish run %d: invalid final status %q", id, status)
	}
	kept := errs[:min(len(errs), MaxRunErrors)]
	if kept == nil {
		kept = []string{}
	}
	js, err := json.Marshal(kept)
	if err != nil {
		return fmt.Errorf("finish run %d: %w", id, err)
	}
	res, err := db.w.ExecContext(ctx, `UPDATE runs SET ended = ?, status = ?,
			uploaded = ?, downloaded = ?, deleted = ?, skipped = ?, failed = ?, conflicts = ?, bytes = ?,
			errors = ?, error_count = ?
		WHERE id = ?`, nanos(ended), status,
		c.Uploaded, c.Downloaded, c.Deleted, c.Skipped, c.Failed, c.Conflicts, c.Bytes,
		string(js), len(errs), id)
	if err != nil {
		return fmt.Errorf("finish run %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("finish run %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("finish run %d: no such run", id)
	}
	return nil
}

// InterruptRuns marks every run still recorded as running as interrupted at
// ended, and returns how many there were: runs of a process that was killed.
// Call it only when no other process is syncing with this database.
func (db *DB) InterruptRuns(ctx context.Context, ended time.Time) (int, error) {
	res, err := db.w.ExecContext(ctx, `UPDATE runs SET status = ?, ended = ? WHERE status = ?`,
		StatusInterrupted, nanos(ended), StatusRunning)
	if err != nil {
		return 0, fmt.Errorf("interrupt runs: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("interrupt runs: %w", err)
	}
	return int(n), nil
}

const runColumns = `id, pair, kind, started, ended, status, uploaded, downloaded, deleted, skipped,
	failed, conflicts, bytes, errors, error_count`

func scanRun(s rowScanner) (Run, error) {
	var r Run
	var started, ended int64
	var errs string
	c := &r.Counts
	err := s.Scan(&r.ID, &r.Pair, &r.Kind, &started, &ended, &r.Status, &c.Uploaded, &c.Downloaded,
		&c.Deleted, &c.Skipped, &c.Failed, &c.Conflicts, &c.Bytes, &errs, &r.ErrorCount)
	if err != nil {
		return r, err
	}
	r.Started, r.Ended = fromNanos(started), fromNanos(ended)
	if err := json.Unmarshal([]byte(errs), &r.Errors); err != nil {
		return r, fmt.Errorf("errors of run %d: %w", r.ID, err)
	}
	return r, nil
}

// Runs returns up to limit (all if limit < 1) runs of pair (of all pairs if
// pair is ""), newest first.
func (db *DB) Runs(ctx context.Context, pair string, limit int) ([]Run, error) {
	q, args := `SELECT `+runColumns+` FROM runs`, []any{}
	if pair != "" {
		q, args = q+` WHERE pair = ?`, []any{pair}
	}
	var runs []Run
	for r, err := range queryIter(ctx, db.r, "read runs", scanRun, q+` ORDER BY id DESC LIMIT ?`,
		append(args, limitValue(limit))...) {
		if err != nil {
			return nil, err
		}
		runs = append(runs, r)
	}
	return runs, nil
}
