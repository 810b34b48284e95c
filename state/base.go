package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"time"
)

// BaseEntry is what one path of a pair looked like, locally and remotely,
// when it was last synced: the reference that later scans and listings are
// compared with to tell what changed and on which side.
type BaseEntry struct {
	Pair string // name of the sync pair
	Path string // slash-separated, relative to the pair's folder, NFC

	LocalSize  int64
	LocalMTime int64 // Unix nanoseconds
	LocalCTime int64 // Unix nanoseconds (inode change time; 0 where there is none)
	LocalInode uint64
	MD5        string // hex MD5 of the plaintext content

	RemoteKey    string
	RemoteSize   int64 // size of the object as stored (ciphertext when encrypted)
	ETag         string
	StorageClass string
	Encrypted    bool
	RemoteMTime  int64 // Unix nanoseconds, from x-kss-meta-mtime when known, else 0

	SyncedAt time.Time
}

const baseColumns = `pair, path, local_size, local_mtime, local_ctime, local_inode, md5,
	remote_key, remote_size, etag, storage_class, encrypted, remote_mtime, synced_at`

const upsertBase = `INSERT INTO base (` + baseColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (pair, path) DO UPDATE SET
		local_size = excluded.local_size, local_mtime = excluded.local_mtime,
		local_ctime = excluded.local_ctime, local_inode = excluded.local_inode,
		md5 = excluded.md5, remote_key = excluded.remote_key,
		remote_size = excluded.remote_size, etag = excluded.etag,
		storage_class = excluded.storage_class, encrypted = excluded.encrypted,
		remote_mtime = excluded.remote_mtime, synced_at = excluded.synced_at`

const deleteBase = `DELETE FROM base WHERE pair = ? AND path = ?`

const deleteIntent = `DELETE FROM intents WHERE pair = ? AND path = ?`

// baseQuery reads the base of a pair straight from the primary key, which is
// already in path order: no sorting, so memory stays flat however large the
// base.
const baseQuery = `SELECT ` + baseColumns + ` FROM base WHERE pair = ? ORDER BY path`

func (e *BaseEntry) values() []any {
	return []any{e.Pair, e.Path, e.LocalSize, e.LocalMTime, e.LocalCTime, inodeValue(e.LocalInode), e.MD5,
		e.RemoteKey, e.RemoteSize, e.ETag, e.StorageClass, e.Encrypted, e.RemoteMTime, nanos(e.SyncedAt)}
}

func (e *BaseEntry) validate() error {
	if e.Pair == "" || e.Path == "" {
		return fmt.Errorf("base entry %q of pair %q: empty pair or path", e.Path, e.Pair)
	}
	return nil
}

func scanBase(s rowScanner) (BaseEntry, error) {
	var e BaseEntry
	var inode, synced int64
	err := s.Scan(&e.Pair, &e.Path, &e.LocalSize, &e.LocalMTime, &e.LocalCTime, &inode, &e.MD5,
		&e.RemoteKey, &e.RemoteSize, &e.ETag, &e.StorageClass, &e.Encrypted, &e.RemoteMTime, &synced)
	e.LocalInode = inodeFromValue(inode)
	e.SyncedAt = fromNanos(synced)
	return e, err
}

// Base yields the base entries of pair in byte order of Path, reading them
// from one consistent snapshot as the loop asks for them. An error is
// yielded once and ends the sequence.
func (db *DB) Base(ctx context.Context, pair string) iter.Seq2[BaseEntry, error] {
	return queryIter(ctx, db.r, "read base", scanBase, baseQuery, pair)
}

// GetBase returns the base entry of one path, and false if there is none.
func (db *DB) GetBase(ctx context.Context, pair, path string) (BaseEntry, bool, error) {
	row := db.r.QueryRowContext(ctx, `SELECT `+baseColumns+` FROM base WHERE pair = ? AND path = ?`, pair, path)
	e, err := scanBase(row)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return BaseEntry{}, false, nil
	case err != nil:
		return BaseEntry{}, false, fmt.Errorf("get base %q: %w", path, err)
	}
	return e, true, nil
}

// CountBase returns the number of base entries of pair.
func (db *DB) CountBase(ctx context.Context, pair string) (int, error) {
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM base WHERE pair = ?`, pair).Scan(&n); err != nil {
		return 0, fmt.Errorf("count base of %q: %w", pair, err)
	}
	return n, nil
}

// PutBase inserts or replaces entries in one transaction: all of them are
// stored, or none. For many thousands of entries use a BaseBatch.
func (db *DB) PutBase(ctx context.Context, entries ...BaseEntry) error {
	ops := make([]baseOp, len(entries))
	for i := range entries {
		ops[i] = baseOp{entry: entries[i]}
	}
	if err := db.writeBase(ctx, ops); err != nil {
		return fmt.Errorf("put base: %w", err)
	}
	return nil
}

// DeleteBase removes the base entries of paths in one transaction. Paths
// without an entry are ignored.
func (db *DB) DeleteBase(ctx context.Context, pair string, paths ...string) error {
	ops := make([]baseOp, len(paths))
	for i, p := range paths {
		ops[i] = baseOp{entry: BaseEntry{Pair: pair, Path: p}, delete: true}
	}
	if err := db.writeBase(ctx, ops); err != nil {
		return fmt.Errorf("delete base: %w", err)
	}
	return nil
}

// ResetPair forgets everything known about pair: its base, its dirty queue,
// its upload checkpoints and intents, in one transaction. Run history is kept. The
// next pass of the pair then starts from a full scan and listing.
func (db *DB) ResetPair(ctx context.Context, pair string) error {
	err := db.update(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			`DELETE FROM base WHERE pair = ?`,
			`DELETE FROM dirty WHERE pair = ?`,
			`DELETE FROM upload_parts WHERE upload_id IN (SELECT upload_id FROM uploads WHERE pair = ?)`,
			`DELETE FROM uploads WHERE pair = ?`,
			`DELETE FROM intents WHERE pair = ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, pair); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reset pair %q: %w", pair, err)
	}
	return nil
}

// baseOp is one upsert, or with delete set one deletion, of the base.
type baseOp struct {
	entry  BaseEntry
	delete bool
}

// writeBase applies ops in order in one transaction.
func (db *DB) writeBase(ctx context.Context, ops []baseOp) error {
	for i := range ops {
		if err := ops[i].entry.validate(); err != nil {
			return err
		}
	}
	if len(ops) == 0 {
		return nil
	}
	return db.update(ctx, func(tx *sql.Tx) error {
		put, err := db.stmt(ctx, tx, upsertBase)
		if err != nil {
			return err
		}
		defer put.Close()
		del, err := db.stmt(ctx, tx, deleteBase)
		if err != nil {
			return err
		}
		defer del.Close()
		done, err := db.stmt(ctx, tx, deleteIntent)
		if err != nil {
			return err
		}
		defer done.Close()
		for i := range ops {
			op := &ops[i]
			if op.delete {
				_, err = del.ExecContext(ctx, op.entry.Pair, op.entry.Path)
			} else {
				_, err = put.ExecContext(ctx, op.entry.values()...)
			}
			if err == nil {
				// What the path now is, is known: any intent for it
				// has had its outcome recorded.
				_, err = done.ExecContext(ctx, op.entry.Pair, op.entry.Path)
			}
			if err != nil {
				return fmt.Errorf("%q: %w", op.entry.Path, err)
			}
		}
		return nil
	})
}
