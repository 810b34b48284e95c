package history

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/objmeta"
)

// Source is an object about to be displaced, as a HEAD request saw it just
// before.
type Source struct {
	// Name is the object's key without the pair's prefix.
	Name string
	// Info is the object's HEAD: size, content headers, storage class and
	// metadata are carried to the kept version.
	Info *ks3.ObjectInfo
	// Written is when the object was written, with the precision of a
	// listing (milliseconds); zero means Info.LastModified (seconds).
	Written time.Time
}

// Keeper keeps the versions a pair displaces.
type Keeper struct {
	Copier Copier
	Area   Area
	// Host names the displacing device in version names and metadata.
	Host string
	// CopyThreshold and CopyPartSize tune the server-side copy (see
	// ks3.ServerCopyOptions); zero means the defaults.
	CopyThreshold, CopyPartSize int64
}

// Keep copies src into the history area before it is displaced by cause,
// on the server side: the kept version has the same bytes (encrypted
// objects stay encrypted, and decryptable with the pair's key), the same
// content headers and storage class, the object's metadata unchanged, an
// mtime (when it was written if the object had none, which is what a pull
// would have given the file), and the history metadata of objmeta. It is
// always private. now is the displacing device's time of displacement.
//
// Keeping the same version twice (a retry after the displacing operation
// failed) writes the same key again. When Keep fails, the caller must not
// displace the object.
func (k *Keeper) Keep(ctx context.Context, src Source, cause Cause, now time.Time) (Version, error) {
	if err := checkName(src.Name); err != nil {
		return Version{}, err
	}
	written := src.Written
	if written.IsZero() {
		written = src.Info.LastModified
	}
	v := Version{Name: src.Name, Size: src.Info.Size, Written: written, Host: HostName(k.Host), Cause: cause}
	v.Key = k.Area.Key(v)
	opts := ks3.ServerCopyOptions{
		CopyOptions: ks3.CopyOptions{
			MetadataDirective: ks3.MetadataDirectiveReplace,
			PutOptions:        keptAttributes(k.Area.Prefix+src.Name, src.Info, written, now, v),
		},
		Threshold: k.CopyThreshold,
		PartSize:  k.CopyPartSize,
	}
	res, err := k.Copier.Copy(ctx, k.Area.Bucket, k.Area.Prefix+src.Name, k.Area.Bucket, v.Key, src.Info.Size, opts)
	if err != nil {
		return Version{}, fmt.Errorf("keep version of %q in history: %w", src.Name, err)
	}
	v.ETag, v.Displaced = strings.Trim(res.ETag, `"`), res.LastModified
	if v.Displaced.IsZero() { // a copy in parts does not say
		v.Displaced = now
	}
	return v, nil
}

// keptAttributes are the attributes of the copy that keeps info's object.
func keptAttributes(key string, info *ks3.ObjectInfo, written, now time.Time, v Version) ks3.PutOptions {
	meta := maps.Clone(info.Metadata)
	if meta == nil {
		meta = map[string]string{}
	}
	if objmeta.Read(meta).MTime.IsZero() {
		maps.Copy(meta, objmeta.Attrs{MTime: written}.Metadata())
	}
	maps.Copy(meta, objmeta.HistoryAttrs{Key: key, Written: written, Displaced: now, Host: v.Host, Cause: string(v.Cause)}.Metadata())
	return ks3.PutOptions{
		ContentType:        info.ContentType,
		Metadata:           meta,
		StorageClass:       info.StorageClass,
		ACL:                "private",
		CacheControl:       info.CacheControl,
		ContentDisposition: info.ContentDisposition,
		ContentEncoding:    info.ContentEncoding,
	}
}
