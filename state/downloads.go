package state

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"
)

// Download is the checkpoint of a large download in progress: enough to
// continue it after a crash from the bytes its temporary file already
// holds, and to recognise when that is no longer possible (the object
// changed: another ETag or size).
type Download struct {
	Pair, Path string // the destination
	// Temp is the temporary file being written, slash-separated and
	// relative to the pair's root, spelled as on disk.
	Temp string
	Key  string // object key
	ETag string // of the object being read; unquoted
	Size int64  // stored size of the object
	// Encrypted is set when the object is decrypted on the way: the file
	// then holds plaintext, and a resumed read starts at a CBC block.
	Encrypted bool
	// Written counts the plaintext bytes at the start of Temp known to be
	// on disk.
	Written int64
	Created time.Time
}

func (d *Download) validate() error {
	switch {
	case d.Pair == "" || d.Path == "" || d.Temp == "" || d.Key == "" || d.ETag == "":
		return errors.New("pair, path, temp, key and etag are required")
	case d.Size < 0 || d.Written < 0:
		return fmt.Errorf("size %d, written %d", d.Size, d.Written)
	}
	return nil
}

// SaveDownload inserts or replaces the checkpoint of the download of
// d.Path in d.Pair, in its own transaction: once it returns, the
// checkpoint survives a crash.
func (db *DB) SaveDownload(ctx context.Context, d Download) error {
	if err := d.validate(); err != nil {
		return fmt.Errorf("save download of %q: %w", d.Path, err)
	}
	_, err := db.w.ExecContext(ctx, `INSERT OR REPLACE INTO downloads
		(pair, path, temp, object_key, etag, size, encrypted, written, created)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.Pair, d.Path, d.Temp, d.Key, d.ETag, d.Size, d.Encrypted, d.Written, nanos(d.Created))
	if err != nil {
		return fmt.Errorf("save download of %q: %w", d.Path, err)
	}
	return nil
}

const downloadColumns = `SELECT pair, path, temp, object_key, etag, size, encrypted, written, created FROM downloads`

func scanDownload(s rowScanner) (Download, error) {
	var d Download
	var created int64
	err := s.Scan(&d.Pair, &d.Path, &d.Temp, &d.Key, &d.ETag, &d.Size, &d.Encrypted, &d.Written, &created)
	d.Created = fromNanos(created)
	return d, err
}

// DownloadFor returns the checkpoint of the download of path in pair, or
// nil if there is none.
func (db *DB) DownloadFor(ctx context.Context, pair, path string) (*Download, error) {
	for d, err := range queryIter(ctx, db.r, fmt.Sprintf("download for %q", path), scanDownload,
		downloadColumns+` WHERE pair = ? AND path = ?`, pair, path) {
		if err != nil {
			return nil, err
		}
		return &d, nil
	}
	return nil, nil
}

// Downloads yields the download checkpoints of pair in path order. An
// error is yielded once and ends the sequence.
func (db *DB) Downloads(ctx context.Context, pair string) iter.Seq2[Download, error] {
	return queryIter(ctx, db.r, "read downloads", scanDownload, downloadColumns+` WHERE pair = ? ORDER BY path`, pair)
}

// DeleteDownload removes the checkpoint of the download of path in pair.
// Deleting one that does not exist is not an error.
func (db *DB) DeleteDownload(ctx context.Context, pair, path string) error {
	if _, err := db.w.ExecContext(ctx, `DELETE FROM downloads WHERE pair = ? AND path = ?`, pair, path); err != nil {
		return fmt.Errorf("delete download of %q: %w", path, err)
	}
	return nil
}
