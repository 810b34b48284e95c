package ks3

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Bucket describes a bucket in ListBuckets.
type Bucket struct {
	Name         string
	Region       string
	Type         string
	CreationDate time.Time
}

type xmlBucket struct {
	Name         string  `xml:"Name"`
	CreationDate xmlTime `xml:"CreationDate"`
	Region       string  `xml:"Region"`
	Type         string  `xml:"Type"`
}

type listAllMyBucketsResult struct {
	Owner   Owner       `xml:"Owner"`
	Buckets []xmlBucket `xml:"Buckets>Bucket"`
}

// ListBuckets returns the buckets of the account (GET Service).
func (c *Client) ListBuckets(ctx context.Context) ([]Bucket, error) {
	var out listAllMyBucketsResult
	r := &request{method: http.MethodGet}
	if err := c.do(ctx, r, decodeInto(&out)); err != nil {
		return nil, fmt.Errorf("list buckets: %w", err)
	}
	buckets := make([]Bucket, len(out.Buckets))
	for i, b := range out.Buckets {
		buckets[i] = Bucket{Name: b.Name, Region: b.Region, Type: b.Type, CreationDate: b.CreationDate.Time}
	}
	return buckets, nil
}

// CreateBucketOptions are the options of CreateBucket.
type CreateBucketOptions struct {
	// ACL is a canned ACL: "private", "public-read" or "public-read-write".
	ACL string
	// Location is the region, sent as the LocationConstraint (e.g.
	// "BEIJING"); "" lets the endpoint decide.
	Location string
	// Type is the bucket type sent as x-kss-bucket-type ("NORMAL", "IA",
	// "ARCHIVE", ...); "" is the service default.
	Type string
}

type createBucketConfiguration struct {
	XMLName            xml.Name `xml:"CreateBucketConfiguration"`
	LocationConstraint string   `xml:"LocationConstraint"`
}

// CreateBucket creates a bucket. Bucket names are global: an existing name
// fails with Code "BucketAlreadyExists" or "BucketAlreadyOwnedByYou".
func (c *Client) CreateBucket(ctx context.Context, bucket string, opts CreateBucketOptions) error {
	r := &request{method: http.MethodPut, bucket: bucket, header: http.Header{}, notFoundCode: "NoSuchBucket"}
	err := setRaw(r.header, headerACL, opts.ACL)
	if err == nil {
		err = setRaw(r.header, "x-kss-bucket-type", opts.Type)
	}
	if err == nil && opts.Location != "" {
		r.body, r.size, err = xmlBody(r.header, createBucketConfiguration{LocationConstraint: opts.Location})
	}
	if err == nil {
		err = c.do(ctx, r, discard)
	}
	if err != nil {
		return fmt.Errorf("create bucket %q: %w", bucket, err)
	}
	return nil
}

// DeleteBucket deletes an empty bucket; a bucket with objects fails with
// Code "BucketNotEmpty".
func (c *Client) DeleteBucket(ctx context.Context, bucket string) error {
	r := &request{method: http.MethodDelete, bucket: bucket, notFoundCode: "NoSuchBucket"}
	if err := c.do(ctx, r, discard); err != nil {
		return fmt.Errorf("delete bucket %q: %w", bucket, err)
	}
	return nil
}

// HeadBucket checks that a bucket exists and is accessible. A missing
// bucket is an *Error with Code "NoSuchBucket" (IsNotFound is true).
func (c *Client) HeadBucket(ctx context.Context, bucket string) error {
	r := &request{method: http.MethodHead, bucket: bucket, notFoundCode: "NoSuchBucket"}
	if err := c.do(ctx, r, discard); err != nil {
		return fmt.Errorf("head bucket %q: %w", bucket, err)
	}
	return nil
}

type locationConstraint struct {
	Value string `xml:",chardata"`
}

// GetBucketLocation returns the region of a bucket, such as "BEIJING".
func (c *Client) GetBucketLocation(ctx context.Context, bucket string) (string, error) {
	var out locationConstraint
	r := &request{method: http.MethodGet, bucket: bucket, query: url.Values{"location": {""}}, notFoundCode: "NoSuchBucket"}
	if err := c.do(ctx, r, decodeInto(&out)); err != nil {
		return "", fmt.Errorf("get bucket location %q: %w", bucket, err)
	}
	return strings.TrimSpace(out.Value), nil
}

// decodeInto returns a response handler that decodes the XML body into v.
func decodeInto(v any) func(*http.Response) error {
	return func(resp *http.Response) error { return decodeXMLResponse(resp, v) }
}

// discard is a response handler for operations whose answer has no content
// of interest.
func discard(resp *http.Response) error {
	_, err := io.Copy(io.Discard, io.LimitReader(resp.Body, maxXMLBody))
	resp.Body.Close()
	if err != nil {
		return &transportError{err: err}
	}
	return nil
}
