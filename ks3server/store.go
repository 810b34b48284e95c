package ks3server

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/rs/zerolog"

	"github.com/ks3sync/ks3sync/internal/lockfile"
	"github.com/ks3sync/ks3sync/internal/sqlitex"
)

//go:embed migrations/*.sql
var migrations embed.FS

// maxDBConns bounds the SQLite connections of a store.
const maxDBConns = 32

// Layout of a root directory.
const (
	dbFile     = "ks3server.db"
	lockFile   = "ks3server.lock"
	objectsDir = "objects"
	tmpDir     = "tmp"
)

// store keeps buckets, objects and uploads under one root directory: object
// bytes in blob files named by random ids under objects/, metadata in SQLite.
//
// Writing an object is crash safe: the bytes go to tmp/<id> and are synced;
// the metadata that references blob <id> is committed; only then is the file
// renamed into objects/. A crash before the commit leaves an unreferenced
// temporary file, which open deletes; a crash after it leaves a referenced
// one, which open moves into place. Blobs that a commit stops referencing are
// listed in the trash table by that same commit and deleted afterwards.
type store struct {
	root string
	db   *sql.DB
	lock *lockfile.Lock
	sync bool // fsync blob data before committing it
	log  zerolog.Logger

	// mu orders commits that change which blobs are referenced (writers,
	// exclusive) against reading metadata and pinning its blobs (readers,
	// shared), so that a reader never sees metadata whose blob file is not
	// in place yet or already gone.
	mu sync.RWMutex

	pinMu  sync.Mutex
	pins   map[string]int  // blob id -> readers using it
	doomed map[string]bool // unreferenced blobs to delete when unpinned
}

// openStore opens (creating if needed) the store under root, takes its lock
// and finishes whatever a crash interrupted. With sync, blob data is synced
// to disk before it is committed.
func openStore(ctx context.Context, root string, sync bool, log zerolog.Logger) (*store, error) {
	for _, dir := range []string{root, filepath.Join(root, objectsDir), filepath.Join(root, tmpDir)} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
	}
	// Two servers never share a root.
	lock, err := lockfile.Acquire(filepath.Join(root, lockFile))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", root, err)
	}
	db, err := sqlitex.Open(filepath.Join(root, dbFile))
	if err != nil {
		lock.Release()
		return nil, fmt.Errorf("open store: %w", err)
	}
	// SQLite runs one writer at a time; a bounded pool keeps a burst of
	// requests from opening a connection (and a page cache) each.
	db.SetMaxOpenConns(maxDBConns)
	db.SetMaxIdleConns(maxDBConns / 4)
	s := &store{root: root, db: db, lock: lock, sync: sync, log: log, pins: map[string]int{}, doomed: map[string]bool{}}
	if err := s.migrate(ctx); err != nil {
		s.close()
		return nil, err
	}
	if err := s.recover(ctx); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// close closes the database and releases the root.
func (s *store) close() error {
	err := s.db.Close()
	if lerr := s.lock.Release(); err == nil {
		err = lerr
	}
	if err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

// migrate applies the embedded migrations newer than PRAGMA user_version,
// each in its own transaction.
func (s *store) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sort.Strings(names)
	var current int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, name := range names {
		version, err := strconv.Atoi(strings.SplitN(filepath.Base(name), "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migrate: bad migration name %s", name)
		}
		if version <= current {
			continue
		}
		script, err := migrations.ReadFile(name)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		err = s.inTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, string(script)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", version))
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
	}
	return nil
}

// inTx runs fn in a write transaction, committing when it returns nil.
func (s *store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return sqlitex.InTx(ctx, s.db, fn)
}

// recover finishes what a crash interrupted: temporary blobs that committed
// metadata references are moved into place, the others deleted, and the
// trash is emptied.
func (s *store) recover(ctx context.Context) error {
	entries, err := os.ReadDir(filepath.Join(s.root, tmpDir))
	if err != nil {
		return fmt.Errorf("recover: %w", err)
	}
	for _, e := range entries {
		if err := s.recoverTemp(ctx, e.Name()); err != nil {
			return fmt.Errorf("recover %s: %w", e.Name(), err)
		}
	}
	rows, err := s.db.QueryContext(ctx, "SELECT blob FROM trash")
	if err != nil {
		return fmt.Errorf("recover: %w", err)
	}
	trash, err := scanStrings(rows)
	if err != nil {
		return fmt.Errorf("recover: %w", err)
	}
	s.removeBlobs(ctx, trash)
	return nil
}

// recoverTemp moves tmp/<name> into place if metadata references it and
// deletes it otherwise.
func (s *store) recoverTemp(ctx context.Context, name string) error {
	var referenced bool
	err := s.db.QueryRowContext(ctx,
		"SELECT EXISTS (SELECT 1 FROM segments WHERE blob = ?1) OR EXISTS (SELECT 1 FROM parts WHERE blob = ?1)",
		name).Scan(&referenced)
	if err != nil {
		return err
	}
	if !referenced {
		return os.Remove(s.tempPath(name))
	}
	s.log.Warn().Str("blob", name).Msg("moving a committed blob into place after a crash")
	return s.placeBlob(name)
}

// scanStrings reads a single-column result set and closes it.
func scanStrings(rows *sql.Rows) ([]string, error) {
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// isNotExist reports whether err says that a file is missing.
func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
