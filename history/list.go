package history

import (
	"context"
	"fmt"
	"iter"
	"strings"

	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/planner"
)

// ListOptions select what List yields.
type ListOptions struct {
	// Under restricts the listing to the name Under and the names below it
	// (a file, or a folder with everything in it); "" lists every name.
	Under string
	// After skips the keys up to and including After (a listing marker).
	After string
	// Foreign, when set, is told the keys in the history area that do not
	// follow its layout. They are never yielded, so never read or deleted.
	Foreign func(key string)
}

// List yields the versions kept in a's history area in key order: name by
// name, and the versions of one name in time order (the versions of a name
// may be interleaved with those of names below it, as in "a" and "a/b").
func List(ctx context.Context, l Lister, a Area, opts ListOptions) iter.Seq2[Version, error] {
	prefix := a.Root()
	if opts.Under != "" {
		prefix += strings.TrimSuffix(opts.Under, "/") + "/"
	}
	return func(yield func(Version, error) bool) {
		for item, err := range l.Walk(ctx, a.Bucket, ks3.ListObjectsOptions{Prefix: prefix, Marker: opts.After}) {
			if err != nil {
				yield(Version{}, fmt.Errorf("list history of ks3://%s/%s: %w", a.Bucket, a.Prefix, err))
				return
			}
			o := item.Object
			v, ok := a.Parse(o.Key, o.Size, o.ETag, o.LastModified)
			if !ok {
				if opts.Foreign != nil {
					opts.Foreign(o.Key)
				}
				continue
			}
			if !yield(v, nil) {
				return
			}
		}
	}
}

// Current yields the pair's objects now, under the name under ("" for all)
// and outside the reserved folder, as versions in key order. Folder
// markers (empty objects whose key ends in "/") are left out.
func Current(ctx context.Context, l Lister, a Area, under string) iter.Seq2[Version, error] {
	return func(yield func(Version, error) bool) {
		reserved := planner.ReservedPrefix(a.Prefix)
		ranges := []ks3.ListObjectsOptions{{Prefix: a.Prefix + under}}
		if under == "" {
			// The reserved folder is skipped with a second listing that
			// starts after every key in it.
			ranges = append(ranges, ks3.ListObjectsOptions{Prefix: a.Prefix, Marker: reserved + "\U0010FFFF"})
		}
		for _, opts := range ranges {
			for item, err := range l.Walk(ctx, a.Bucket, opts) {
				if err != nil {
					yield(Version{}, fmt.Errorf("list ks3://%s/%s: %w", a.Bucket, opts.Prefix, err))
					return
				}
				o := item.Object
				if strings.HasPrefix(o.Key, reserved) {
					break // the first range ends where the reserved folder starts
				}
				name := o.Key[len(a.Prefix):]
				if strings.HasSuffix(name, "/") || !within(name, under) {
					continue
				}
				v := Version{Name: name, Key: o.Key, Size: o.Size, ETag: o.ETag, Written: o.LastModified}
				if !yield(v, nil) {
					return
				}
			}
		}
	}
}

// within reports whether name is under, or below the folder under; every
// name is within "".
func within(name, under string) bool {
	under = strings.TrimSuffix(under, "/")
	return under == "" || name == under || strings.HasPrefix(name, under+"/")
}
