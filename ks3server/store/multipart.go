package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Upload is a multipart upload in progress.
type Upload struct {
	ID        string
	Bucket    string
	Key       string
	Initiated time.Time
	Attrs     Attrs
}

// Part is an uploaded part.
type Part struct {
	Number   int
	Size     int64
	ETag     string // hex MD5, without quotes
	Modified time.Time

	blob string
}

// maxParts is the most parts an upload can have.
const maxParts = 10000

// NewUploadID returns an upload id that sorts by creation time: 16 hex
// digits of the time in nanoseconds, then 16 random ones.
func NewUploadID(now time.Time) string {
	var b [16]byte
	ns := uint64(now.UnixNano())
	for i := 0; i < 8; i++ {
		b[i] = byte(ns >> (56 - 8*i))
	}
	rand.Read(b[8:])
	return hex.EncodeToString(b[:])
}

// CreateUpload records a new multipart upload.
func (s *Store) CreateUpload(ctx context.Context, u Upload) error {
	err := s.w.write(nil, func(ctx context.Context, tx *sql.Tx) ([]string, error) {
		if err := bucketExists(ctx, tx, u.Bucket); err != nil {
			return nil, err
		}
		_, err := tx.ExecContext(ctx,
			"INSERT INTO uploads (id, bucket, key, initiated_ns, "+attrColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			append([]any{u.ID, u.Bucket, u.Key, u.Initiated.UnixNano()}, u.Attrs.args()...)...)
		return nil, err
	})
	if err != nil {
		return fmt.Errorf("create upload for %q: %w", u.Key, err)
	}
	return nil
}

// Upload returns upload id of bucket/key, or ErrNoSuchUpload.
func (s *Store) Upload(ctx context.Context, bucket, key, id string) (Upload, error) {
	return queryUpload(ctx, s.db, bucket, key, id)
}

