package state

import (
	"context"
	"database/sql"
	"iter"
)

// uploadRow is one row of uploadJoin: an upload and at most one of its
// parts.
type uploadRow struct {
	upload  Upload
	part    UploadPart
	hasPart bool
}

func scanUploadRow(s rowScanner) (uploadRow, error) {
	var r uploadRow
	u := &r.upload
	var inode, created int64
	var number, size sql.NullInt64
	var etag sql.NullString
	err := s.Scan(&u.UploadID, &u.Pair, &u.Path, &u.Bucket, &u.Key, &u.Size, &u.MTime, &inode,
		&u.PartSize, &u.Encrypted, &u.IV, &created, &u.CTime, &u.MD5, &number, &size, &etag, &r.part.Chain)
	u.Inode = inodeFromValue(inode)
	u.Created = fromNanos(created)
	r.hasPart = number.Valid
	r.part.Number, r.part.Size, r.part.ETag = int(number.Int64), size.Int64, etag.String
	return r, err
}

// uploads runs query, a selection from uploadJoin whose rows of one upload
// are consecutive and ordered by part number, and yields each upload with
// its parts as soon as its last row is read. Errors are wrapped with op.
func (db *DB) uploads(ctx context.Context, op, query string, args ...any) iter.Seq2[Upload, error] {
	rows := queryIter(ctx, db.r, op, scanUploadRow, query, args...)
	return func(yield func(Upload, error) bool) {
		var cur *Upload
		for r, err := range rows {
			if err != nil {
				yield(Upload{}, err)
				return
			}
			if cur != nil && cur.UploadID != r.upload.UploadID {
				if !yield(*cur, nil) {
					return
				}
				cur = nil
			}
			if cur == nil {
				cur = &r.upload
			}
			if r.hasPart {
				cur.Parts = append(cur.Parts, r.part)
			}
		}
		if cur != nil {
			yield(*cur, nil)
		}
	}
}
