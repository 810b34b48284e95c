// Package state is ks3sync's durable memory, kept in one SQLite database:
// the base (what each path looked like on both sides when it was last
// synced), the dirty queue fed by the watcher, multipart upload checkpoints,
// large download checkpoints, and the history of sync runs.
//
// The database is a cache that makes syncing cheap and restartable, never
// the only copy of anything: if it is deleted, the next run rebuilds it from
// a scan and a listing. It is therefore never reset silently either: a
// corrupt or foreign file at the state path, or a schema newer than this
// binary knows, is an error that names the file.
//
// A DB is safe for concurrent use by many goroutines. All writes go through
// one connection in immediate transactions, so writers in one process queue
// up instead of failing with SQLITE_BUSY; reads use a separate pool and,
// thanks to WAL, each read sees a consistent snapshot without blocking or
// being blocked by writes. Another process using the same file waits up to
// sqlitex.BusyTimeout for a lock. Every committed transaction survives a
// crash of the process.
package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ks3sync/ks3sync/internal/sqlitex"
)

// DB is an open state database. Create it with Open and release it with
// Close.
type DB struct {
	path string
	w    *sql.DB              // exactly one connection; every write goes through it
	r    *sql.DB              // readers
	hot  map[string]*sql.Stmt // hotWrites, prepared on w

	commits committer // groups the writes into transactions (see update)
}

// Open opens the state database at path, creating it and its parent
// directory (mode 0700) if needed, and brings its schema up to date.
//
// It fails with an error naming path when the file is not a SQLite database
// or is corrupt, when it is another program's database (ErrForeign), or when
// it was written by a newer ks3sync (ErrSchemaTooNew).
func Open(path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("open state: empty path")
	}
	if err := createPrivate(path); err != nil {
		return nil, fmt.Errorf("open state %s: %w", path, err)
	}
	w, err := openSQLite(path)
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	if err := migrate(context.Background(), w, schema); err != nil {
		w.Close()
		return nil, fmt.Errorf("open state %s: %w", path, err)
	}
	r, err := openSQLite(path)
	if err != nil {
		w.Close()
		return nil, err
	}
	db := &DB{path: path, w: w, r: r}
	if err := db.prepareHot(context.Background()); err != nil {
		r.Close()
		w.Close()
		return nil, fmt.Errorf("open state %s: %w", path, err)
	}
	return db, nil
}

// createPrivate creates the parent directory of path (0700) and, when path
// does not exist yet, an empty file with mode 0600, so that the database and
// the journal files SQLite derives from it are readable only by their owner.
func createPrivate(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	return f.Close()
}

// openSQLite opens path with sqlitex.Open, trying again for up to
// sqlitex.BusyTimeout while the file is locked. Turning a brand-new file
// into a WAL database needs an exclusive lock, and SQLite reports a conflict
// there at once instead of waiting, so processes that open a new state file
// together would otherwise fail.
func openSQLite(path string) (*sql.DB, error) {
	deadline := time.Now().Add(sqlitex.BusyTimeout)
	for delay := time.Millisecond; ; delay = min(2*delay, 100*time.Millisecond) {
		db, err := sqlitex.Open(path)
		if err == nil || !isLocked(err) || time.Now().After(deadline) {
			return db, err
		}
		time.Sleep(delay)
	}
}

// isLocked reports whether err is SQLITE_BUSY, by the message both drivers
// use for it.
func isLocked(err error) bool {
	return strings.Contains(err.Error(), "database is locked")
}

// Close closes the database. No other method may be running, and no
// iterator be in use, when it is called.
func (db *DB) Close() error {
	return errors.Join(db.closeHot(), db.r.Close(), db.w.Close())
}

// Path returns the path the database was opened with.
func (db *DB) Path() string { return db.path }
