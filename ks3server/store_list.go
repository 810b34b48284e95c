package ks3server

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

// listPage is one page of a listing.
type listPage[T any] struct {
	entries   []T
	prefixes  []string
	truncated bool
	// next is the last key or common prefix returned, from which the next
	// page continues; nextIsPrefix says which of the two it is.
	next         string
	nextIsPrefix bool
}

// listedObject is an object as listings show it.
type listedObject struct {
	key          string
	size         int64
	etag         string
	modified     time.Time
	storageClass string
}

// listedUpload is a multipart upload as listings show it.
type listedUpload struct {
	key          string
	id           string
	initiated    time.Time
	storageClass string
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
	keyOf func(T) string, after func(T) listCursor) (listPage[T], error) {
	var page listPage[T]
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
			if page.nextIsPrefix && strings.HasPrefix(key, page.next) {
				continue // more of the group just returned
			}
			if count == max {
				page.truncated = true
				return page, nil
			}
			count++
			if cp, ok := commonPrefixOf(key, prefix, delim); ok {
				page.prefixes = append(page.prefixes, cp)
				page.next, page.nextIsPrefix = cp, true
				continue
			}
			page.entries = append(page.entries, e)
			page.next, page.nextIsPrefix = key, false
		}
		if len(batch) < limit {
			return page, nil
		}
		if page.nextIsPrefix {
			// Skip the rest of a large group in one step.
			end := prefixEnd(page.next)
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

// listObjects returns a page of the objects of bucket.
func (s *store) listObjects(ctx context.Context, bucket, prefix, delim, marker string, max int) (listPage[listedObject], error) {
	fetch := func(ctx context.Context, cur listCursor, limit int) ([]listedObject, error) {
		cond, args := keyRange(cur, prefix, false)
		rows, err := s.db.QueryContext(ctx,
			"SELECT key, size, etag, modified_ns, storage_class FROM objects WHERE bucket = ? AND "+cond+" ORDER BY key LIMIT ?",
			append(append([]any{bucket}, args...), limit)...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []listedObject
		for rows.Next() {
			var o listedObject
			var modified int64
			if err := rows.Scan(&o.key, &o.size, &o.etag, &modified, &o.storageClass); err != nil {
				return nil, err
			}
			o.modified = time.Unix(0, modified)
			out = append(out, o)
		}
		return out, rows.Err()
	}
	page, err := walkListing(ctx, prefix, delim, max, startCursor(prefix, delim, marker), fetch,
		func(o listedObject) string { return o.key },
		func(o listedObject) listCursor { return listCursor{key: o.key} })
	if err != nil {
		return page, fmt.Errorf("list objects of %s: %w", bucket, err)
	}
	return page, nil
}

// listUploads returns a page of the multipart uploads of bucket, ordered by
// key and then by initiation time.
func (s *store) listUploads(ctx context.Context, bucket, prefix, delim, keyMarker, uploadIDMarker string, max int) (listPage[listedUpload], error) {
	fetch := func(ctx context.Context, cur listCursor, limit int) ([]listedUpload, error) {
		cond, args := keyRange(cur, prefix, true)
		rows, err := s.db.QueryContext(ctx,
			"SELECT key, id, initiated_ns, storage_class FROM uploads WHERE bucket = ? AND "+cond+" ORDER BY key, id LIMIT ?",
			append(append([]any{bucket}, args...), limit)...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []listedUpload
		for rows.Next() {
			var u listedUpload
			var initiated int64
			if err := rows.Scan(&u.key, &u.id, &initiated, &u.storageClass); err != nil {
				return nil, err
			}
			u.initiated = time.Unix(0, initiated)
			out = append(out, u)
		}
		return out, rows.Err()
	}
	start := startCursor(prefix, delim, keyMarker)
	if !start.inclusive && start.key == keyMarker {
		start.uploadID = uploadIDMarker
	}
	page, err := walkListing(ctx, prefix, delim, max, start, fetch,
		func(u listedUpload) string { return u.key },
		func(u listedUpload) listCursor { return listCursor{key: u.key, uploadID: u.id} })
	if err != nil {
		return page, fmt.Errorf("list uploads of %s: %w", bucket, err)
	}
	return page, nil
}
