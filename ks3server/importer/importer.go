// Package importer loads an existing local folder tree into a bucket of a
// ks3server store, fast enough to seed a million objects in minutes: files
// are read by a few workers (small ones into the database, larger ones hard
// linked), and the objects are committed in large batches, one transaction
// each.
//
// Every regular file becomes the object whose key is its path relative to
// the folder, with '/' separators; its ETag is its MD5 and its content type
// comes from its extension. Symbolic links, other special files, and names
// that cannot be keys (not UTF-8, longer than 1024 bytes) are skipped and
// counted. An object already under a key is replaced.
package importer

import (
	"context"
	"fmt"
	"io/fs"
	"mime"
	"path"
	"path/filepath"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/sync/errgroup"

	"github.com/ks3sync/ks3sync/ks3server/store"
)

// Defaults of Options.
const (
	DefaultWorkers    = 4
	DefaultBatch      = 10000
	DefaultBatchBytes = 64 << 20
)

// maxKeyLength is the longest object key, in bytes of UTF-8.
const maxKeyLength = 1024

// maxSkipped bounds the skipped paths a Summary names.
const maxSkipped = 10

// Options configure an import. Zero values mean the defaults.
type Options struct {
	// Workers is how many files are read at once.
	Workers int
	// Batch is the most objects committed by one transaction.
	Batch int
	// BatchBytes bounds the bytes of small objects a batch holds in memory.
	BatchBytes int64
	// Now is the clock of the objects' modification time; nil means
	// time.Now.
	Now func() time.Time
}

// Summary is what an import did.
type Summary struct {
	// Objects and Bytes count what was stored.
	Objects, Bytes int64
	// Skipped counts the entries that are no regular file or whose name
	// cannot be a key; SkippedPaths names the first few.
	Skipped      int64
	SkippedPaths []string
}

// item is a file staged for a batch.
type item struct {
	key  string
	data *store.Staged
}

// Import loads the tree under dir into bucket, which must exist. On
// failure the batches committed before it stay; the error names the file.
func Import(ctx context.Context, st *store.Store, bucket, dir string, opts Options) (Summary, error) {
	opts = opts.withDefaults()
	var sum Summary
	g, ctx := errgroup.WithContext(ctx)
	paths := make(chan string, 256)
	items := make(chan item, 256)
	g.Go(func() error {
		defer close(paths)
		return walk(ctx, dir, paths, &sum)
	})
	var workers sync.WaitGroup
	for range opts.Workers {
		workers.Add(1)
		g.Go(func() error {
			defer workers.Done()
			return stageFiles(ctx, st, dir, paths, items)
		})
	}
	go func() {
		workers.Wait()
		close(items)
	}()
	g.Go(func() error { return commitBatches(ctx, st, bucket, items, opts, &sum) })
	err := g.Wait()
	for it := range items { // left over after a failure
		st.Discard(it.data)
	}
	if err != nil {
		return sum, fmt.Errorf("import %s into %s: %w", dir, bucket, err)
	}
	return sum, nil
}

func (o Options) withDefaults() Options {
	if o.Workers <= 0 {
		o.Workers = DefaultWorkers
	}
	if o.Batch <= 0 {
		o.Batch = DefaultBatch
	}
	if o.BatchBytes <= 0 {
		o.BatchBytes = DefaultBatchBytes
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// walk sends the path of every regular file under dir whose name can be a
// key, in lexical order, and counts the rest in sum.
func walk(ctx context.Context, dir string, paths chan<- string, sum *Summary) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() || !validKey(keyOf(dir, p)) {
			sum.skip(p)
			return nil
		}
		select {
		case paths <- p:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
}

// skip counts a skipped entry.
func (s *Summary) skip(p string) {
	s.Skipped++
	if len(s.SkippedPaths) < maxSkipped {
		s.SkippedPaths = append(s.SkippedPaths, p)
	}
}

// keyOf is the key of the file at p under dir.
func keyOf(dir, p string) string {
	rel, _ := filepath.Rel(dir, p) // p was found under dir
	return filepath.ToSlash(rel)
}

// validKey reports whether a key is UTF-8 of at most 1024 bytes.
func validKey(key string) bool {
	return key != "" && len(key) <= maxKeyLength && utf8.ValidString(key)
}

// stageFiles stages each file of paths.
func stageFiles(ctx context.Context, st *store.Store, dir string, paths <-chan string, items chan<- item) error {
	for p := range paths {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		b, err := st.StageFile(p)
		if err != nil {
			return err
		}
		select {
		case items <- item{key: keyOf(dir, p), data: b}:
		case <-ctx.Done():
			st.Discard(b)
			return ctx.Err()
		}
	}
	return nil
}

// commitBatches commits the staged files in batches.
func commitBatches(ctx context.Context, st *store.Store, bucket string, items <-chan item, opts Options, sum *Summary) error {
	var batch []item
	var inMemory int64
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		err := commit(ctx, st, bucket, batch, opts.Now(), sum)
		batch, inMemory = batch[:0], 0
		return err
	}
	for it := range items {
		batch = append(batch, it)
		if it.data.Size() <= store.InlineLimit {
			inMemory += it.data.Size()
		}
		if len(batch) >= opts.Batch || inMemory >= opts.BatchBytes {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// commit stores one batch.
func commit(ctx context.Context, st *store.Store, bucket string, batch []item, now time.Time, sum *Summary) error {
	objs := make([]store.Object, len(batch))
	data := make([]*store.Staged, len(batch))
	var bytes int64
	for i, it := range batch {
		md5 := it.data.MD5()
		objs[i] = store.Object{
			Bucket: bucket, Key: it.key, Size: it.data.Size(), ETag: fmt.Sprintf("%x", md5[:]), Modified: now,
			Attrs: store.Attrs{ContentType: contentType(it.key), StorageClass: "STANDARD", Meta: map[string]string{}},
		}
		data[i] = it.data
		bytes += it.data.Size()
	}
	if err := st.PutObjects(ctx, objs, data); err != nil {
		return err
	}
	sum.Objects += int64(len(batch))
	sum.Bytes += bytes
	return nil
}

// contentType guesses a key's content type from its extension.
func contentType(key string) string {
	if t := mime.TypeByExtension(path.Ext(key)); t != "" {
		return t
	}
	return "application/octet-stream"
}
