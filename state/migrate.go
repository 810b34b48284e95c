package state

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"time"
)

// ErrForeign reports that the file at the state path is a SQLite database,
// but one that some other program wrote.
var ErrForeign = errors.New("not a ks3sync state database")

// ErrSchemaTooNew reports a state database written by a newer ks3sync, whose
// schema this binary does not know.
var ErrSchemaTooNew = errors.New("database written by a newer ks3sync")

// applicationID marks a SQLite file as ks3sync state ("ks3s") in the
// database header, so that another program's database is never mistaken for
// an empty one and migrated.
const applicationID = 0x6b733373

//go:embed migrations/*.sql
var migrationFiles embed.FS

// schema is the list of migrations compiled into this binary.
var schema = mustLoadMigrations(migrationFiles, "migrations")

// migration is one numbered SQL script that moves the schema from version
// version-1 to version.
type migration struct {
	version int
	name    string
	sql     string
}

// bootstrap creates the table that records applied migrations; it runs
// once, with the first migration, which also stamps applicationID.
const bootstrap = `
CREATE TABLE schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at INTEGER NOT NULL
) STRICT;`

var migrationName = regexp.MustCompile(`^([0-9]{4})_([a-z0-9_]+)\.sql$`)

func mustLoadMigrations(fsys fs.FS, dir string) []migration {
	m, err := loadMigrations(fsys, dir)
	if err != nil {
		panic(err)
	}
	return m
}

// loadMigrations reads the files NNNN_name.sql of dir, which must be
// numbered 1, 2, 3... without gaps.
func loadMigrations(fsys fs.FS, dir string) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		sm := migrationName.FindStringSubmatch(e.Name())
		if sm == nil {
			return nil, fmt.Errorf("load migrations: bad file name %q", e.Name())
		}
		body, err := fs.ReadFile(fsys, dir+"/"+e.Name())
		if err != nil {
			return nil, fmt.Errorf("load migrations: %w", err)
		}
		v, _ := strconv.Atoi(sm[1])
		ms = append(ms, migration{version: v, name: sm[2], sql: string(body)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("load migrations: expected version %d, found %d (%s)", i+1, m.version, m.name)
		}
	}
	return ms, nil
}

// migrate brings the schema of db up to the last of ms. It reads the version
// first so that an up-to-date database is opened without taking the write
// lock, and checks it again inside the immediate transaction, so that two
// processes opening a new file at once apply each migration only once.
func migrate(ctx context.Context, db *sql.DB, ms []migration) error {
	v, err := schemaVersion(ctx, db, len(ms))
	if err != nil || v == len(ms) {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	if v, err = schemaVersion(ctx, tx, len(ms)); err != nil {
		return err
	}
	for _, m := range ms[v:] {
		if err := apply(ctx, tx, m); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// querier is what schemaVersion needs of a *sql.DB or *sql.Tx.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// schemaVersion returns the schema version of the database: 0 for an empty
// file. It refuses another program's database and a version above known.
func schemaVersion(ctx context.Context, q querier, known int) (int, error) {
	// One statement, so that both values come from the same snapshot even
	// outside a transaction.
	var appID, objects int64
	err := q.QueryRowContext(ctx, `SELECT (SELECT application_id FROM pragma_application_id()),
		(SELECT count(*) FROM sqlite_master)`).Scan(&appID, &objects)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	switch {
	case appID == 0 && objects == 0:
		return 0, nil
	case appID != applicationID:
		return 0, ErrForeign
	}
	var v int
	if err := q.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if v > known {
		return 0, fmt.Errorf("schema version %d, but this ks3sync knows only up to %d: %w", v, known, ErrSchemaTooNew)
	}
	return v, nil
}

// apply runs one migration inside tx and records it.
func apply(ctx context.Context, tx *sql.Tx, m migration) error {
	if m.version == 1 {
		stamp := fmt.Sprintf("PRAGMA application_id = %d", applicationID)
		for _, q := range []string{stamp, bootstrap} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("migrate to version 1: %w", err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("migrate to version %d (%s): %w", m.version, m.name, err)
	}
	_, err := tx.ExecContext(ctx,
		"INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
		m.version, m.name, time.Now().UnixNano())
	if err != nil {
		return fmt.Errorf("migrate to version %d (%s): %w", m.version, m.name, err)
	}
	return nil
}
