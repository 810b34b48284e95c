package tool

import (
	"context"

	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/objmeta"
)

// copyObject copies src to dst on the server. The copy keeps the source's
// metadata and content type (directive COPY) unless --meta or
// --content-type is given, or src and dst are the same object; then the
// attributes are replaced (directive REPLACE): --meta replaces the user
// metadata, but the SDK encryption metadata and ks3sync's mtime and md5 are
// carried over, so that the copy stays readable and comparable.
func (t *copier) copyObject(ctx context.Context, src, dst ks3URI) error {
	opts := ks3.CopyOptions{PutOptions: ks3.PutOptions{StorageClass: t.put.StorageClass, ACL: t.put.ACL}}
	if t.userMeta != nil || t.put.ContentType != "" || src == dst {
		info, err := t.cl.HeadObject(ctx, src.Bucket, src.Key)
		if err != nil {
			return headError(ctx, t.cl, src, err)
		}
		opts.MetadataDirective = ks3.MetadataDirectiveReplace
		opts.Metadata = replacedMeta(info.Metadata, t.userMeta)
		opts.ContentType = info.ContentType
		if t.put.ContentType != "" {
			opts.ContentType = t.put.ContentType
		}
		opts.CacheControl, opts.ContentDisposition, opts.ContentEncoding =
			info.CacheControl, info.ContentDisposition, info.ContentEncoding
	}
	_, err := t.cl.CopyObject(ctx, src.Bucket, src.Key, dst.Bucket, dst.Key, opts)
	return err
}

// replacedMeta is the metadata of a copy with directive REPLACE: the
// source's, or when user metadata is given, that plus the source's entries
// that ks3sync and the encryption format own.
func replacedMeta(source, user map[string]string) map[string]string {
	if user == nil {
		return mergeMeta(source)
	}
	kept := map[string]string{}
	for name, v := range source {
		if objmeta.IsReserved(name) {
			kept[name] = v
		}
	}
	return mergeMeta(kept, user)
}
