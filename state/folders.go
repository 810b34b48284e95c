package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// FolderIdentity returns the identity recorded for the pair's local folder
// (see SetFolderIdentity), and false if none is.
func (db *DB) FolderIdentity(ctx context.Context, pair string) (string, bool, error) {
	var id string
	err := db.r.QueryRowContext(ctx, `SELECT identity FROM folders WHERE pair = ?`, pair).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("folder identity of %q: %w", pair, err)
	}
	return id, true, nil
}

// SetFolderIdentity records the identity of the pair's local folder, as
// found by a pass that saw the folder holding files.
func (db *DB) SetFolderIdentity(ctx context.Context, pair, identity string, now time.Time) error {
	if identity == "" {
		return fmt.Errorf("set folder identity of %q: empty identity", pair)
	}
	err := db.update(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO folders (pair, identity, recorded) VALUES (?, ?, ?)
			ON CONFLICT (pair) DO UPDATE SET identity = excluded.identity, recorded = excluded.recorded`,
			pair, identity, nanos(now))
		return err
	})
	if err != nil {
		return fmt.Errorf("set folder identity of %q: %w", pair, err)
	}
	return nil
}
