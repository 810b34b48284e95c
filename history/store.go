package history

import (
	"context"
	"iter"

	"github.com/ks3sync/ks3sync/ks3"
)

// Lister lists a bucket in key order. An error ends the sequence; errors
// are *ks3.Error for service errors.
type Lister interface {
	Walk(ctx context.Context, bucket string, opts ks3.ListObjectsOptions) iter.Seq2[ks3.ListItem, error]
}

// Copier copies an object on the server side, whatever its size (see
// ks3.Client.Copy). A missing source is an error for which ks3.IsNotFound
// is true.
type Copier interface {
	Copy(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, size int64, opts ks3.ServerCopyOptions) (*ks3.CopyResult, error)
}

// Deleter deletes objects in batches. The result lists the keys the service
// refused; an error means the batch may not have been applied.
type Deleter interface {
	DeleteObjects(ctx context.Context, bucket string, keys []string) (*ks3.DeleteResult, error)
}

var (
	_ Lister  = (*ks3.Client)(nil)
	_ Copier  = (*ks3.Client)(nil)
	_ Deleter = (*ks3.Client)(nil)
)
