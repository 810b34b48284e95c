package ks3

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// resumingBody is the body of GetObject. When reading it fails with a
// transport failure (a reset, an early end, a stall), it asks for the rest
// with a ranged GET of the same object version (If-Match its ETag, and
// checked against the answer's), as the client's retry policy allows, so
// the caller reads one uninterrupted stream. A body without an ETag is not
// resumed.
type resumingBody struct {
	c *Client
	// ctx is GetObject's: like net/http's, the body's reads belong to the
	// request that opened it.
	ctx  context.Context
	req  request // the GET, sent again with a Range for the rest
	etag string
	next int64 // offset in the object of the next byte to read
	last int64 // offset of the last byte to read, -1 when unknown
	body io.ReadCloser
	// failed counts the failures since a byte last arrived; nil when none.
	failed *retries
}

// newResumingBody wraps the body of obj, the answer to r.
func (c *Client) newResumingBody(ctx context.Context, r *request, obj *Object) io.ReadCloser {
	if obj.ETag == "" {
		return obj.Body
	}
	first, last, ok := contentRangeBounds(obj.ContentRange)
	switch {
	case ok:
	case obj.ContentLength >= 0:
		first, last = 0, obj.ContentLength-1
	default:
		first, last = 0, -1
	}
	return &resumingBody{c: c, ctx: ctx, req: *r, etag: obj.ETag, next: first, last: last, body: obj.Body}
}

// Read implements io.Reader.
func (b *resumingBody) Read(p []byte) (int, error) {
	for {
		n, err := b.body.Read(p)
		b.next += int64(n)
		if n > 0 {
			b.failed = nil
		}
		if err == io.EOF && b.last >= 0 && b.next <= b.last {
			err = &transportError{err: fmt.Errorf("body ended at byte %d of %d: %w", b.next, b.last+1, io.ErrUnexpectedEOF)}
		}
		if err == nil || err == io.EOF || !IsRetryable(err) || b.ctx.Err() != nil {
			return n, err
		}
		if rerr := b.resume(err); rerr != nil {
			return n, rerr
		}
		if n > 0 {
			return n, nil
		}
	}
}

// Close implements io.Closer.
func (b *resumingBody) Close() error { return b.body.Close() }

// resume replaces the failed body with the answer to a ranged GET of the
// rest, after the backoff the retry policy asks for. It returns cause when
// the policy gives up.
func (b *resumingBody) resume(cause error) error {
	b.c.breaker.observe(false, cause)
	if b.failed == nil {
		b.failed = b.c.newRetries()
	}
	delay, again := b.failed.next(cause)
	if !again {
		return cause
	}
	if err := b.c.sleep(b.ctx, delay); err != nil {
		return err
	}
	b.body.Close()
	b.body = io.NopCloser(strings.NewReader("")) // until the new one is in
	r := b.req
	r.header = b.req.header.Clone()
	last := ""
	if b.last >= 0 {
		last = strconv.FormatInt(b.last, 10)
	}
	r.header.Set("Range", "bytes="+strconv.FormatInt(b.next, 10)+"-"+last)
	r.header.Set("If-Match", `"`+b.etag+`"`)
	obj, err := b.c.getObject(b.ctx, &r)
	if err != nil {
		return fmt.Errorf("resume reading at byte %d after %v: %w", b.next, cause, err)
	}
	if err := b.check(obj); err != nil {
		obj.Body.Close()
		return err
	}
	b.body = obj.Body
	return nil
}

// check makes sure that a resumed answer continues the same object where
// the body stopped.
func (b *resumingBody) check(obj *Object) error {
	if obj.ETag != b.etag {
		return fmt.Errorf("resume reading at byte %d: the object changed (ETag %s, was %s)", b.next, obj.ETag, b.etag)
	}
	if first, _, ok := contentRangeBounds(obj.ContentRange); !ok || first != b.next {
		return fmt.Errorf("resume reading at byte %d: the server answered range %q", b.next, obj.ContentRange)
	}
	return nil
}

// contentRangeBounds returns the first and last byte offsets of a
// Content-Range such as "bytes 0-99/1234".
func contentRangeBounds(cr string) (first, last int64, ok bool) {
	rest, found := strings.CutPrefix(cr, "bytes ")
	span, _, found2 := strings.Cut(rest, "/")
	a, z, found3 := strings.Cut(span, "-")
	if !found || !found2 || !found3 {
		return 0, 0, false
	}
	first, err1 := strconv.ParseInt(a, 10, 64)
	last, err2 := strconv.ParseInt(z, 10, 64)
	if err1 != nil || err2 != nil || first < 0 || last < first {
		return 0, 0, false
	}
	return first, last, true
}

// getObject sends the GET r and returns the object with its body as it
// arrives.
func (c *Client) getObject(ctx context.Context, r *request) (*Object, error) {
	var obj *Object
	err := c.do(ctx, r, func(resp *http.Response) error {
		info, err := objectInfoFromHeader(r.key, resp)
		if err != nil {
			drainClose(resp.Body)
			return err
		}
		obj = &Object{ObjectInfo: *info, Body: resp.Body, ContentLength: resp.ContentLength,
			ContentRange: resp.Header.Get("Content-Range")}
		return nil
	})
	return obj, err
}
