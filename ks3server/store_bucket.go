package ks3server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// bucketRecord is a bucket's metadata.
type bucketRecord struct {
	name     string
	created  time.Time
	acl      string // canned ACL
	location string
	typ      string // KS3 bucket type, e.g. NORMAL
}

// createBucket adds b, or fails with errBucketAlreadyExists.
func (s *store) createBucket(ctx context.Context, b bucketRecord) error {
	res, err := s.db.ExecContext(ctx,
		"INSERT INTO buckets (name, created_ns, acl, location, type) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
		b.name, b.created.UnixNano(), b.acl, b.location, b.typ)
	if err != nil {
		return fmt.Errorf("create bucket %s: %w", b.name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("create bucket %s: %w", b.name, err)
	}
	if n == 0 {
		return errBucketAlreadyExists
	}
	return nil
}

// getBucket returns the bucket called name, or errNoSuchBucket.
func (s *store) getBucket(ctx context.Context, name string) (bucketRecord, error) {
	b := bucketRecord{name: name}
	var created int64
	err := s.db.QueryRowContext(ctx, "SELECT created_ns, acl, location, type FROM buckets WHERE name = ?", name).
		Scan(&created, &b.acl, &b.location, &b.typ)
	if errors.Is(err, sql.ErrNoRows) {
		return b, errNoSuchBucket
	}
	if err != nil {
		return b, fmt.Errorf("get bucket %s: %w", name, err)
	}
	b.created = time.Unix(0, created)
	return b, nil
}

// listBuckets returns every bucket by name.
func (s *store) listBuckets(ctx context.Context) ([]bucketRecord, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT name, created_ns, acl, location, type FROM buckets ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("list buckets: %w", err)
	}
	defer rows.Close()
	var out []bucketRecord
	for rows.Next() {
		var b bucketRecord
		var created int64
		if err := rows.Scan(&b.name, &created, &b.acl, &b.location, &b.typ); err != nil {
			return nil, fmt.Errorf("list buckets: %w", err)
		}
		b.created = time.Unix(0, created)
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list buckets: %w", err)
	}
	return out, nil
}

// deleteBucket deletes an empty bucket: one without objects and without
// multipart uploads in progress.
func (s *store) deleteBucket(ctx context.Context, name string) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := bucketExists(ctx, tx, name); err != nil {
			return err
		}
		var used bool
		err := tx.QueryRowContext(ctx,
			"SELECT EXISTS (SELECT 1 FROM objects WHERE bucket = ?1) OR EXISTS (SELECT 1 FROM uploads WHERE bucket = ?1)",
			name).Scan(&used)
		if err != nil {
			return err
		}
		if used {
			return errBucketNotEmpty
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM buckets WHERE name = ?", name)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete bucket %s: %w", name, err)
	}
	return nil
}

// setBucketACL changes the canned ACL of a bucket.
func (s *store) setBucketACL(ctx context.Context, name, acl string) error {
	res, err := s.db.ExecContext(ctx, "UPDATE buckets SET acl = ? WHERE name = ?", acl, name)
	if err != nil {
		return fmt.Errorf("set acl of bucket %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("set acl of bucket %s: %w", name, err)
	}
	if n == 0 {
		return errNoSuchBucket
	}
	return nil
}

// bucketExists fails with errNoSuchBucket unless the bucket exists.
func bucketExists(ctx context.Context, q queryer, name string) error {
	var exists bool
	if err := q.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM buckets WHERE name = ?)", name).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		return errNoSuchBucket
	}
	return nil
}