func queryUpload(ctx context.Context, q queryer, bucket, key, id string) (Upload, error) {
	u := Upload{ID: id, Bucket: bucket, Key: key}
	var initiated int64
	sc := attrScanner{a: &u.Attrs}
	err := q.QueryRowContext(ctx,
		"SELECT initiated_ns, "+attrColumns+" FROM uploads WHERE id = ? AND bucket = ? AND key = ?",
		id, bucket, key).Scan(append([]any{&initiated}, sc.dest()...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return u, ErrNoSuchUpload
	}
	if err != nil {
		return u, fmt.Errorf("get upload %s: %w", id, err)
	}
	u.Initiated = time.Unix(0, initiated)
	return u, sc.finish()
}

// PutPart stores part p of upload u from staged data, replacing an earlier
// part with the same number. It takes ownership of blob.
func (s *Store) PutPart(ctx context.Context, u Upload, p Part, blob *Staged) error {
	if err := s.toFile(blob); err != nil {
		return fmt.Errorf("put part %d of upload %s: %w", p.Number, u.ID, err)
	}
	err := s.w.write([]*Staged{blob}, func(ctx context.Context, tx *sql.Tx) ([]string, error) {
		if _, err := queryUpload(ctx, tx, u.Bucket, u.Key, u.ID); err != nil {
			return nil, err
		}
		var old []string
		var prev string
		err := tx.QueryRowContext(ctx, "SELECT blob FROM parts WHERE upload_id = ? AND number = ?", u.ID, p.Number).Scan(&prev)
		switch {
		case err == nil:
			old = []string{prev}
		case !errors.Is(err, sql.ErrNoRows):
			return nil, err
		}
		_, err = tx.ExecContext(ctx,
			"INSERT OR REPLACE INTO parts (upload_id, number, blob, size, etag, modified_ns) VALUES (?, ?, ?, ?, ?, ?)",
			u.ID, p.Number, blob.id, blob.size, p.ETag, p.Modified.UnixNano())
		return old, err
	})
	if err != nil {
		return fmt.Errorf("put part %d of upload %s: %w", p.Number, u.ID, err)
	}
	return nil
}

// ListParts returns up to max parts of an upload numbered above marker, and
// whether more follow.
func (s *Store) ListParts(ctx context.Context, uploadID string, marker, max int) ([]Part, bool, error) {
	parts, err := queryParts(ctx, s.db, uploadID, marker, max+1)
	if err != nil {
		return nil, false, fmt.Errorf("list parts of upload %s: %w", uploadID, err)
	}
	if len(parts) > max {
		return parts[:max], true, nil
	}
	return parts, false, nil
}

func queryParts(ctx context.Context, q queryer, uploadID string, marker, limit int) ([]Part, error) {
	rows, err := q.QueryContext(ctx,
		"SELECT number, blob, size, etag, modified_ns FROM parts WHERE upload_id = ? AND number > ? ORDER BY number LIMIT ?",
		uploadID, marker, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var parts []Part
	for rows.Next() {
		var p Part
		var modified int64
		if err := rows.Scan(&p.Number, &p.blob, &p.Size, &p.ETag, &modified); err != nil {
			return nil, err
		}
		p.Modified = time.Unix(0, modified)
		parts = append(parts, p)
	}
	return parts, rows.Err()
}

// AllParts returns every part of an upload by number.
func (s *Store) AllParts(ctx context.Context, uploadID string) (map[int]Part, error) {
	parts, err := queryParts(ctx, s.db, uploadID, 0, maxParts)
	if err != nil {
		return nil, fmt.Errorf("read parts of upload %s: %w", uploadID, err)
	}
	byNumber := make(map[int]Part, len(parts))
	for _, p := range parts {
		byNumber[p.Number] = p
	}
	return byNumber, nil
}

// CompleteUpload turns upload u into object o made of the chosen parts, in
// order, and drops the upload with its other parts. It fails with
// ErrNoSuchUpload if the upload is gone and with *PartChangedError if a
// chosen part was replaced since it was read.
func (s *Store) CompleteUpload(ctx context.Context, u Upload, o Object, chosen []Part) error {
	err := s.w.write(nil, func(ctx context.Context, tx *sql.Tx) ([]string, error) {
		if _, err := queryUpload(ctx, tx, u.Bucket, u.Key, u.ID); err != nil {
			return nil, err
		}
		current, err := queryParts(ctx, tx, u.ID, 0, maxParts)
		if err != nil {
			return nil, err
		}
		segs, unused, err := pickSegments(current, chosen)
		if err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM uploads WHERE id = ?", u.ID); err != nil {
			return nil, err
		}
		obsolete, err := replaceObject(ctx, tx, o, segs)
		return append(obsolete, unused...), err
	})
	if err != nil {
		return fmt.Errorf("complete upload %s: %w", u.ID, err)
	}
	return nil
}

// pickSegments returns the segments of the chosen parts and the blobs of the
// parts not chosen, failing if a chosen part no longer has the blob it had.
func pickSegments(current, chosen []Part) ([]segment, []string, error) {
	byNumber := make(map[int]Part, len(current))
	for _, p := range current {
		byNumber[p.Number] = p
	}
	segs := make([]segment, 0, len(chosen))
	for _, c := range chosen {
		p, ok := byNumber[c.Number]
		if !ok || p.blob != c.blob {
			return nil, nil, &PartChangedError{Number: c.Number}
		}
		segs = append(segs, segment{blob: p.blob, size: p.Size})
		delete(byNumber, c.Number)
	}
	var unused []string
	for _, p := range byNumber {
		unused = append(unused, p.blob)
	}
	return segs, unused, nil
}

// AbortUpload drops an upload and its parts.
func (s *Store) AbortUpload(ctx context.Context, bucket, key, id string) error {
	err := s.w.write(nil, func(ctx context.Context, tx *sql.Tx) ([]string, error) {
		if _, err := queryUpload(ctx, tx, bucket, key, id); err != nil {
			return nil, err
		}
		rows, err := tx.QueryContext(ctx, "SELECT blob FROM parts WHERE upload_id = ?", id)
		if err != nil {
			return nil, err
		}
		blobs, err := scanStrings(rows)
		if err != nil {
			return nil, err
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM uploads WHERE id = ?", id)
		return blobs, err
	})
	if err != nil {
		return fmt.Errorf("abort upload %s: %w", id, err)
	}
	return nil
}
