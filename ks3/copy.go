package ks3

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Metadata directives of CopyObject.
const (
	MetadataDirectiveCopy    = "COPY"
	MetadataDirectiveReplace = "REPLACE"
)

// CopyOptions are the options of CopyObject.
type CopyOptions struct {
	// MetadataDirective is MetadataDirectiveCopy (the default: the copy
	// keeps the source's content type and metadata) or
	// MetadataDirectiveReplace (the copy gets those of PutOptions).
	MetadataDirective string
	// PutOptions set the attributes of the copy. StorageClass and ACL apply
	// with either directive; content headers and Metadata need REPLACE.
	// ContentMD5 and the callback options do not apply to a copy.
	PutOptions
}

// CopyResult is the outcome of CopyObject.
type CopyResult struct {
	ETag         string
	LastModified time.Time
}

type copyObjectResult struct {
	LastModified xmlTime `xml:"LastModified"`
	ETag         string  `xml:"ETag"`
}

// CopyObject copies an object on the server side. A 200 answer whose body
// is an <Error> document is returned as an *Error.
func (c *Client) CopyObject(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, opts CopyOptions) (*CopyResult, error) {
	res, err := c.copyObject(ctx, srcBucket, srcKey, dstBucket, dstKey, opts)
	if err != nil {
		return nil, fmt.Errorf("copy object %q to %q: %w", objectName(srcBucket, srcKey), objectName(dstBucket, dstKey), err)
	}
	return res, nil
}

func (c *Client) copyObject(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, opts CopyOptions) (*CopyResult, error) {
	r := &request{method: http.MethodPut, bucket: dstBucket, key: dstKey, header: http.Header{}, notFoundCode: "NoSuchKey"}
	if err := copyHeaders(r.header, srcBucket, srcKey, opts); err != nil {
		return nil, err
	}
	var out copyObjectResult
	if err := c.do(ctx, r, decodeInto(&out)); err != nil {
		return nil, err
	}
	return &CopyResult{ETag: trimETag(out.ETag), LastModified: out.LastModified.Time}, nil
}

// copyHeaders sets the x-kss-copy-source and directive headers and the
// attributes of the copy.
func copyHeaders(h http.Header, srcBucket, srcKey string, opts CopyOptions) error {
	directive := opts.MetadataDirective
	switch directive {
	case "":
		directive = MetadataDirectiveCopy
	case MetadataDirectiveCopy, MetadataDirectiveReplace:
	default:
		return fmt.Errorf("MetadataDirective %q is not COPY or REPLACE", directive)
	}
	switch {
	case srcBucket == "":
		return errors.New("empty source bucket")
	case opts.ContentMD5 != nil || opts.CallbackURL != "" || opts.CallbackBody != "" || len(opts.CallbackVars) > 0:
		return errors.New("ContentMD5 and callbacks do not apply to a copy")
	case directive == MetadataDirectiveCopy && opts.hasContentHeaders():
		return errors.New("content headers and Metadata need MetadataDirective REPLACE")
	}
	h["x-kss-copy-source"] = []string{"/" + srcBucket + "/" + encodeKey(srcKey)}
	h["x-kss-metadata-directive"] = []string{directive}
	return opts.setHeaders(h)
}

// UploadPartCopy sets part partNumber of a multipart upload to a range of
// another object, copied on the server side, and returns the part's ETag.
// srcRange is "bytes=first-last" (both inclusive), or "" for the whole
// source object.
func (c *Client) UploadPartCopy(ctx context.Context, bucket, key, uploadID string, partNumber int, srcBucket, srcKey, srcRange string) (string, error) {
	etag, err := c.uploadPartCopy(ctx, bucket, key, uploadID, partNumber, srcBucket, srcKey, srcRange)
	if err != nil {
		return "", fmt.Errorf("upload part %d of %q from %q: %w", partNumber, objectName(bucket, key), objectName(srcBucket, srcKey), err)
	}
	return etag, nil
}

func (c *Client) uploadPartCopy(ctx context.Context, bucket, key, uploadID string, partNumber int, srcBucket, srcKey, srcRange string) (string, error) {
	switch {
	case partNumber < 1 || partNumber > MaxParts:
		return "", fmt.Errorf("part number %d is outside 1..%d", partNumber, MaxParts)
	case uploadID == "":
		return "", errors.New("empty upload id")
	case srcBucket == "":
		return "", errors.New("empty source bucket")
	}
	r := &request{method: http.MethodPut, bucket: bucket, key: key, header: http.Header{}, notFoundCode: "NoSuchUpload",
		query: url.Values{"partNumber": {strconv.Itoa(partNumber)}, "uploadId": {uploadID}}}
	r.header["x-kss-copy-source"] = []string{"/" + srcBucket + "/" + encodeKey(srcKey)}
	if err := setRaw(r.header, "x-kss-copy-source-range", srcRange); err != nil {
		return "", err
	}
	var out copyObjectResult
	if err := c.do(ctx, r, decodeInto(&out)); err != nil {
		return "", err
	}
	return trimETag(out.ETag), nil
}
