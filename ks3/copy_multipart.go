package ks3

import (
	"context"
	"fmt"

	"golang.org/x/sync/errgroup"
)

// MaxCopySize is the largest object one CopyObject request may copy; larger
// objects are copied in parts with UploadPartCopy.
const MaxCopySize = MaxPartSize

// DefaultCopyPartSize is the part size Copy starts from for a multipart
// copy: parts are copied on the server, so fewer, larger parts cost less.
const DefaultCopyPartSize = 256 << 20

// ServerCopyOptions are the options of Copy.
type ServerCopyOptions struct {
	// CopyOptions are the attributes of the copy, with CopyObject's
	// meaning. For a multipart copy with directive COPY, the source's
	// attributes are read with a HEAD request first.
	CopyOptions
	// Threshold is the largest source copied with one CopyObject request:
	// 0 means MaxCopySize, and more than MaxCopySize is refused.
	Threshold int64
	// PartSize is the preferred part size of a multipart copy (see
	// PlanParts; 0 means DefaultCopyPartSize).
	PartSize int64
	// Concurrency is the number of parts copied at once (0 means
	// DefaultConcurrency).
	Concurrency int
}

// Copy copies the object srcKey of size bytes to dstKey on the server side,
// whatever its size: no byte passes through the client. Up to
// opts.Threshold it sends one CopyObject request; above, it initiates a
// multipart upload of dstKey with the copy's attributes, copies the source
// range by range with UploadPartCopy and completes the upload, aborting it
// if any step fails. For a multipart copy the result's ETag is the
// multipart ETag and LastModified is zero.
func (c *Client) Copy(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, size int64, opts ServerCopyOptions) (*CopyResult, error) {
	threshold := opts.Threshold
	if threshold == 0 {
		threshold = MaxCopySize
	}
	if threshold < 0 || threshold > MaxCopySize {
		return nil, fmt.Errorf("copy %q: threshold %d is outside 0..%d", objectName(srcBucket, srcKey), threshold, int64(MaxCopySize))
	}
	if size <= threshold {
		return c.CopyObject(ctx, srcBucket, srcKey, dstBucket, dstKey, opts.CopyOptions)
	}
	res, err := c.copyMultipart(ctx, srcBucket, srcKey, dstBucket, dstKey, size, opts)
	if err != nil {
		return nil, fmt.Errorf("copy object %q to %q in parts: %w", objectName(srcBucket, srcKey), objectName(dstBucket, dstKey), err)
	}
	return res, nil
}

// copyMultipart copies the source in parts and aborts the upload if any
// step fails.
func (c *Client) copyMultipart(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, size int64, opts ServerCopyOptions) (*CopyResult, error) {
	partSize := opts.PartSize
	if partSize == 0 {
		partSize = DefaultCopyPartSize
	}
	plan, err := PlanParts(size, partSize)
	if err != nil {
		return nil, err
	}
	init, err := c.copyAttributes(ctx, srcBucket, srcKey, opts.CopyOptions)
	if err != nil {
		return nil, err
	}
	uploadID, err := c.initiateMultipartUpload(ctx, dstBucket, dstKey, init)
	if err != nil {
		return nil, fmt.Errorf("initiate multipart upload: %w", err)
	}
	parts, err := c.copyParts(ctx, dstBucket, dstKey, uploadID, srcBucket, srcKey, plan, opts.Concurrency)
	var res *CompleteResult
	if err == nil {
		res, err = c.completeMultipartUpload(ctx, dstBucket, dstKey, uploadID, parts, CompleteOptions{})
		if err != nil {
			err = fmt.Errorf("complete multipart upload: %w", err)
		}
	}
	if err != nil {
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
		defer cancel()
		if abortErr := c.AbortMultipartUpload(actx, dstBucket, dstKey, uploadID); abortErr != nil {
			return nil, fmt.Errorf("%w (then %w)", err, abortErr)
		}
		return nil, err
	}
	return &CopyResult{ETag: res.ETag}, nil
}

// copyAttributes returns the attributes the multipart upload of a copy
// starts with: those of opts with directive REPLACE; with COPY, the
// source's content headers and metadata, and opts' storage class and ACL.
func (c *Client) copyAttributes(ctx context.Context, srcBucket, srcKey string, opts CopyOptions) (PutOptions, error) {
	if err := copyHeaders(make(map[string][]string), srcBucket, srcKey, opts); err != nil {
		return PutOptions{}, err
	}
	if opts.MetadataDirective == MetadataDirectiveReplace {
		return opts.PutOptions, nil
	}
	info, err := c.HeadObject(ctx, srcBucket, srcKey)
	if err != nil {
		return PutOptions{}, err
	}
	return PutOptions{
		ContentType:        info.ContentType,
		Metadata:           info.Metadata,
		StorageClass:       opts.StorageClass,
		ACL:                opts.ACL,
		CacheControl:       info.CacheControl,
		ContentDisposition: info.ContentDisposition,
		ContentEncoding:    info.ContentEncoding,
	}, nil
}

// copyParts copies every part of plan, concurrency at a time, and returns
// them in order.
func (c *Client) copyParts(ctx context.Context, bucket, key, uploadID, srcBucket, srcKey string, plan PartPlan, concurrency int) ([]CompletedPart, error) {
	if concurrency <= 0 {
		concurrency = DefaultConcurrency
	}
	parts := make([]CompletedPart, plan.Count)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(concurrency)
	for n := 1; n <= plan.Count && gctx.Err() == nil; n++ {
		g.Go(func() error {
			off, length := plan.Part(n)
			srcRange := fmt.Sprintf("bytes=%d-%d", off, off+length-1)
			etag, err := c.uploadPartCopy(gctx, bucket, key, uploadID, n, srcBucket, srcKey, srcRange)
			if err != nil {
				return fmt.Errorf("copy part %d (%s): %w", n, srcRange, err)
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
