package ks3

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// InitiateMultipartUpload starts a multipart upload and returns its upload
// id. opts.ContentMD5 and the callback options do not apply here (the
// callback goes with CompleteMultipartUpload).
func (c *Client) InitiateMultipartUpload(ctx context.Context, bucket, key string, opts PutOptions) (string, error) {
	id, err := c.initiateMultipartUpload(ctx, bucket, key, opts)
	if err != nil {
		return "", fmt.Errorf("initiate multipart upload %q: %w", objectName(bucket, key), err)
	}
	return id, nil
}

type initiateResult struct {
	Bucket   string `xml:"Bucket"`
	Key      string `xml:"Key"`
	UploadID string `xml:"UploadId"`
}

func (c *Client) initiateMultipartUpload(ctx context.Context, bucket, key string, opts PutOptions) (string, error) {
	if opts.ContentMD5 != nil || opts.CallbackURL != "" || opts.CallbackBody != "" || len(opts.CallbackVars) > 0 {
		return "", errors.New("ContentMD5 and callbacks do not apply to initiate")
	}
	r := &request{method: http.MethodPost, bucket: bucket, key: key, query: url.Values{"uploads": {""}},
		header: http.Header{}, notFoundCode: "NoSuchBucket"}
	if err := opts.setHeaders(r.header); err != nil {
		return "", err
	}
	var out initiateResult
	if err := c.do(ctx, r, decodeInto(&out)); err != nil {
		return "", err
	}
	if out.UploadID == "" {
		return "", errors.New("response has no UploadId")
	}
	return out.UploadID, nil
}

// UploadPart uploads part partNumber (1..10000) of a multipart upload and
// returns its ETag (without quotes). body is rewound with Seek(0,
// io.SeekStart) before every attempt; md5 is the raw 16-byte MD5 of the
// part, or nil.
func (c *Client) UploadPart(ctx context.Context, bucket, key, uploadID string, partNumber int, body io.ReadSeeker, size int64, md5 []byte) (string, error) {
	etag, err := c.uploadPart(ctx, bucket, key, uploadID, partNumber, body, size, md5)
	if err != nil {
		return "", fmt.Errorf("upload part %d of %q: %w", partNumber, objectName(bucket, key), err)
	}
	return etag, nil
}

func (c *Client) uploadPart(ctx context.Context, bucket, key, uploadID string, partNumber int, body io.ReadSeeker, size int64, md5 []byte) (string, error) {
	switch {
	case partNumber < 1 || partNumber > MaxParts:
		return "", fmt.Errorf("part number %d is outside 1..%d", partNumber, MaxParts)
	case uploadID == "":
		return "", errors.New("empty upload id")
	case size < 0 || size > MaxPartSize:
		return "", fmt.Errorf("part size %d is outside 0..%d", size, int64(MaxPartSize))
	case body == nil && size > 0:
		return "", fmt.Errorf("nil body with size %d", size)
	case md5 != nil && len(md5) != 16:
		return "", fmt.Errorf("md5 has %d bytes, want 16", len(md5))
	}
	r := &request{method: http.MethodPut, bucket: bucket, key: key, header: http.Header{}, body: body, size: size,
		query: url.Values{"partNumber": {strconv.Itoa(partNumber)}, "uploadId": {uploadID}}, notFoundCode: "NoSuchUpload"}
	if md5 != nil {
		r.header.Set("Content-MD5", base64.StdEncoding.EncodeToString(md5))
	}
	var etag string
	err := c.do(ctx, r, func(resp *http.Response) error {
		drainClose(resp.Body)
		etag = trimETag(resp.Header.Get("ETag"))
		return nil
	})
	return etag, err
}

// CompletedPart names an uploaded part for CompleteMultipartUpload.
type CompletedPart struct {
	PartNumber int
	ETag       string // with or without quotes
}

// CompleteOptions are the options of CompleteMultipartUpload: an upload
// callback, as in PutOptions.
type CompleteOptions struct {
	CallbackURL, CallbackBody string
	CallbackVars              map[string]string
}

// CompleteResult is the outcome of CompleteMultipartUpload.
type CompleteResult struct {
	Location, Bucket, Key string
	ETag                  string // without quotes
	RequestID             string
}

// completeBody renders the part list. encoding/xml would escape the
// quotes around each ETag as "&#34;"; KS3 clients send them literally.
func completeBody(parts []CompletedPart) []byte {
	var b bytes.Buffer
	b.WriteString("<CompleteMultipartUpload>")
	for _, p := range parts {
		fmt.Fprintf(&b, "<Part><PartNumber>%d</PartNumber><ETag>\"", p.PartNumber)
		_ = xml.EscapeText(&b, []byte(trimETag(p.ETag))) // a bytes.Buffer does not fail
		b.WriteString("\"</ETag></Part>")
	}
	b.WriteString("</CompleteMultipartUpload>")
	return b.Bytes()
}

type completeResultXML struct {
	Location string `xml:"Location"`
	Bucket   string `xml:"Bucket"`
	Key      string `xml:"Key"`
	ETag     string `xml:"ETag"`
}

// CompleteMultipartUpload assembles the parts, which must be ascending and
// contiguous, into the object. A 200 answer whose body is an <Error>
// document is returned as an *Error.
func (c *Client) CompleteMultipartUpload(ctx context.Context, bucket, key, uploadID string, parts []CompletedPart, opts CompleteOptions) (*CompleteResult, error) {
	res, err := c.completeMultipartUpload(ctx, bucket, key, uploadID, parts, opts)
	if err != nil {
		return nil, fmt.Errorf("complete multipart upload %q: %w", objectName(bucket, key), err)
	}
	return res, nil
}

func (c *Client) completeMultipartUpload(ctx context.Context, bucket, key, uploadID string, parts []CompletedPart, opts CompleteOptions) (*CompleteResult, error) {
	if uploadID == "" {
		return nil, errors.New("empty upload id")
	}
	r := &request{method: http.MethodPost, bucket: bucket, key: key, query: url.Values{"uploadId": {uploadID}},
		header: http.Header{}, notFoundCode: "NoSuchUpload"}
	if err := setCallbackHeaders(r.header, opts.CallbackURL, opts.CallbackBody, opts.CallbackVars); err != nil {
		return nil, err
	}
	r.body, r.size = rawXMLBody(r.header, completeBody(parts))
	var out completeResultXML
	var requestID string
	err := c.do(ctx, r, func(resp *http.Response) error {
		requestID = resp.Header.Get(headerRequestID)
		return decodeXMLResponse(resp, &out)
	})
	if err != nil {
		return nil, err
	}
	return &CompleteResult{Location: out.Location, Bucket: out.Bucket, Key: out.Key, ETag: trimETag(out.ETag),
		RequestID: requestID}, nil
}

// AbortMultipartUpload abandons a multipart upload and frees its parts.
func (c *Client) AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error {
	if uploadID == "" {
		return fmt.Errorf("abort multipart upload %q: empty upload id", objectName(bucket, key))
	}
	r := &request{method: http.MethodDelete, bucket: bucket, key: key, query: url.Values{"uploadId": {uploadID}},
		notFoundCode: "NoSuchUpload"}
	if err := c.do(ctx, r, discard); err != nil {
		return fmt.Errorf("abort multipart upload %q: %w", objectName(bucket, key), err)
	}
	return nil
}
