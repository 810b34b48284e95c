package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// listCursor is a position in a key-ordered listing.
type listCursor struct {
	key       string
	inclusive bool   // entries whose key equals key are included
	uploadID  string // uploads only, with !inclusive: continue after (key, uploadID)
	exhausted bool   // nothing can follow
}

// Page is one page of a listing.
type Page[T any] struct {
	Entries []T
	// Prefixes are the common prefixes that keys containing the delimiter
	// after the prefix roll up into.
	Prefixes  []string
	Truncated bool
	// Next is the last key or common prefix returned, from which the next
	// page continues; NextIsPrefix says which of the two it is.
	Next         string
	NextIsPrefix bool
}

// ListedObject is an object as listings show it.
type ListedObject struct {
	Key          string
	Size         int64
	ETag         string
	Modified     time.Time
	StorageClass string
}

// ListedUpload is a multipart upload as listings show it.
type ListedUpload struct {
	Key          string
	ID           string
	Initiated    time.Time
	StorageClass string
}

// ListQuery selects a page of a listing.
type ListQuery struct {
	Prefix    string
	Delimiter string
	// Marker lists keys after this one (for uploads, with UploadIDMarker,
	// the uploads of this key after that id).
	Marker         string
	UploadIDMarker string
	// Max is the most entries and common prefixes the page holds.
	Max int
}

// prefixEnd returns the smallest string greater than every string that
// starts with p, or "" when there is none (p is empty or all 0xFF bytes).
func prefixEnd(p string) string {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xFF {
			b[i]++
			return string(b[:i+1])
		}
	}
	return ""
}

// startCursor returns where a listing after marker begins. A marker inside a
// group that the delimiter rolls up into a common prefix skips the whole
// group, so a common prefix returned on one page never repeats on the next.
func startCursor(prefix, delim, marker string) listCursor {
	if marker < prefix {
		return listCursor{key: prefix, inclusive: true}
	}
	if delim != "" && strings.HasPrefix(marker, prefix) {
		if i := strings.Index(marker[len(prefix):], delim); i >= 0 {
			end := prefixEnd(marker[:len(prefix)+i+len(delim)])
			return listCursor{key: end, inclusive: true, exhausted: end == ""}
		}
	}
	return listCursor{key: marker}
}

// walkListing collects up to max entries and common prefixes in key order,
// starting at start. Keys containing delim after prefix are rolled up into
// common prefixes. fetch returns up to limit entries at or after a cursor,
// all starting with prefix; after returns the cursor just past an entry.
func walkListing[T any](ctx context.Context, prefix, delim string, max int, start listCursor,
	fetch func(ctx context.Context, from listCursor, limit int) ([]T, error),
	keyOf func(T) string, after func(T) listCursor) (Page[T], error) {
	var page Page[T]
	if start.exhausted {
		return page, nil
	}
	cur, count := start, 0
	for {
		limit := max - count + 1
		batch, err := fetch(ctx, cur, limit)
		if err != nil {
			return page, err
		}
		for _, e := range batch {
			key := keyOf(e)
			cur = after(e)
			if page.NextIsPrefix && strings.HasPrefix(key, page.Next) {
				continue // more of the group just returned
			}
			if count == max {
				page.Truncated = true
				return page, nil
			}
			count++
			if cp, ok := commonPrefixOf(key, prefix, delim); ok {
				page.Prefixes = append(page.Prefixes, cp)
				page.Next, page.NextIsPrefix = cp, true
				continue
			}
			page.Entries = append(page.Entries, e)
			page.Next, page.NextIsPrefix = key, false
		}
		if len(batch) < limit {
			return page, nil
		}
		if page.NextIsPrefix {
			// Skip the rest of a large group in one step.
			end := prefixEnd(page.Next)
			if end == "" {
				return page, nil
			}
			cur = listCursor{key: end, inclusive: true}
		}
	}
}

