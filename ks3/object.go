package ks3

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Owner is the owner of a bucket or object.
type Owner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

// ObjectInfo describes an object, from HEAD/GET response headers or from a
// listing (which fills Key, Size, ETag, LastModified, StorageClass and
// Owner only).
type ObjectInfo struct {
	Key string
	// Size is the size of the whole object, also for a range GET.
	Size int64
	// ETag has no surrounding quotes. For a single PUT it is the hex MD5 of
	// the stored bytes; for a multipart object it is not an MD5.
	ETag         string
	LastModified time.Time
	// StorageClass is "STANDARD" when the service does not name one.
	StorageClass string
	ContentType  string
	// Metadata is the user metadata: lower-case names without the
	// "x-kss-meta-" (or, from S3 services, "x-amz-meta-") prefix.
	Metadata           map[string]string
	Owner              Owner
	CacheControl       string
	ContentDisposition string
	ContentEncoding    string
	// CRC64ECMA is the decimal CRC-64/ECMA of the object as sent by the
	// service in x-kss-checksum-crc64ecma, or "" when absent.
	CRC64ECMA string
}

// HeadObject returns the attributes of an object. A missing object is an
// *Error with Code "NoSuchKey" and StatusCode 404 (IsNotFound is true).
func (c *Client) HeadObject(ctx context.Context, bucket, key string) (*ObjectInfo, error) {
	r := &request{method: http.MethodHead, bucket: bucket, key: key, notFoundCode: "NoSuchKey"}
	var info *ObjectInfo
	err := c.do(ctx, r, func(resp *http.Response) error {
		defer drainClose(resp.Body)
		var err error
		info, err = objectInfoFromHeader(key, resp)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("head object %q: %w", objectName(bucket, key), err)
	}
	return info, nil
}

// GetOptions are the options of GetObject.
type GetOptions struct {
	// Range is an HTTP byte range such as "bytes=0-99" or "bytes=-32".
	Range string
	// ResponseHeaders override response headers, e.g.
	// {"response-content-type": "text/plain"}. They are signed.
	ResponseHeaders map[string]string
}

// Object is an object being read. The caller must close Body.
type Object struct {
	ObjectInfo
	Body io.ReadCloser
	// ContentRange is the Content-Range of a range GET
	// ("bytes 0-99/1234"), "" otherwise.
	ContentRange string
	// ContentLength is the number of bytes in Body.
	ContentLength int64
}

// GetObject reads an object. The body is streamed, not buffered. A read of
// the body that fails with a transport failure, or makes no progress for
// the Stall timeout, is resumed where it stopped with a ranged GET of the
// same version of the object (checked against its ETag), as the retry
// policy allows; an object that changed meanwhile fails the read.
func (c *Client) GetObject(ctx context.Context, bucket, key string, opts GetOptions) (*Object, error) {
	r := &request{method: http.MethodGet, bucket: bucket, key: key, notFoundCode: "NoSuchKey", header: http.Header{}}
	if err := setRaw(r.header, "Range", opts.Range); err != nil {
		return nil, fmt.Errorf("get object %q: %w", objectName(bucket, key), err)
	}
	if len(opts.ResponseHeaders) > 0 {
		r.query = url.Values{}
		for name, v := range opts.ResponseHeaders {
			if !strings.HasPrefix(name, "response-") {
				return nil, fmt.Errorf("get object %q: response header override %q does not start with \"response-\"", objectName(bucket, key), name)
			}
			r.query.Set(name, v)
		}
	}
	obj, err := c.getObject(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("get object %q: %w", objectName(bucket, key), err)
	}
	obj.Body = c.newResumingBody(ctx, r, obj)
	return obj, nil
}

// PutResult is the outcome of an upload.
type PutResult struct {
	ETag      string // without quotes
	RequestID string
}

// PutObject uploads size bytes of body as one object. body must be
// replayable: it is rewound with Seek(0, io.SeekStart) before every attempt,
// so a retried request sends identical bytes. The single-PUT limit is 5 GiB;
// use Put for larger objects.
func (c *Client) PutObject(ctx context.Context, bucket, key string, body io.ReadSeeker, size int64, opts PutOptions) (*PutResult, error) {
	res, err := c.putObject(ctx, bucket, key, body, size, opts)
	if err != nil {
		return nil, fmt.Errorf("put object %q: %w", objectName(bucket, key), err)
	}
	return res, nil
}

func (c *Client) putObject(ctx context.Context, bucket, key string, body io.ReadSeeker, size int64, opts PutOptions) (*PutResult, error) {
	if size < 0 {
		return nil, fmt.Errorf("negative size %d", size)
	}
	if body == nil && size > 0 {
		return nil, fmt.Errorf("nil body with size %d", size)
	}
	r := &request{method: http.MethodPut, bucket: bucket, key: key, header: http.Header{}, body: body, size: size}
	if err := opts.setHeaders(r.header); err != nil {
		return nil, err
	}
	var res PutResult
	err := c.do(ctx, r, func(resp *http.Response) error {
		drainClose(resp.Body)
		res = PutResult{ETag: trimETag(resp.Header.Get("ETag")), RequestID: resp.Header.Get(headerRequestID)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &res, nil
}

// objectInfoFromHeader reads the object attributes from a HEAD or GET
// response.
func objectInfoFromHeader(key string, resp *http.Response) (*ObjectInfo, error) {
	h := resp.Header
	info := &ObjectInfo{
		Key:                key,
		Size:               resp.ContentLength,
		ETag:               trimETag(h.Get("ETag")),
		StorageClass:       h.Get(headerStorageClass),
		ContentType:        h.Get("Content-Type"),
		CacheControl:       h.Get("Cache-Control"),
		ContentDisposition: h.Get("Content-Disposition"),
		ContentEncoding:    h.Get("Content-Encoding"),
		CRC64ECMA:          h.Get(headerCRC64),
		Metadata:           map[string]string{},
	}
	if info.StorageClass == "" {
		info.StorageClass = h.Get(amzStorageClass)
	}
	if info.StorageClass == "" {
		info.StorageClass = storageClassDefault
	}
	if total, ok := contentRangeTotal(h.Get("Content-Range")); ok {
		info.Size = total
	} else if info.Size < 0 {
		n, err := strconv.ParseInt(h.Get("Content-Length"), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("response has no valid Content-Length")
		}
		info.Size = n
	}
	if lm := h.Get("Last-Modified"); lm != "" {
		t, err := http.ParseTime(lm)
		if err != nil {
			return nil, fmt.Errorf("parse Last-Modified %q: %w", lm, err)
		}
		info.LastModified = t
	}
	for name, vals := range h {
		lower := strings.ToLower(name)
		if len(vals) == 0 {
			continue
		}
		if meta, ok := strings.CutPrefix(lower, metaPrefix); ok {
			info.Metadata[meta] = vals[0]
		} else if meta, ok := strings.CutPrefix(lower, amzMetaPrefix); ok {
			if _, both := info.Metadata[meta]; !both {
				info.Metadata[meta] = vals[0]
			}
		}
	}
	return info, nil
}

// contentRangeTotal returns the complete length from a Content-Range such
// as "bytes 0-99/1234".
func contentRangeTotal(cr string) (int64, bool) {
	i := strings.LastIndexByte(cr, '/')
	if i < 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(cr[i+1:], 10, 64)
	return n, err == nil
}

// objectName names an object in errors as "ks3://bucket/key".
func objectName(bucket, key string) string {
	return "ks3://" + bucket + "/" + key
}
