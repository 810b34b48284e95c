package state

import (
	"context"
	"database/sql"
	"fmt"
	"iter"
	"time"
)

// DirtyEntry is a path reported changed and not yet synced. The queue is
// durable: a path marked dirty stays there across crashes and restarts until
// it is cleared.
type DirtyEntry struct {
	Pair, Path  string
	FirstSeen   time.Time // when the oldest change not yet synced was reported
	NextAttempt time.Time // when the path is due; later than FirstSeen after a failure
	Attempts    int       // failed attempts so far
	LastError   string    // message of the last failed attempt

	// Seq identifies the latest mark of the path: it grows each time the
	// path is marked dirty. ClearDirtyEntries uses it to keep paths that
	// changed again after they were read.
	Seq int64
}

const dirtyColumns = `pair, path, first_seen, next_attempt, attempts, last_error, seq`

// dueDirtyQuery walks the index dirty_by_age, whose entries end with the
// path, so the order needs no sorting.
const dueDirtyQuery = `SELECT ` + dirtyColumns + ` FROM dirty WHERE pair = ? AND next_attempt <= ?
	ORDER BY first_seen, path LIMIT ?`

func scanDirty(s rowScanner) (DirtyEntry, error) {
	var e DirtyEntry
	var first, next int64
	err := s.Scan(&e.Pair, &e.Path, &first, &next, &e.Attempts, &e.LastError, &e.Seq)
	e.FirstSeen, e.NextAttempt = fromNanos(first), fromNanos(next)
	return e, err
}

// MarkDirty queues paths of pair as changed at time at, in one transaction.
// A path already queued keeps its earliest FirstSeen and its Attempts and
// LastError, but becomes due at once (NextAttempt no later than at): a new
// change deserves a new attempt, whatever the backoff of the last failure.
func (db *DB) MarkDirty(ctx context.Context, pair string, at time.Time, paths ...string) error {
	if len(paths) == 0 {
		return nil
	}
	for _, p := range paths {
		if pair == "" || p == "" {
			return fmt.Errorf("mark dirty %q of pair %q: empty pair or path", p, pair)
		}
	}
	err := db.update(ctx, func(tx *sql.Tx) error {
		seq, err := nextDirtySeq(ctx, tx)
		if err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO dirty (pair, path, first_seen, next_attempt, seq)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (pair, path) DO UPDATE SET
				first_seen = min(first_seen, excluded.first_seen),
				next_attempt = min(next_attempt, excluded.next_attempt),
				seq = excluded.seq`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		t := nanos(at)
		for _, p := range paths {
			if _, err := stmt.ExecContext(ctx, pair, p, t, t, seq); err != nil {
				return fmt.Errorf("%q: %w", p, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("mark dirty: %w", err)
	}
	return nil
}

// DueDirty returns up to limit (all if limit < 1) queued paths of pair whose
// NextAttempt is not after now, oldest FirstSeen first (then by path).
func (db *DB) DueDirty(ctx context.Context, pair string, now time.Time, limit int) ([]DirtyEntry, error) {
	var due []DirtyEntry
	seq := queryIter(ctx, db.r, "due dirty", scanDirty, dueDirtyQuery, pair, nanos(now), limitValue(limit))
	for e, err := range seq {
		if err != nil {
			return nil, err
		}
		due = append(due, e)
	}
	return due, nil
}

// ClearDirty removes paths of pair from the queue, whatever happened to them
// since they were read. To clear paths that were just synced, prefer
// ClearDirtyEntries, which keeps a path that changed again meanwhile.
func (db *DB) ClearDirty(ctx context.Context, pair string, paths ...string) error {
	err := db.execEach(ctx, `DELETE FROM dirty WHERE pair = ? AND path = ?`, len(paths),
		func(i int) []any { return []any{pair, paths[i]} })
	if err != nil {
		return fmt.Errorf("clear dirty: %w", err)
	}
	return nil
}

// ClearDirtyEntries removes entries, as returned by DueDirty or Dirty, from
// the queue in one transaction, except those whose path was marked dirty
// again after they were read (their Seq changed): a change reported while a
// path was being synced is never lost.
func (db *DB) ClearDirtyEntries(ctx context.Context, entries ...DirtyEntry) error {
	err := db.execEach(ctx, `DELETE FROM dirty WHERE pair = ? AND path = ? AND seq = ?`, len(entries),
		func(i int) []any { return []any{entries[i].Pair, entries[i].Path, entries[i].Seq} })
	if err != nil {
		return fmt.Errorf("clear dirty entries: %w", err)
	}
	return nil
}

// FailDirty records a failed attempt to sync the queued entry e, as read by
// DueDirty or Dirty: Attempts grows by one and LastError becomes msg. The
// path is due again at next, unless it was marked dirty again after e was
// read (its Seq changed): that new change stays due at once, whatever the
// backoff of the failed attempt. An entry that is not queued (it was
// cleared meanwhile, or its failure did not come from the queue; Seq 0) is
// queued, first seen at next, so the failure is retried rather than
// forgotten.
func (db *DB) FailDirty(ctx context.Context, e DirtyEntry, msg string, next time.Time) error {
	if e.Pair == "" || e.Path == "" {
		return fmt.Errorf("fail dirty %q of pair %q: empty pair or path", e.Path, e.Pair)
	}
	t := nanos(next)
	err := db.update(ctx, func(tx *sql.Tx) error {
		seq, err := nextDirtySeq(ctx, tx)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO dirty (pair, path, first_seen, next_attempt, attempts, last_error, seq)
			VALUES (?, ?, ?, ?, 1, ?, ?)
			ON CONFLICT (pair, path) DO UPDATE SET
				attempts = attempts + 1, last_error = excluded.last_error,
				next_attempt = CASE WHEN seq = ? THEN excluded.next_attempt ELSE next_attempt END`,
			e.Pair, e.Path, t, t, msg, seq, e.Seq)
		return err
	})
	if err != nil {
		return fmt.Errorf("fail dirty %q: %w", e.Path, err)
	}
	return nil
}