// commonPrefixOf returns the common prefix key rolls up into: prefix plus
// the rest of key up to and including the first delim.
func commonPrefixOf(key, prefix, delim string) (string, bool) {
	if delim == "" {
		return "", false
	}
	i := strings.Index(key[len(prefix):], delim)
	if i < 0 {
		return "", false
	}
	return key[:len(prefix)+i+len(delim)], true
}

// keyRange returns the SQL condition and arguments selecting keys at or
// after cur that start with prefix.
func keyRange(cur listCursor, prefix string, withUploadID bool) (string, []any) {
	var cond string
	var args []any
	switch {
	case cur.inclusive:
		cond, args = "key >= ?", []any{cur.key}
	case withUploadID && cur.uploadID != "":
		cond, args = "(key, id) > (?, ?)", []any{cur.key, cur.uploadID}
	default:
		cond, args = "key > ?", []any{cur.key}
	}
	if end := prefixEnd(prefix); end != "" {
		cond += " AND key < ?"
		args = append(args, end)
	}
	return cond, args
}

// ListObjects returns a page of the objects of bucket in key order.
func (s *Store) ListObjects(ctx context.Context, bucket string, q ListQuery) (Page[ListedObject], error) {
	prefix, delim := q.Prefix, q.Delimiter
	fetch := func(ctx context.Context, cur listCursor, limit int) ([]ListedObject, error) {
		cond, args := keyRange(cur, prefix, false)
		rows, err := s.db.QueryContext(ctx,
			"SELECT key, size, etag, modified_ns, storage_class FROM objects WHERE bucket = ? AND "+cond+" ORDER BY key LIMIT ?",
			append(append([]any{bucket}, args...), limit)...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []ListedObject
		for rows.Next() {
			var o ListedObject
			var modified int64
			if err := rows.Scan(&o.Key, &o.Size, &o.ETag, &modified, &o.StorageClass); err != nil {
				return nil, err
			}
			o.Modified = time.Unix(0, modified)
			out = append(out, o)
		}
		return out, rows.Err()
	}
	page, err := walkListing(ctx, prefix, delim, q.Max, startCursor(prefix, delim, q.Marker), fetch,
		func(o ListedObject) string { return o.Key },
		func(o ListedObject) listCursor { return listCursor{key: o.Key} })
	if err != nil {
		return page, fmt.Errorf("list objects of %s: %w", bucket, err)
	}
	return page, nil
}

// ListUploads returns a page of the multipart uploads of bucket, ordered
// by key and then by initiation time.
func (s *Store) ListUploads(ctx context.Context, bucket string, q ListQuery) (Page[ListedUpload], error) {
	prefix, delim := q.Prefix, q.Delimiter
	fetch := func(ctx context.Context, cur listCursor, limit int) ([]ListedUpload, error) {
		cond, args := keyRange(cur, prefix, true)
		rows, err := s.db.QueryContext(ctx,
			"SELECT key, id, initiated_ns, storage_class FROM uploads WHERE bucket = ? AND "+cond+" ORDER BY key, id LIMIT ?",
			append(append([]any{bucket}, args...), limit)...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []ListedUpload
		for rows.Next() {
			var u ListedUpload
			var initiated int64
			if err := rows.Scan(&u.Key, &u.ID, &initiated, &u.StorageClass); err != nil {
				return nil, err
			}
			u.Initiated = time.Unix(0, initiated)
			out = append(out, u)
		}
		return out, rows.Err()
	}
	start := startCursor(prefix, delim, q.Marker)
	if !start.inclusive && start.key == q.Marker {
		start.uploadID = q.UploadIDMarker
	}
	page, err := walkListing(ctx, prefix, delim, q.Max, start, fetch,
		func(u ListedUpload) string { return u.Key },
		func(u ListedUpload) listCursor { return listCursor{key: u.Key, uploadID: u.ID} })
	if err != nil {
		return page, fmt.Errorf("list uploads of %s: %w", bucket, err)
	}
	return page, nil
}
