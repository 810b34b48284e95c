package ks3server

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// uploadRecord is a multipart upload in progress.
type uploadRecord struct {
	id        string
	bucket    string
	key       string
	initiated time.Time
	attrs     objectAttrs
}

// partRecord is an uploaded part.
type partRecord struct {
	number   int
	blob     string
	size     int64
	etag     string // hex MD5, without quotes
	modified time.Time
}

// newUploadID returns an upload id that sorts by creation time: 16 hex
// digits of the time in nanoseconds, then 16 random ones.
func newUploadID(now time.Time) string {
	var b [16]byte
	ns := uint64(now.UnixNano())
	for i := 0; i < 8; i++ {
		b[i] = byte(ns >> (56 - 8*i))
	}
	rand.Read(b[8:])
	return hex.EncodeToString(b[:])
}

// createUpload records a new multipart upload.
func (s *store) createUpload(ctx context.Context, u uploadRecord) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := bucketExists(ctx, tx, u.bucket); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx,
			"INSERT INTO uploads (id, bucket, key, initiated_ns, "+attrColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			append([]any{u.id, u.bucket, u.key, u.initiated.UnixNano()}, u.attrs.args()...)...)
		return err
	})
	if err != nil {
		return fmt.Errorf("create upload for %q: %w", u.key, err)
	}
	return nil
}

// getUpload returns upload id of bucket/key, or errNoSuchUpload.
func (s *store) getUpload(ctx context.Context, bucket, key, id string) (uploadRecord, error) {
	return queryUpload(ctx, s.db, bucket, key, id)
}

func queryUpload(ctx context.Context, q queryer, bucket, key, id string) (uploadRecord, error) {
	u := uploadRecord{id: id, bucket: bucket, key: key}
	var initiated int64
	sc := attrScanner{a: &u.attrs}
	err := q.QueryRowContext(ctx,
		"SELECT initiated_ns, "+attrColumns+" FROM uploads WHERE id = ? AND bucket = ? AND key = ?",
		id, bucket, key).Scan(append([]any{&initiated}, sc.dest()...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return u, errNoSuchUpload
	}
	if err != nil {
		return u, fmt.Errorf("get upload %s: %w", id, err)
	}
	u.initiated = time.Unix(0, initiated)
	return u, sc.finish()
}

// putPart stores part p of upload u from a staged blob, replacing an earlier
// part with the same number. It takes ownership of blob.
func (s *store) putPart(ctx context.Context, u uploadRecord, p partRecord, blob stagedBlob) error {
	err := s.commit(ctx, []stagedBlob{blob}, func(tx *sql.Tx) ([]string, error) {
		if _, err := queryUpload(ctx, tx, u.bucket, u.key, u.id); err != nil {
			return nil, err
		}
		var old []string
		var prev string
		err := tx.QueryRowContext(ctx, "SELECT blob FROM parts WHERE upload_id = ? AND number = ?", u.id, p.number).Scan(&prev)
		switch {
		case err == nil:
			old = []string{prev}
		case !errors.Is(err, sql.ErrNoRows):
			return nil, err
		}
		_, err = tx.ExecContext(ctx,
			"INSERT OR REPLACE INTO parts (upload_id, number, blob, size, etag, modified_ns) VALUES (?, ?, ?, ?, ?, ?)",
			u.id, p.number, blob.id, blob.size, p.etag, p.modified.UnixNano())
		return old, err
	})
	if err != nil {
		return fmt.Errorf("put part %d of upload %s: %w", p.number, u.id, err)
	}
	return nil
}

// listParts returns up to max parts of an upload numbered above marker, and
// whether more follow.
func (s *store) listParts(ctx context.Context, uploadID string, marker, max int) ([]partRecord, bool, error) {
	parts, err := queryParts(ctx, s.db, uploadID, marker, max+1)
	if err != nil {
		return nil, false, fmt.Errorf("list parts of upload %s: %w", uploadID, err)
	}
	if len(parts) > max {
		return parts[:max], true, nil
	}
	return parts, false, nil
}

func queryParts(ctx context.Context, q queryer, uploadID string, marker, limit int) ([]partRecord, error) {
	rows, err := q.QueryContext(ctx,
		"SELECT number, blob, size, etag, modified_ns FROM parts WHERE upload_id = ? AND number > ? ORDER BY number LIMIT ?",
		uploadID, marker, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var parts []partRecord
	for rows.Next() {
		var p partRecord
		var modified int64
		if err := rows.Scan(&p.number, &p.blob, &p.size, &p.etag, &modified); err != nil {
			return nil, err
		}
		p.modified = time.Unix(0, modified)
		parts = append(parts, p)
	}
	return parts, rows.Err()
}

// allParts returns every part of an upload by number.
func (s *store) allParts(ctx context.Context, uploadID string) (map[int]partRecord, error) {
	parts, err := queryParts(ctx, s.db, uploadID, 0, maxPartNumber)
	if err != nil {
		return nil, fmt.Errorf("read parts of upload %s: %w", uploadID, err)
	}
	byNumber := make(map[int]partRecord, len(parts))
	for _, p := range parts {
		byNumber[p.number] = p
	}
	return byNumber, nil
}

// completeUpload turns upload u into object o made of the chosen parts, in
// order, and drops the upload with its other parts. It fails with
// errNoSuchUpload if the upload is gone and with errInvalidPart if a chosen
// part was replaced since it was read.
func (s *store) completeUpload(ctx context.Context, u uploadRecord, o objectRecord, chosen []partRecord) error {
	err := s.commit(ctx, nil, func(tx *sql.Tx) ([]string, error) {
		if _, err := queryUpload(ctx, tx, u.bucket, u.key, u.id); err != nil {
			return nil, err
		}
		current, err := queryParts(ctx, tx, u.id, 0, maxPartNumber)
		if err != nil {
			return nil, err
		}
		segs, unused, err := pickSegments(current, chosen)
		if err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM uploads WHERE id = ?", u.id); err != nil {
			return nil, err
		}
		obsolete, err := replaceObject(ctx, tx, o, segs)
		return append(obsolete, unused...), err
	})
	if err != nil {
		return fmt.Errorf("complete upload %s: %w", u.id, err)
	}
	return nil
}

// pickSegments returns the segments of the chosen parts and the blobs of the
// parts not chosen, failing if a chosen part no longer has the blob it had.
func pickSegments(current, chosen []partRecord) ([]segment, []string, error) {
	byNumber := make(map[int]partRecord, len(current))
	for _, p := range current {
		byNumber[p.number] = p
	}
	segs := make([]segment, 0, len(chosen))
	for _, c := range chosen {
		p, ok := byNumber[c.number]
		if !ok || p.blob != c.blob {
			return nil, nil, errInvalidPart.withMessage("Part %d changed while the upload was being completed.", c.number)
		}
		segs = append(segs, segment{blob: p.blob, size: p.size})
		delete(byNumber, c.number)
	}
	var unused []string
	for _, p := range byNumber {
		unused = append(unused, p.blob)
	}
	return segs, unused, nil
}

// abortUpload drops an upload and its parts.
func (s *store) abortUpload(ctx context.Context, bucket, key, id string) error {
	err := s.commit(ctx, nil, func(tx *sql.Tx) ([]string, error) {
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
