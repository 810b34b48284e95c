package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// Attrs are the properties given when an object or upload is created.
type Attrs struct {
	ContentType        string
	CacheControl       string
	ContentDisposition string
	ContentEncoding    string
	ContentLanguage    string
	Expires            string
	// Meta is the user metadata by lower-case name, without prefix.
	Meta map[string]string
	// ACL is a canned ACL; "" inherits the bucket's.
	ACL          string
	StorageClass string
}

// attrColumns are the Attrs columns shared by objects and uploads.
const attrColumns = "content_type, cache_control, content_disposition, content_encoding, content_language, expires, meta, acl, storage_class"

// args returns the values of attrColumns.
func (a Attrs) args() []any {
	meta, _ := json.Marshal(a.Meta) // a map of strings always encodes
	return []any{a.ContentType, a.CacheControl, a.ContentDisposition, a.ContentEncoding,
		a.ContentLanguage, a.Expires, string(meta), a.ACL, a.StorageClass}
}

// attrScanner scans attrColumns into an Attrs.
type attrScanner struct {
	a    *Attrs
	meta string
}

func (s *attrScanner) dest() []any {
	return []any{&s.a.ContentType, &s.a.CacheControl, &s.a.ContentDisposition, &s.a.ContentEncoding,
		&s.a.ContentLanguage, &s.a.Expires, &s.meta, &s.a.ACL, &s.a.StorageClass}
}

func (s *attrScanner) finish() error {
	if err := json.Unmarshal([]byte(s.meta), &s.a.Meta); err != nil {
		return fmt.Errorf("decode metadata: %w", err)
	}
	return nil
}

// Object is an object's metadata.
type Object struct {
	Bucket   string
	Key      string
	Size     int64
	ETag     string // hex, without quotes
	Modified time.Time
	Attrs    Attrs

	id int64
}

// segment is one piece of an object's data: a blob file, or inline bytes.
type segment struct {
	blob   string
	size   int64
	inline bool
	data   []byte // the bytes of an inline segment
}

// queryer is what both *sql.DB and *sql.Tx offer.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Object returns the metadata of bucket/key, or ErrNoSuchKey /
// ErrNoSuchBucket.
func (s *Store) Object(ctx context.Context, bucket, key string) (Object, error) {
	o, err := queryObject(ctx, s.db, bucket, key)
	if errors.Is(err, ErrNoSuchKey) {
		if berr := bucketExists(ctx, s.db, bucket); berr != nil {
			return o, berr
		}
	}
	return o, err
}

func queryObject(ctx context.Context, q queryer, bucket, key string) (Object, error) {
	o := Object{Bucket: bucket, Key: key}
	var modified int64
	sc := attrScanner{a: &o.Attrs}
	dest := append([]any{&o.id, &o.Size, &o.ETag, &modified}, sc.dest()...)
	err := q.QueryRowContext(ctx,
		"SELECT id, size, etag, modified_ns, "+attrColumns+" FROM objects WHERE bucket = ? AND key = ?",
		bucket, key).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return o, ErrNoSuchKey
	}
	if err != nil {
		return o, fmt.Errorf("get object %q: %w", key, err)
	}
	o.Modified = time.Unix(0, modified)
	return o, sc.finish()
}

