package syncer

import (
	"cmp"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/localfs"
	"github.com/ks3sync/ks3sync/objmeta"
	"github.com/ks3sync/ks3sync/planner"
)

// Kinds of Difference, as Check reports them.
const (
	// DiffMissingRemote: a local file has no object.
	DiffMissingRemote = "missing-in-bucket"
	// DiffMissingLocal: an object has no local file.
	DiffMissingLocal = "missing-locally"
	// DiffSize: the object's plaintext size is not the file's.
	DiffSize = "size-differs"
	// DiffContent: the MD5 the object records (or, with Download, of its
	// bytes) is not the file's.
	DiffContent = "content-differs"
	// DiffCorrupt: the object's bytes do not match the MD5 it records, or
	// do not decrypt (found only with Download).
	DiffCorrupt = "corrupt"
	// DiffUnverifiable: the object records no MD5 to compare (a multipart
	// or encrypted object written by another tool); Download reads it.
	DiffUnverifiable = "unverifiable"
	// DiffUnreadable: a file or object could not be read.
	DiffUnreadable = "unreadable"
	// DiffBadKey: an object's key cannot be a local file name.
	DiffBadKey = "bad-key"
)

// Difference is one way the folder and the bucket disagree.
type Difference struct {
	Kind   string `json:"difference"`
	Path   string `json:"path,omitempty"`
	Key    string `json:"key,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// CheckOptions configure Check.
type CheckOptions struct {
	// Download reads every object back (decrypting it) and compares its
	// bytes with the MD5 it records and with the file.
	Download bool
}

// CheckResult is what Check found.
type CheckResult struct {
	Files   int // local files compared
	Objects int // objects compared
	// Differences are sorted by path.
	Differences []Difference
}

// Check compares the pair's folder with its bucket prefix without changing
// either, and without the state store: every local file is hashed, and
// compared with the plaintext MD5 and size the object records (the ETag of
// a plain single-PUT object, or its metadata; a HEAD where the listing
// cannot tell). With opts.Download every object is also read back and its
// bytes checked against the MD5 it records. The pair's filters apply; its
// direction does not.
func (s *Syncer) Check(ctx context.Context, opts CheckOptions) (*CheckResult, error) {
	s.nameRules()
	scan, err := localfs.Scan(ctx, s.opts.Root, localfs.ScanOptions{Match: s.match, FollowLinks: s.opts.FollowSymlinks, Logger: s.log})
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", s.opts.Root, err)
	}
	if scan.RootMissing {
		return nil, fmt.Errorf("%s: %w", s.opts.Root, ErrLocalRootMissing)
	}
	remote, err := s.listTree(ctx, s.opts.Prefix)
	if err != nil {
		return nil, err
	}
	remote = slices.DeleteFunc(remote, func(r planner.RemoteEntry) bool { return isTempName(r.Key) })
	c := &checker{s: s, download: opts.Download, res: &CheckResult{Files: len(scan.Entries)}}
	for _, e := range scan.Errors {
		c.report(Difference{Kind: DiffUnreadable, Path: e.Path, Detail: e.Err.Error()})
	}
	items := c.pairUp(scan.Entries, remote)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(2, s.opts.Transfers))
	for _, it := range items {
		g.Go(func() error {
			c.compare(gctx, it)
			return nil
		})
	}
	g.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(c.res.Differences, func(a, b Difference) int {
		return cmp.Or(strings.Compare(a.Path, b.Path), strings.Compare(a.Key, b.Key), strings.Compare(a.Kind, b.Kind))
	})
	return c.res, nil
}

// checker is one Check call.
type checker struct {
	s        *Syncer
	download bool
	mu       sync.Mutex
	res      *CheckResult
}

// checkItem is one path with its entry on each side (nil when absent).
type checkItem struct {
	path   string
	local  *planner.LocalEntry
	remote *planner.RemoteEntry
}

func (c *checker) report(d Difference) {
	c.mu.Lock()
	c.res.Differences = append(c.res.Differences, d)
	c.mu.Unlock()
}

// pairUp matches local files and objects by path; objects that map to no
// path the pair syncs are reported or left out.
func (c *checker) pairUp(local []planner.LocalEntry, remote []planner.RemoteEntry) []checkItem {
	byPath := make(map[string]*checkItem, len(local)+len(remote))
	var items []*checkItem
	for i := range local {
		it := &checkItem{path: local[i].Path, local: &local[i]}
		byPath[it.path], items = it, append(items, it)
	}
	for i := range remote {
		r := &remote[i]
		path, err := c.s.pathFor(r.Key)
		switch {
		case err != nil:
			c.report(Difference{Kind: DiffBadKey, Key: r.Key, Detail: err.Error()})
			continue
		case !c.s.match(path, false):
			continue
		}
		c.res.Objects++
		it, ok := byPath[path]
		switch {
		case !ok:
			it = &checkItem{path: path}
			byPath[path], items = it, append(items, it)
		case it.remote != nil:
			c.report(Difference{Kind: DiffBadKey, Path: path, Key: r.Key, Detail: fmt.Sprintf("maps to the same file as %q", it.remote.Key)})
			continue
		}
		it.remote = r
	}
	out := make([]checkItem, len(items))
	for i, it := range items {
		out[i] = *it
	}
	return out
}

// compare checks one path.
func (c *checker) compare(ctx context.Context, it checkItem) {
	d := Difference{Path: it.path}
	if it.remote != nil {
		d.Key = it.remote.Key
	}
	switch {
	case it.remote == nil:
		d.Kind, d.Detail = DiffMissingRemote, "the file has no object"
	case it.local == nil:
		d.Kind, d.Detail = DiffMissingLocal, "the object has no file"
	default:
		d.Kind, d.Detail = c.compareContent(ctx, it)
	}
	if d.Kind != "" {
		c.report(d)
	}
}

// compareContent compares a file with its object; "" means they match.
func (c *checker) compareContent(ctx context.Context, it checkItem) (kind, detail string) {
	sum, err := c.s.hashLocal(it.path)
	if err != nil {
		return DiffUnreadable, err.Error()
	}
	if c.download {
		return c.compareBytes(ctx, it, sum)
	}
	f, err := c.recorded(ctx, it.remote)
	switch {
	case err != nil:
		return DiffUnreadable, err.Error()
	case f.size >= 0 && f.size != it.local.Size:
		return DiffSize, fmt.Sprintf("file %d bytes, object %d bytes", it.local.Size, f.size)
	case f.md5 == "" && f.keyed != "" && c.s.opts.Key != nil:
		if !objmeta.NewIdentity(*c.s.opts.Key).Matches(sum, f.keyed) {
			return DiffContent, fmt.Sprintf("file MD5 %s does not match the object's md5-sealed", sum)
		}
	case f.md5 == "":
		return DiffUnverifiable, "the object records no MD5; use --download to compare its bytes"
	case !strings.EqualFold(f.md5, sum):
		return DiffContent, fmt.Sprintf("file MD5 %s, object MD5 %s", sum, f.md5)
	}
	return "", ""
}

// objectFacts are what an object records about its plaintext.
type objectFacts struct {
	size  int64  // -1 when unknown
	md5   string // "" when unknown
	keyed string // md5-sealed, "" when not recorded
}

// recorded returns the plaintext size and MD5 an object records: from the
// listing for a plain single-PUT object, else from a HEAD.
func (c *checker) recorded(ctx context.Context, r *planner.RemoteEntry) (objectFacts, error) {
	if !r.Encrypted && r.MD5 != "" {
		return objectFacts{size: r.Size, md5: r.MD5}, nil
	}
	info, err := c.s.store.HeadObject(ctx, c.s.opts.Bucket, r.Key)
	if err != nil {
		return objectFacts{}, fmt.Errorf("head ks3://%s/%s: %w", c.s.opts.Bucket, r.Key, err)
	}
	e := planner.RemoteEntry{Key: r.Key}
	if err := applyHead(&e, info); err != nil {
		return objectFacts{}, fmt.Errorf("object ks3://%s/%s: %w", c.s.opts.Bucket, r.Key, err)
	}
	f := objectFacts{size: info.Size, md5: e.MD5, keyed: objmeta.Read(info.Metadata).KeyedMD5}
	if m, enc, err := ks3crypto.ParseMetadata(info.Metadata); enc {
		f.size = -1
		if err == nil {
			f.size = m.PlainLength
		}
	}
	return f, nil
}

// compareBytes reads the object back, decrypting it, and checks its bytes
// against the MD5 it records and the file's.
func (c *checker) compareBytes(ctx context.Context, it checkItem, sum string) (kind, detail string) {
	obj, err := c.s.store.GetObject(ctx, c.s.opts.Bucket, it.remote.Key, ks3.GetOptions{})
	if err != nil {
		return DiffUnreadable, fmt.Sprintf("get ks3://%s/%s: %v", c.s.opts.Bucket, it.remote.Key, err)
	}
	defer obj.Body.Close()
	body, enc, err := c.s.plaintext(obj, it.remote.Key)
	if err != nil {
		return DiffUnreadable, err.Error()
	}
	h := md5.New()
	if _, err := io.Copy(h, c.s.throttleReader(ctx, body, it.path)); err != nil {
		return DiffCorrupt, fmt.Sprintf("the object cannot be read back: %v", err)
	}
	got := hex.EncodeToString(h.Sum(nil))
	if err := c.s.checkContent(obj, enc, got); err != nil {
		return DiffCorrupt, "the object's bytes: " + err.Error()
	}
	if !strings.EqualFold(got, sum) {
		return DiffContent, fmt.Sprintf("file MD5 %s, object MD5 %s", sum, got)
	}
	return "", ""
}
