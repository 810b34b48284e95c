package ks3

import (
	"context"
	"crypto/md5"
	"fmt"
	"io"
	"time"

	"golang.org/x/sync/errgroup"
)

// Defaults of UploadOptions.
const (
	DefaultThreshold   = 64 << 20
	DefaultConcurrency = 4
)

// abortTimeout bounds the clean-up of a failed multipart upload, which runs
// even when the caller's context is already done.
const abortTimeout = 30 * time.Second

// UploadOptions are the options of Put.
type UploadOptions struct {
	// PutOptions are the object's attributes. With multipart, ContentMD5 is
	// ignored (every part gets its own) and the callback goes with
	// CompleteMultipartUpload.
	PutOptions
	// Threshold is the largest size sent as a single PUT (0 means
	// DefaultThreshold, 64 MiB; at most 5 GiB); larger objects are
	// uploaded in parts.
	Threshold int64
	// PartSize is the preferred part size (see PlanParts; 0 means
	// DefaultPartSize).
	PartSize int64
	// Concurrency is the number of parts in flight (0 means
	// DefaultConcurrency).
	Concurrency int
}

// Put uploads size bytes of r as one object: a single PUT with Content-MD5
// (computed when opts.ContentMD5 is nil) up to opts.Threshold, a multipart
// upload with Concurrency parts in parallel above it, every part with its
// own Content-MD5. A failed multipart upload is aborted. r is read several
// times (once for the digest, once per attempt).
func (c *Client) Put(ctx context.Context, bucket, key string, r io.ReaderAt, size int64, opts UploadOptions) (*PutResult, error) {
	threshold := opts.Threshold
	if threshold == 0 {
		threshold = DefaultThreshold
	}
	if threshold < 0 || threshold > MaxPartSize {
		return nil, fmt.Errorf("put %q: threshold %d is outside 0..%d", objectName(bucket, key), threshold, int64(MaxPartSize))
	}
	if size <= threshold {
		return c.putSingle(ctx, bucket, key, r, size, opts.PutOptions)
	}
	res, err := c.putMultipart(ctx, bucket, key, r, size, opts)
	if err != nil {
		return nil, fmt.Errorf("put %q: %w", objectName(bucket, key), err)
	}
	return res, nil
}

// putSingle sends r with one PUT, computing its MD5 first if needed.
func (c *Client) putSingle(ctx context.Context, bucket, key string, r io.ReaderAt, size int64, opts PutOptions) (*PutResult, error) {
	body := io.NewSectionReader(r, 0, size)
	if opts.ContentMD5 == nil {
		sum, err := md5Of(body)
		if err != nil {
			return nil, fmt.Errorf("put object %q: %w", objectName(bucket, key), err)
		}
		opts.ContentMD5 = sum
	}
	return c.PutObject(ctx, bucket, key, body, size, opts)
}

// putMultipart uploads r in parts and aborts the upload if any step fails.
func (c *Client) putMultipart(ctx context.Context, bucket, key string, r io.ReaderAt, size int64, opts UploadOptions) (*PutResult, error) {
	plan, err := PlanParts(size, opts.PartSize)
	if err != nil {
		return nil, err
	}
	init := opts.PutOptions
	init.ContentMD5, init.CallbackURL, init.CallbackBody, init.CallbackVars = nil, "", "", nil
	uploadID, err := c.initiateMultipartUpload(ctx, bucket, key, init)
	if err != nil {
		return nil, fmt.Errorf("initiate multipart upload: %w", err)
	}
	parts, err := c.uploadParts(ctx, bucket, key, uploadID, r, plan, opts.Concurrency)
	var res *CompleteResult
	if err == nil {
		res, err = c.completeMultipartUpload(ctx, bucket, key, uploadID, parts, CompleteOptions{
			CallbackURL: opts.CallbackURL, CallbackBody: opts.CallbackBody, CallbackVars: opts.CallbackVars})
		if err != nil {
			err = fmt.Errorf("complete multipart upload: %w", err)
		}
	}
	if err != nil {
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
		defer cancel()
		if abortErr := c.AbortMultipartUpload(actx, bucket, key, uploadID); abortErr != nil {
			return nil, fmt.Errorf("%w (then %w)", err, abortErr)
		}
		return nil, err
	}
	return &PutResult{ETag: res.ETag, RequestID: res.RequestID}, nil
}

// uploadParts uploads every part of plan, concurrency at a time, and
// returns them in order.
func (c *Client) uploadParts(ctx context.Context, bucket, key, uploadID string, r io.ReaderAt, plan PartPlan, concurrency int) ([]CompletedPart, error) {
	if concurrency <= 0 {
		concurrency = DefaultConcurrency
	}
	parts := make([]CompletedPart, plan.Count)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(concurrency)
	for n := 1; n <= plan.Count && gctx.Err() == nil; n++ {
		g.Go(func() error {
			off, length := plan.Part(n)
			body := io.NewSectionReader(r, off, length)
			sum, err := md5Of(body)
			if err != nil {
				return fmt.Errorf("upload part %d: %w", n, err)
			}
			etag, err := c.uploadPart(gctx, bucket, key, uploadID, n, body, length, sum)
			if err != nil {
				return fmt.Errorf("upload part %d: %w", n, err)
			}
			parts[n-1] = CompletedPart{PartNumber: n, ETag: etag}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return parts, nil
}

// md5Of returns the MD5 of everything r holds.
func md5Of(r *io.SectionReader) ([]byte, error) {
	h := md5.New()
	if _, err := io.Copy(h, io.NewSectionReader(r, 0, r.Size())); err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	return h.Sum(nil), nil
}
