package ks3server

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// objectAttrs are the properties given when an object or upload is created.
type objectAttrs struct {
	contentType        string
	cacheControl       string
	contentDisposition string
	contentEncoding    string
	contentLanguage    string
	expires            string
	meta               map[string]string // lower-case names without the x-kss-meta- prefix
	acl                string            // canned ACL; "" inherits the bucket's
	storageClass       string
}

// attrColumns are the objectAttrs columns shared by objects and uploads.
const attrColumns = "content_type, cache_control, content_disposition, content_encoding, content_language, expires, meta, acl, storage_class"

// args returns the values of attrColumns.
func (a objectAttrs) args() []any {
	meta, _ := json.Marshal(a.meta) // a map of strings always encodes
	return []any{a.contentType, a.cacheControl, a.contentDisposition, a.contentEncoding,
		a.contentLanguage, a.expires, string(meta), a.acl, a.storageClass}
}

// attrScanner scans attrColumns into an objectAttrs.
type attrScanner struct {
	a    *objectAttrs
	meta string
}

func (s *attrScanner) dest() []any {
	return []any{&s.a.contentType, &s.a.cacheControl, &s.a.contentDisposition, &s.a.contentEncoding,
		&s.a.contentLanguage, &s.a.expires, &s.meta, &s.a.acl, &s.a.storageClass}
}

func (s *attrScanner) finish() error {
	if err := json.Unmarshal([]byte(s.meta), &s.a.meta); err != nil {
		return fmt.Errorf("decode metadata: %w", err)
	}
	return nil
}

// segment is one blob of an object's data.
type segment struct {
	blob string
	size int64
}

// objectRecord is an object's metadata, and when opened its segments.
type objectRecord struct {
	id       int64
	bucket   string
	key      string
	size     int64
	etag     string // without quotes
	modified time.Time
	attrs    objectAttrs
	segments []segment
}

func (o *objectRecord) blobs() []string {
	ids := make([]string, len(o.segments))
	for i, seg := range o.segments {
		ids[i] = seg.blob
	}
	return ids
}

// queryer is what both *sql.DB and *sql.Tx offer.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// getObject returns the metadata of bucket/key, or errNoSuchKey /
// errNoSuchBucket.
func (s *store) getObject(ctx context.Context, bucket, key string) (objectRecord, error) {
	o, err := queryObject(ctx, s.db, bucket, key)
	if errors.Is(err, errNoSuchKey) {
		if _, berr := s.getBucket(ctx, bucket); berr != nil {
			return o, berr
		}
	}
	return o, err
}

func queryObject(ctx context.Context, q queryer, bucket, key string) (objectRecord, error) {
	o := objectRecord{bucket: bucket, key: key}
	var modified int64
	sc := attrScanner{a: &o.attrs}
	dest := append([]any{&o.id, &o.size, &o.etag, &modified}, sc.dest()...)
	err := q.QueryRowContext(ctx,
		"SELECT id, size, etag, modified_ns, "+attrColumns+" FROM objects WHERE bucket = ? AND key = ?",
		bucket, key).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return o, errNoSuchKey
	}
	if err != nil {
		return o, fmt.Errorf("get object %q: %w", key, err)
	}
	o.modified = time.Unix(0, modified)
	return o, sc.finish()
}

