package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Bucket is a bucket's metadata.
type Bucket struct {
	Name     string
	Created  time.Time
	ACL      string // canned ACL
	Location string
	Type     string // KS3 bucket type, e.g. NORMAL
}

// CreateBucket adds b, or fails with ErrBucketExists.
func (s *Store) CreateBucket(ctx context.Context, b Bucket) error {
	err := s.w.write(nil, func(ctx context.Context, tx *sql.Tx) ([]string, error) {
		res, err := tx.ExecContext(ctx,
			"INSERT INTO buckets (name, created_ns, acl, location, type) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
			b.Name, b.Created.UnixNano(), b.ACL, b.Location, b.Type)
		if err != nil {
			return nil, err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return nil, cmp.Or(err, ErrBucketExists)
		}
		return nil, nil
	})
	if err != nil {
		return fmt.Errorf("create bucket %s: %w", b.Name, err)
	}
	return nil
}

// Bucket returns the bucket called name, or ErrNoSuchBucket.
func (s *Store) Bucket(ctx context.Context, name string) (Bucket, error) {
	b := Bucket{Name: name}
	var created int64
	err := s.db.QueryRowContext(ctx, "SELECT created_ns, acl, location, type FROM buckets WHERE name = ?", name).
		Scan(&created, &b.ACL, &b.Location, &b.Type)
	if errors.Is(err, sql.ErrNoRows) {
		return b, ErrNoSuchBucket
	}
	if err != nil {
		return b, fmt.Errorf("get bucket %s: %w", name, err)
	}
	b.Created = time.Unix(0, created)
	return b, nil
}

// Buckets returns every bucket by name.
func (s *Store) Buckets(ctx context.Context) ([]Bucket, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT name, created_ns, acl, location, type FROM buckets ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("list buckets: %w", err)
	}
	defer rows.Close()
	var out []Bucket
	for rows.Next() {
		var b Bucket
		var created int64
		if err := rows.Scan(&b.Name, &created, &b.ACL, &b.Location, &b.Type); err != nil {
			return nil, fmt.Errorf("list buckets: %w", err)
		}
		b.Created = time.Unix(0, created)
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list buckets: %w", err)
	}
	return out, nil
}

// DeleteBucket deletes an empty bucket: one without objects and without
// multipart uploads in progress.
func (s *Store) DeleteBucket(ctx context.Context, name string) error {
	err := s.w.write(nil, func(ctx context.Context, tx *sql.Tx) ([]string, error) {
		if err := bucketExists(ctx, tx, name); err != nil {
			return nil, err
		}
		var used bool
		err := tx.QueryRowContext(ctx,
			"SELECT EXISTS (SELECT 1 FROM objects WHERE bucket = ?1) OR EXISTS (SELECT 1 FROM uploads WHERE bucket = ?1)",
			name).Scan(&used)
		if err != nil {
			return nil, err
		}
		if used {
			return nil, ErrBucketNotEmpty
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM buckets WHERE name = ?", name)
		return nil, err
	})
	if err != nil {
		return fmt.Errorf("delete bucket %s: %w", name, err)
	}
	return nil
}

// SetBucketACL changes the canned ACL of a bucket.
func (s *Store) SetBucketACL(ctx context.Context, name, acl string) error {
	err := s.w.write(nil, func(ctx context.Context, tx *sql.Tx) ([]string, error) {
		res, err := tx.ExecContext(ctx, "UPDATE buckets SET acl = ? WHERE name = ?", acl, name)
		if err != nil {
			return nil, err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return nil, cmp.Or(err, ErrNoSuchBucket)
		}
		return nil, nil
	})
	if err != nil {
		return fmt.Errorf("set acl of bucket %s: %w", name, err)
	}
	return nil
}

// bucketExists fails with ErrNoSuchBucket unless the bucket exists.
func bucketExists(ctx context.Context, q queryer, name string) error {
	var exists bool
	if err := q.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM buckets WHERE name = ?)", name).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		return ErrNoSuchBucket
	}
	return nil
}
