// Package sqlitex opens SQLite databases the way ks3sync uses them everywhere:
// WAL journal, a busy timeout, immediate write transactions and foreign keys.
//
// With cgo the driver is github.com/mattn/go-sqlite3; without cgo (for
// example when cross-compiling for Windows or macOS) it is the pure-Go
// modernc.org/sqlite, so every target builds without a C cross-compiler.
package sqlitex

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// BusyTimeout is how long a connection waits for a lock held by another
// connection or process before failing with SQLITE_BUSY.
const BusyTimeout = 10 * time.Second

// Open opens (creating if needed) the SQLite database at path with WAL,
// a busy timeout, `BEGIN IMMEDIATE` transactions and foreign keys on.
// It pings the database so that an unreadable or foreign file fails here,
// with an error that names the path.
func Open(path string) (*sql.DB, error) {
	db, err := sql.Open(driverName, dsn(path))
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return db, nil
}

// Driver reports which SQLite driver this build uses.
func Driver() string { return driverName }

// DriverModule reports the Go module that provides Driver: the cgo
// github.com/mattn/go-sqlite3 or the pure-Go modernc.org/sqlite.
func DriverModule() string { return driverModule }

// escapePath escapes the characters that would end the path part of a
// SQLite URI filename ('?' and '#', and '%' itself).
func escapePath(path string) string {
	var b []byte
	for i := 0; i < len(path); i++ {
		switch c := path[i]; c {
		case '?', '#', '%':
			b = append(b, '%', "0123456789ABCDEF"[c>>4], "0123456789ABCDEF"[c&15])
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// InTx runs fn in a transaction on db (immediate, given the DSN Open
// sets), committing when fn returns nil and rolling back otherwise.
func InTx(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}
