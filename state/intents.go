package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"time"
)

// Intent is the write-ahead record of a transfer whose end the base
// records. For an upload, it is what ks3sync is about to store under Key
// for the file at Path, saved before the first request; for a download
// (Download set), the object whose copy is about to be renamed to Path,
// saved before the rename. PutBase removes it with the base entry that
// records the transfer's end, so one that is still there after a crash
// names a transfer whose outcome the state database never heard.
type Intent struct {
	Pair, Path string
	Key        string // object key
	MD5        string // hex MD5 of the plaintext
	// The local file's fingerprint when the upload started, or that of
	// the downloaded file being placed.
	LocalSize, LocalMTime, LocalCTime int64
	LocalInode                        uint64
	// Multipart is set for a multipart upload: one the server began may
	// be left unfinished, and unrecorded if the process died before its
	// checkpoint was saved.
	Multipart bool
	// Download is set for a download; then the object's ETag, size,
	// storage class and encryption are those of the object copied.
	Download     bool
	ETag         string
	RemoteSize   int64
	StorageClass string
	Encrypted    bool
	Created      time.Time
}

func (in *Intent) validate() error {
	switch {
	case in.Pair == "" || in.Path == "" || in.Key == "" || in.MD5 == "":
		return errors.New("pair, path, key and md5 are required")
	case in.Download && in.ETag == "":
		return errors.New("a download's intent needs the object's etag")
	case in.Download && in.Multipart:
		return errors.New("a download is not a multipart upload")
	}
	return nil
}

// SaveIntent records in before its upload sends anything (or its download
// is placed), replacing an older intent for the same path.
func (db *DB) SaveIntent(ctx context.Context, in Intent) error {
	if err := in.validate(); err != nil {
		return fmt.Errorf("save intent for %q: %w", in.Path, err)
	}
	err := db.update(ctx, func(tx *sql.Tx) error {
		stmt, err := db.stmt(ctx, tx, insertIntent)
		if err != nil {
			return err
		}
		defer stmt.Close()
		_, err = stmt.ExecContext(ctx, in.Pair, in.Path, in.Key, in.MD5, in.LocalSize, in.LocalMTime, in.LocalCTime, inodeValue(in.LocalInode),
			in.Multipart, nanos(in.Created), in.Download, in.ETag, in.RemoteSize, in.StorageClass, in.Encrypted)
		return err
	})
	if err != nil {
		return fmt.Errorf("save intent for %q: %w", in.Path, err)
	}
	return nil
}

func scanIntent(s rowScanner) (Intent, error) {
	var in Intent
	var inode, created int64
	err := s.Scan(&in.Pair, &in.Path, &in.Key, &in.MD5, &in.LocalSize, &in.LocalMTime, &in.LocalCTime, &inode,
		&in.Multipart, &created, &in.Download, &in.ETag, &in.RemoteSize, &in.StorageClass, &in.Encrypted)
	in.LocalInode = inodeFromValue(inode)
	in.Created = fromNanos(created)
	return in, err
}

// Intents yields the intents of pair in path order. An error is yielded
// once and ends the sequence.
func (db *DB) Intents(ctx context.Context, pair string) iter.Seq2[Intent, error] {
	return queryIter(ctx, db.r, "read intents", scanIntent,
		`SELECT pair, path, object_key, md5, local_size, local_mtime, local_ctime, local_inode, multipart, created,
			download, etag, remote_size, storage_class, encrypted
		FROM intents WHERE pair = ? ORDER BY path`, pair)
}

// DeleteIntent removes the intent for path in pair, if there is one.
func (db *DB) DeleteIntent(ctx context.Context, pair, path string) error {
	if _, err := db.w.ExecContext(ctx, `DELETE FROM intents WHERE pair = ? AND path = ?`, pair, path); err != nil {
		return fmt.Errorf("delete intent for %q: %w", path, err)
	}
	return nil
}