func querySegments(ctx context.Context, q queryer, objectID int64) ([]segment, error) {
	rows, err := q.QueryContext(ctx, "SELECT blob, size, inline, data FROM segments WHERE object_id = ? ORDER BY seq", objectID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var segs []segment
	for rows.Next() {
		var seg segment
		if err := rows.Scan(&seg.blob, &seg.size, &seg.inline, &seg.data); err != nil {
			return nil, err
		}
		segs = append(segs, seg)
	}
	return segs, rows.Err()
}

// Handle is an object opened for reading. Its data stays readable, even if
// the object is overwritten or deleted meanwhile, until Close.
type Handle struct {
	Object
	s     *Store
	segs  []segment
	files []string
	once  sync.Once
}

// OpenObject opens bucket/key for reading, or fails with ErrNoSuchKey /
// ErrNoSuchBucket. The caller must Close the handle.
func (s *Store) OpenObject(ctx context.Context, bucket, key string) (*Handle, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, err := s.Object(ctx, bucket, key)
	if err != nil {
		return nil, err
	}
	segs, err := querySegments(ctx, s.db, o.id)
	if err != nil {
		return nil, fmt.Errorf("open object %q: %w", key, err)
	}
	h := &Handle{Object: o, s: s, segs: segs}
	for _, seg := range segs {
		if !seg.inline {
			h.files = append(h.files, seg.blob)
		}
	}
	s.pin(h.files)
	return h, nil
}

// NewReader reads length bytes of the object from offset start; the range
// must lie within the object.
func (h *Handle) NewReader(start, length int64) io.ReadCloser {
	return &segmentReader{s: h.s, segs: h.segs, skip: start, remaining: length}
}

// Close releases the object's data.
func (h *Handle) Close() error {
	h.once.Do(func() { h.s.unpin(h.files) })
	return nil
}

// PutObject stores o, made of the staged data b, replacing any object
// under the same key. It takes ownership of b.
func (s *Store) PutObject(ctx context.Context, o Object, b *Staged) error {
	if err := s.putObject(o, []*Staged{b}); err != nil {
		return fmt.Errorf("put object %q: %w", o.Key, err)
	}
	return nil
}

// CopyObject stores o with the data of the open object src (hard links to
// its blob files), replacing any object under o's key.
func (s *Store) CopyObject(ctx context.Context, src *Handle, o Object) error {
	staged := make([]*Staged, 0, len(src.segs))
	for _, seg := range src.segs {
		b, err := s.stageSegment(seg)
		if err != nil {
			s.discard(staged...)
			return fmt.Errorf("copy object %q: %w", o.Key, err)
		}
		staged = append(staged, b)
	}
	if err := s.putObject(o, staged); err != nil {
		return fmt.Errorf("copy object %q: %w", o.Key, err)
	}
	return nil
}

// putObject commits o made of the staged pieces in order.
func (s *Store) putObject(o Object, staged []*Staged) error {
	segs := make([]segment, len(staged))
	for i, b := range staged {
		segs[i] = segment{blob: b.id, size: b.size, inline: b.inline, data: b.data}
	}
	return s.w.write(staged, func(ctx context.Context, tx *sql.Tx) ([]string, error) {
		return replaceObject(ctx, tx, o, segs)
	})
}

// replaceObject writes o with segs in tx, replacing the object under its
// key, and returns the blob files of the replaced object.
func replaceObject(ctx context.Context, tx *sql.Tx, o Object, segs []segment) ([]string, error) {
	if err := bucketExists(ctx, tx, o.Bucket); err != nil {
		return nil, err
	}
	obsolete, err := deleteObjectTx(ctx, tx, o.Bucket, o.Key)
	if err != nil {
		return nil, err
	}
	res, err := tx.ExecContext(ctx,
		"INSERT INTO objects (bucket, key, size, etag, modified_ns, "+attrColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		append([]any{o.Bucket, o.Key, o.Size, o.ETag, o.Modified.UnixNano()}, o.Attrs.args()...)...)
	if err != nil {
		return nil, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, err
	}
	for i, seg := range segs {
		if _, err := tx.ExecContext(ctx, "INSERT INTO segments (object_id, seq, blob, size, inline, data) VALUES (?, ?, ?, ?, ?, ?)",
			id, i, seg.blob, seg.size, seg.inline, seg.data); err != nil {
			return nil, err
		}
	}
	return obsolete, nil
}

// deleteObjectTx deletes bucket/key if it exists and returns its blob
// files.
func deleteObjectTx(ctx context.Context, tx *sql.Tx, bucket, key string) ([]string, error) {
	var id int64
	err := tx.QueryRowContext(ctx, "SELECT id FROM objects WHERE bucket = ? AND key = ?", bucket, key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, "SELECT blob FROM segments WHERE object_id = ? AND NOT inline", id)
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

// DeleteObjects deletes the given keys of bucket; missing keys are not an
// error.
func (s *Store) DeleteObjects(ctx context.Context, bucket string, keys []string) error {
	err := s.w.write(nil, func(ctx context.Context, tx *sql.Tx) ([]string, error) {
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

// SetObjectACL changes the canned ACL of bucket/key.
func (s *Store) SetObjectACL(ctx context.Context, bucket, key, acl string) error {
	err := s.w.write(nil, func(ctx context.Context, tx *sql.Tx) ([]string, error) {
		res, err := tx.ExecContext(ctx, "UPDATE objects SET acl = ? WHERE bucket = ? AND key = ?", acl, bucket, key)
		if err != nil {
			return nil, err
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			return nil, err
		}
		if err := bucketExists(ctx, tx, bucket); err != nil {
			return nil, err
		}
		return nil, ErrNoSuchKey
	})
	if err != nil {
		return fmt.Errorf("set acl of %q: %w", key, err)
	}
	return nil
}