func querySegments(ctx context.Context, q queryer, objectID int64) ([]segment, error) {
	rows, err := q.QueryContext(ctx, "SELECT blob, size FROM segments WHERE object_id = ? ORDER BY seq", objectID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var segs []segment
	for rows.Next() {
		var seg segment
		if err := rows.Scan(&seg.blob, &seg.size); err != nil {
			return nil, err
		}
		segs = append(segs, seg)
	}
	return segs, rows.Err()
}

// openObject returns bucket/key with its segments, pinned so that their
// files outlive a concurrent overwrite or delete until release is called.
func (s *store) openObject(ctx context.Context, bucket, key string) (o objectRecord, release func(), err error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if o, err = s.getObject(ctx, bucket, key); err != nil {
		return o, nil, err
	}
	if o.segments, err = querySegments(ctx, s.db, o.id); err != nil {
		return o, nil, fmt.Errorf("open object %q: %w", key, err)
	}
	blobs := o.blobs()
	s.pin(blobs)
	return o, func() { s.unpin(blobs) }, nil
}

// putObject stores o, made of the staged blobs in order, replacing any
// object under the same key. It takes ownership of blobs.
func (s *store) putObject(ctx context.Context, o objectRecord, blobs []stagedBlob) error {
	err := s.commit(ctx, blobs, func(tx *sql.Tx) ([]string, error) {
		segs := make([]segment, len(blobs))
		for i, b := range blobs {
			segs[i] = segment{blob: b.id, size: b.size}
		}
		return replaceObject(ctx, tx, o, segs)
	})
	if err != nil {
		return fmt.Errorf("put object %q: %w", o.key, err)
	}
	return nil
}

// replaceObject writes o with segs in tx, replacing the object under its key,
// and returns the blobs of the replaced object.
func replaceObject(ctx context.Context, tx *sql.Tx, o objectRecord, segs []segment) ([]string, error) {
	if err := bucketExists(ctx, tx, o.bucket); err != nil {
		return nil, err
	}
	obsolete, err := deleteObjectTx(ctx, tx, o.bucket, o.key)
	if err != nil {
		return nil, err
	}
	res, err := tx.ExecContext(ctx,
		"INSERT INTO objects (bucket, key, size, etag, modified_ns, "+attrColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		append([]any{o.bucket, o.key, o.size, o.etag, o.modified.UnixNano()}, o.attrs.args()...)...)
	if err != nil {
		return nil, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, err
	}
	for i, seg := range segs {
		if _, err := tx.ExecContext(ctx, "INSERT INTO segments (object_id, seq, blob, size) VALUES (?, ?, ?, ?)",
			id, i, seg.blob, seg.size); err != nil {
			return nil, err
		}
	}
	return obsolete, nil
}

// deleteObjectTx deletes bucket/key if it exists and returns its blobs.
func deleteObjectTx(ctx context.Context, tx *sql.Tx, bucket, key string) ([]string, error) {
	var id int64
	err := tx.QueryRowContext(ctx, "SELECT id FROM objects WHERE bucket = ? AND key = ?", bucket, key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, "SELECT blob FROM segments WHERE object_id = ?", id)
	if err != nil {
		return nil, err
	}
	blobs, err := scanStrings(rows)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM objects WHERE id = ?", id); err != nil {
		return nil, err
	}
	return blobs, nil
}

// deleteObjects deletes the given keys of bucket; missing keys are not an
// error.
func (s *store) deleteObjects(ctx context.Context, bucket string, keys []string) error {
	err := s.commit(ctx, nil, func(tx *sql.Tx) ([]string, error) {
		if err := bucketExists(ctx, tx, bucket); err != nil {
			return nil, err
		}
		var obsolete []string
		for _, key := range keys {
			blobs, err := deleteObjectTx(ctx, tx, bucket, key)
			if err != nil {
				return nil, err
			}
			obsolete = append(obsolete, blobs...)
		}
		return obsolete, nil
	})
	if err != nil {
		return fmt.Errorf("delete objects from %s: %w", bucket, err)
	}
	return nil
}

// setObjectACL changes the canned ACL of bucket/key.
func (s *store) setObjectACL(ctx context.Context, bucket, key, acl string) error {
	res, err := s.db.ExecContext(ctx, "UPDATE objects SET acl = ? WHERE bucket = ? AND key = ?", acl, bucket, key)
	if err != nil {
		return fmt.Errorf("set acl of %q: %w", key, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("set acl of %q: %w", key, err)
	}
	if n == 0 {
		_, err := s.getObject(ctx, bucket, key)
		return err
	}
	return nil
}
