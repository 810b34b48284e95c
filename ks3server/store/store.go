// Package store keeps the buckets, objects and multipart uploads of a
// ks3server under one root directory: metadata in SQLite, object bytes in
// blob files named by random ids (never derived from keys, so any key works
// and no key can name a path), and the bytes of small objects inline in the
// database.
//
// An acknowledged write is durable: blob data is synced before the
// metadata that references it is committed, and commits are synchronous
// (SQLite synchronous=FULL in WAL mode), unless Options.NoSync trades that
// for speed. Concurrent writes are committed together by a single writer
// (group commit): one transaction and one flush for every write waiting at
// that moment, each write answered only after its commit.
//
// Writing a file-backed object is crash safe: the bytes go to tmp/<id> and
// are synced; the metadata that references blob <id> is committed; only
// then is the file renamed into objects/. A crash before the commit leaves
// an unreferenced temporary file, which Open deletes; a crash after it
// leaves a referenced one, which Open moves into place. Blobs that a commit
// stops referencing are listed in the trash table by that same commit and
// deleted afterwards.
package store

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

// maxDBConns bounds the SQLite connections of a store: the writer's and
// the readers'.
const maxDBConns = 32

// Layout of a root directory.
const (
	dbFile     = "ks3server.db"
	lockFile   = "ks3server.lock"
	objectsDir = "objects"
	tmpDir     = "tmp"
)

// Options configure a Store.
type Options struct {
	// Root is the directory holding the store; it is created if missing.
	// Two stores cannot use the same root at once.
	Root string
	// NoSync neither syncs blob data nor commits synchronously: writes
	// survive a crash of the process, not of the machine.
	NoSync bool
	// Logger receives warnings about blobs that could not be moved or
	// deleted; the zero value discards them.
	Logger zerolog.Logger
}

// Store is the storage of a server. It is safe for concurrent use. Create
// it with Open and release it with Close.
type Store struct {
	root string
	db   *sql.DB // readers
	lock *lockfile.Lock
	sync bool
	log  zerolog.Logger
	w    *writer

	// mu orders commits that change which blobs are referenced (the
	// writer, exclusive) against reading metadata and pinning its blobs
	// (readers, shared), so that a reader never sees metadata whose blob
	// file is not in place yet or already gone.
	mu sync.RWMutex

	pinMu  sync.Mutex
	pins   map[string]int  // blob id -> readers using it
	doomed map[string]bool // unreferenced blobs to delete when unpinned

	closeOnce sync.Once
	closeErr  error
}

// Open opens (creating if needed) the store under opts.Root, takes its
// lock and finishes whatever a crash interrupted.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.Root == "" {
		return nil, errors.New("open store: no root directory")
	}
	root := opts.Root
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
	s := &Store{root: root, lock: lock, sync: !opts.NoSync, log: opts.Logger, pins: map[string]int{}, doomed: map[string]bool{}}
	if err := s.open(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open store %s: %w", root, err)
	}
	return s, nil
}

// open opens the database and its writer, migrates and recovers.
func (s *Store) open(ctx context.Context) error {
	db, err := sqlitex.Open(filepath.Join(s.root, dbFile))
	if err != nil {
		return err
	}
	s.db = db
	// SQLite runs one writer at a time; a bounded pool keeps a burst of
	// requests from opening a connection (and a page cache) each.
	db.SetMaxOpenConns(maxDBConns)
	db.SetMaxIdleConns(maxDBConns / 4)
	if s.w, err = newWriter(ctx, s); err != nil {
		return err
	}
	if err := s.migrate(ctx); err != nil {
		return err
	}
	if err := s.recover(ctx); err != nil {
		return err
	}
	s.w.start()
	return nil
}

// Close stops the writer, closes the database and releases the root.
// Writes still in flight fail with ErrClosed.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		var errs []error
		if s.w != nil {
			errs = append(errs, s.w.close())
		}
		if s.db != nil {
			errs = append(errs, s.db.Close())
		}
		errs = append(errs, s.lock.Release())
		if err := errors.Join(errs...); err != nil {
			s.closeErr = fmt.Errorf("close store: %w", err)
		}
	})
	return s.closeErr
}

// migrate applies the embedded migrations newer than PRAGMA user_version,
// each in its own transaction.
func (s *Store) migrate(ctx context.Context) error {
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
		err = s.w.inTx(ctx, func(tx *sql.Tx) error {
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

// recover finishes what a crash interrupted: temporary blobs that committed
// metadata references are moved into place, the others deleted, and the
// trash is emptied.
func (s *Store) recover(ctx context.Context) error {
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
	s.deleteBlobFiles(trash)
	return s.w.inTx(ctx, func(tx *sql.Tx) error { return s.w.clearTrash(ctx, tx) })
}

// recoverTemp moves tmp/<name> into place if metadata references it and
// deletes it otherwise.
func (s *Store) recoverTemp(ctx context.Context, name string) error {
	var referenced bool
	err := s.db.QueryRowContext(ctx,
		"SELECT EXISTS (SELECT 1 FROM segments WHERE blob = ?1 AND NOT inline) OR EXISTS (SELECT 1 FROM parts WHERE blob = ?1)",
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
