package state

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Outbox is a record of names a pass is about to change in the bucket
// that the pair's change journal does not list yet (see AddOutbox).
type Outbox struct {
	ID    int64
	Names []string // keys without the pair's prefix
}

// AddOutbox records, before a pass changes them in the bucket, the names
// that the change journal must then list, and returns the record's id for
// DropOutbox. Names hold no newline (the journal's separator).
func (db *DB) AddOutbox(ctx context.Context, pair string, names []string, now time.Time) (int64, error) {
	for _, n := range names {
		if n == "" || strings.ContainsAny(n, "\n") {
			return 0, fmt.Errorf("add journal names of %q: name %q", pair, n)
		}
	}
	var id int64
	err := db.update(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(`INSERT INTO journal_outbox (pair, names, created) VALUES (?, ?, ?)`,
			pair, strings.Join(names, "\n"), nanos(now))
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("add journal names of %q: %w", pair, err)
	}
	return id, nil
}

// PendingOutbox returns the pair's records that no journal entry lists
// yet, oldest first.
func (db *DB) PendingOutbox(ctx context.Context, pair string) ([]Outbox, error) {
	var out []Outbox
	scan := func(s rowScanner) (Outbox, error) {
		var o Outbox
		var names string
		err := s.Scan(&o.ID, &names)
		o.Names = strings.Split(names, "\n")
		return o, err
	}
	for o, err := range queryIter(ctx, db.r, fmt.Sprintf("journal names of %q", pair), scan,
		`SELECT id, names FROM journal_outbox WHERE pair = ? ORDER BY id`, pair) {
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// DropOutbox removes the records a stored journal entry lists.
func (db *DB) DropOutbox(ctx context.Context, pair string, ids ...int64) error {
	if len(ids) == 0 {
		return nil
	}
	err := db.update(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			if _, err := tx.Exec(`DELETE FROM journal_outbox WHERE pair = ? AND id = ?`, pair, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("drop journal names of %q: %w", pair, err)
	}
	return nil
}
