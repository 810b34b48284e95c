package harness

import (
	"context"
	"fmt"
	"strings"

	"github.com/ks3sync/ks3sync/ks3"
)

// NewClient returns a KS3 client for the benchmark server, signing the way
// ks3sync does against it.
func NewClient(env Env) (*ks3.Client, error) {
	c, err := ks3.New(ks3.Options{
		Endpoint:   env.Endpoint,
		Addressing: ks3.AddressingPath,
		AccessKey:  env.Cred.AccessKey,
		SecretKey:  env.Cred.SecretKey,
		Signature:  env.Signature,
	})
	if err != nil {
		return nil, fmt.Errorf("new client: %w", err)
	}
	return c, nil
}

// EnsureBucket creates bucket unless it exists.
func EnsureBucket(ctx context.Context, c *ks3.Client, bucket string) error {
	if err := c.HeadBucket(ctx, bucket); err == nil {
		return nil
	}
	if err := c.CreateBucket(ctx, bucket, ks3.CreateBucketOptions{}); err != nil {
		return fmt.Errorf("create bucket %q: %w", bucket, err)
	}
	return nil
}

// CountPrefix returns the number of objects under prefix.
func CountPrefix(ctx context.Context, c *ks3.Client, bucket, prefix string) (int, error) {
	return countObjects(ctx, c, bucket, prefix, "")
}

// CountData returns the number of objects under prefix outside
// prefix.ks3sync/, where ks3sync keeps its change journal (one object per
// pass that writes) and version history: the copies of the files.
func CountData(ctx context.Context, c *ks3.Client, bucket, prefix string) (int, error) {
	return countObjects(ctx, c, bucket, prefix, prefix+".ks3sync/")
}

// countObjects counts the objects under prefix, leaving out those under
// skip unless it is "".
func countObjects(ctx context.Context, c *ks3.Client, bucket, prefix, skip string) (int, error) {
	n := 0
	for item, err := range c.Walk(ctx, bucket, ks3.ListObjectsOptions{Prefix: prefix}) {
		if err != nil {
			return n, fmt.Errorf("count %s/%s: %w", bucket, prefix, err)
		}
		if item.Prefix == "" && (skip == "" || !strings.HasPrefix(item.Object.Key, skip)) {
			n++
		}
	}
	return n, nil
}

// DeletePrefix deletes every object under prefix, 1000 keys per request.
func DeletePrefix(ctx context.Context, c *ks3.Client, bucket, prefix string) error {
	var keys []string
	flush := func() error {
		if len(keys) == 0 {
			return nil
		}
		res, err := c.DeleteObjects(ctx, bucket, keys)
		if err != nil {
			return fmt.Errorf("delete %s/%s: %w", bucket, prefix, err)
		}
		if len(res.Errors) > 0 {
			return fmt.Errorf("delete %s/%s: %d keys failed, first %+v", bucket, prefix, len(res.Errors), res.Errors[0])
		}
		keys = keys[:0]
		return nil
	}
	for item, err := range c.Walk(ctx, bucket, ks3.ListObjectsOptions{Prefix: prefix}) {
		if err != nil {
			return fmt.Errorf("delete %s/%s: %w", bucket, prefix, err)
		}
		if item.Prefix != "" {
			continue
		}
		keys = append(keys, item.Object.Key)
		if len(keys) == 1000 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}