// DirtyStats returns how many paths are queued for pair (for all pairs if
// pair is "") and the FirstSeen of the oldest; oldest is the zero time when
// the queue is empty.
func (db *DB) DirtyStats(ctx context.Context, pair string) (count int, oldest time.Time, err error) {
	q, args := `SELECT count(*), coalesce(min(first_seen), 0) FROM dirty`, []any{}
	if pair != "" {
		q, args = q+` WHERE pair = ?`, []any{pair}
	}
	var first int64
	if err := db.r.QueryRowContext(ctx, q, args...).Scan(&count, &first); err != nil {
		return 0, time.Time{}, fmt.Errorf("dirty stats: %w", err)
	}
	return count, fromNanos(first), nil
}

// Dirty yields the queued paths of pair (of all pairs if pair is ""),
// ordered by pair and path, whether due or waiting on a backoff.
func (db *DB) Dirty(ctx context.Context, pair string) iter.Seq2[DirtyEntry, error] {
	q, args := `SELECT `+dirtyColumns+` FROM dirty`, []any{}
	if pair != "" {
		q, args = q+` WHERE pair = ?`, []any{pair}
	}
	return queryIter(ctx, db.r, "read dirty", scanDirty, q+` ORDER BY pair, path`, args...)
}

// nextDirtySeq draws the next value of the counter behind DirtyEntry.Seq.
func nextDirtySeq(ctx context.Context, tx *sql.Tx) (int64, error) {
	var seq int64
	err := tx.QueryRowContext(ctx, `UPDATE dirty_seq SET value = value + 1 WHERE id = 1 RETURNING value`).Scan(&seq)
	return seq, err
}

// execEach runs query once for each of n argument lists in one transaction.
func (db *DB) execEach(ctx context.Context, query string, n int, args func(i int) []any) error {
	if n == 0 {
		return nil
	}
	return db.update(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, query)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := range n {
			if _, err := stmt.ExecContext(ctx, args(i)...); err != nil {
				return err
			}
		}
		return nil
	})
}
