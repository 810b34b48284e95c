package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"time"
)

// ErrUnknownUpload reports a part recorded for an upload id that has no
// checkpoint (it was never saved, or was deleted).
var ErrUnknownUpload = errors.New("unknown upload")

// blockSize is the length of an encryption IV and of a CBC chain value.
const blockSize = 16

// Upload is the checkpoint of one multipart upload in flight: enough to
// continue it after a crash without sending again the parts the server
// acknowledged, or to abort it when its source changed.
type Upload struct {
	Pair, Path string // the local file being uploaded
	Key        string // object key
	Bucket     string
	UploadID   string

	// Size, MTime and CTime (Unix nanoseconds) and Inode fingerprint the
	// source when the upload started, and MD5 (hex) is its content then; a
	// source that no longer matches them must not be continued.
	Size, MTime, CTime int64
	Inode              uint64
	MD5                string

	PartSize  int64  // size of every part but the last
	Encrypted bool   // content is encrypted client-side, as one CBC chain
	IV        []byte // 16 bytes when Encrypted, else nil
	Created   time.Time

	Parts []UploadPart // acknowledged parts, ordered by Number
}

// UploadPart is a part of a multipart upload that the server acknowledged.
type UploadPart struct {
	Number int   // 1 to 10000
	Size   int64 // bytes sent
	ETag   string
	// Chain is the CBC chain value (last ciphertext block) after this part,
	// 16 bytes, for encrypted uploads; nil otherwise.
	Chain []byte
}

// LastChain returns the CBC chain value to continue an encrypted upload
// with: the Chain of the part numbered len(u.Parts) if parts 1..n are all
// present, else the IV. ok is false when the recorded parts have a gap, in
// which case the upload cannot be continued in order.
func (u *Upload) LastChain() (chain []byte, ok bool) {
	for i, p := range u.Parts {
		if p.Number != i+1 {
			return nil, false
		}
	}
	if len(u.Parts) == 0 {
		return u.IV, true
	}
	return u.Parts[len(u.Parts)-1].Chain, true
}

func (u *Upload) validate() error {
	switch {
	case u.UploadID == "" || u.Pair == "" || u.Path == "" || u.Bucket == "" || u.Key == "":
		return errors.New("upload id, pair, path, bucket and key are required")
	case u.PartSize <= 0:
		return fmt.Errorf("part size %d", u.PartSize)
	case u.Encrypted && len(u.IV) != blockSize:
		return fmt.Errorf("encrypted upload with a %d-byte IV", len(u.IV))
	case !u.Encrypted && len(u.IV) != 0:
		return errors.New("IV set on an unencrypted upload")
	}
	return nil
}

// SaveUpload inserts the checkpoint of an upload, or replaces the one with
// the same UploadID. Its parts are left as they are; u.Parts is ignored.
func (db *DB) SaveUpload(ctx context.Context, u Upload) error {
	if err := u.validate(); err != nil {
		return fmt.Errorf("save upload %q: %w", u.UploadID, err)
	}
	_, err := db.w.ExecContext(ctx, `INSERT INTO uploads
		(upload_id, pair, path, bucket, object_key, size, mtime, inode, part_size, encrypted, iv, created, ctime, md5)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (upload_id) DO UPDATE SET
			pair = excluded.pair, path = excluded.path, bucket = excluded.bucket,
			object_key = excluded.object_key, size = excluded.size, mtime = excluded.mtime,
			inode = excluded.inode, part_size = excluded.part_size,
			encrypted = excluded.encrypted, iv = excluded.iv, created = excluded.created,
			ctime = excluded.ctime, md5 = excluded.md5`,
		u.UploadID, u.Pair, u.Path, u.Bucket, u.Key, u.Size, u.MTime, inodeValue(u.Inode),
		u.PartSize, u.Encrypted, blobValue(u.IV), nanos(u.Created), u.CTime, u.MD5)
	if err != nil {
		return fmt.Errorf("save upload %q: %w", u.UploadID, err)
	}
	return nil
}

// AddPart records an acknowledged part of the upload uploadID, replacing a
// part with the same number, in its own transaction: once AddPart returns,
// the part survives a crash. It fails with ErrUnknownUpload if there is no
// checkpoint for uploadID.
func (db *DB) AddPart(ctx context.Context, uploadID string, p UploadPart) error {
	if p.Number < 1 || p.Number > 10000 {
		return fmt.Errorf("add part %d of upload %q: part number out of range", p.Number, uploadID)
	}
	if len(p.Chain) != 0 && len(p.Chain) != blockSize {
		return fmt.Errorf("add part %d of upload %q: %d-byte chain value", p.Number, uploadID, len(p.Chain))
	}
	var n int64
	err := db.update(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(`INSERT OR REPLACE INTO upload_parts (upload_id, number, size, etag, chain)
		SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM uploads WHERE upload_id = ?)`,
			uploadID, p.Number, p.Size, p.ETag, blobValue(p.Chain), uploadID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("add part %d of upload %q: %w", p.Number, uploadID, err)
	}
	if n == 0 {
		return fmt.Errorf("add part %d of upload %q: %w", p.Number, uploadID, ErrUnknownUpload)
	}
	return nil
}

// uploadJoin selects uploads with their parts, one row per part (or one row
// with NULL part columns for an upload without parts).
const uploadJoin = `SELECT u.upload_id, u.pair, u.path, u.bucket, u.object_key, u.size, u.mtime, u.inode,
		u.part_size, u.encrypted, u.iv, u.created, u.ctime, u.md5, p.number, p.size, p.etag, p.chain
	FROM uploads u LEFT JOIN upload_parts p ON p.upload_id = u.upload_id`

// uploadsQuery reads every upload in the order of the primary keys, so the
// rows of one upload are consecutive and nothing needs sorting.
const uploadsQuery = uploadJoin + ` ORDER BY u.upload_id, p.number`

// UploadFor returns the checkpoint of the upload of path in pair, with its
// parts, or nil if there is none. If there are several (an old upload not yet
// aborted), it returns the most recently created.
func (db *DB) UploadFor(ctx context.Context, pair, path string) (*Upload, error) {
	op := fmt.Sprintf("upload for %q", path)
	seq := db.uploads(ctx, op, uploadJoin+` WHERE u.upload_id = (
			SELECT upload_id FROM uploads WHERE pair = ? AND path = ?
			ORDER BY created DESC, upload_id DESC LIMIT 1)
		ORDER BY p.number`, pair, path)
	for u, err := range seq {
		if err != nil {
			return nil, err
		}
		return &u, nil
	}
	return nil, nil
}

// Uploads yields every upload checkpoint with its parts, ordered by
// UploadID. An error is yielded once and ends the sequence.
func (db *DB) Uploads(ctx context.Context) iter.Seq2[Upload, error] {
	return db.uploads(ctx, "read uploads", uploadsQuery)
}

// DeleteUpload removes the checkpoint of an upload and its parts. Deleting
// an unknown upload is not an error.
func (db *DB) DeleteUpload(ctx context.Context, uploadID string) error {
	err := db.update(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM upload_parts WHERE upload_id = ?`, uploadID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM uploads WHERE upload_id = ?`, uploadID)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete upload %q: %w", uploadID, err)
	}
	return nil
}
