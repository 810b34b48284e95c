package syncer

import (
	"context"
	"slices"

	"github.com/ks3sync/ks3sync/ks3"
)

// Copy copies an object within the fake store, with the source's attributes
// (directive COPY) or the given ones (REPLACE).
func (f *fakeStore) Copy(_ context.Context, _, srcKey, _, dstKey string, _ int64, opts ks3.ServerCopyOptions) (*ks3.CopyResult, error) {
	f.mu.Lock()
	before, after := f.beforeCopy, f.afterCopy
	if before != nil {
		f.mu.Unlock()
		before(dstKey)
		f.mu.Lock()
	}
	defer func() {
		if after != nil {
			after(dstKey)
		}
	}()
	defer f.mu.Unlock()
	src, ok := f.objects[srcKey]
	if !ok {
		return nil, &ks3.Error{StatusCode: 404, Code: "NoSuchKey"}
	}
	put := opts.PutOptions
	if opts.MetadataDirective != ks3.MetadataDirectiveReplace {
		put = ks3.PutOptions{Metadata: src.info.Metadata, StorageClass: src.info.StorageClass}
	}
	f.store(dstKey, slices.Clone(src.data), src.info.ETag, put)
	o := f.objects[dstKey]
	return &ks3.CopyResult{ETag: o.info.ETag, LastModified: o.info.LastModified}, nil
}
