package ks3test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/ks3sync/ks3sync/ks3"
)

// fanOut is the number of requests the suite sends at once when it creates
// many objects.
const fanOut = 16

// payload returns n deterministic pseudo-random bytes.
func payload(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// md5Hex returns the hex MD5 of b, the ETag of a single PUT.
func md5Hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

// md5Raw returns the raw MD5 of b.
func md5Raw(b []byte) []byte {
	sum := md5.Sum(b)
	return sum[:]
}

// put uploads data to key with a Content-MD5 and fails the test on error.
func (s *suite) put(t *testing.T, key string, data []byte, opts ks3.PutOptions) *ks3.PutResult {
	t.Helper()
	if opts.ContentMD5 == nil {
		opts.ContentMD5 = md5Raw(data)
	}
	res, err := s.c.PutObject(t.Context(), s.bucket, key, bytes.NewReader(data), int64(len(data)), opts)
	if err != nil {
		t.Fatalf("PutObject(%q): %v", key, err)
	}
	return res
}

// get downloads key whole and fails the test on error.
func (s *suite) get(t *testing.T, key string, opts ks3.GetOptions) (*ks3.Object, []byte) {
	t.Helper()
	obj, err := s.c.GetObject(t.Context(), s.bucket, key, opts)
	if err != nil {
		t.Fatalf("GetObject(%q): %v", key, err)
	}
	defer obj.Body.Close()
	body, err := io.ReadAll(obj.Body)
	if err != nil {
		t.Fatalf("GetObject(%q): read body: %v", key, err)
	}
	return obj, body
}

// head returns the attributes of key and fails the test on error.
func (s *suite) head(t *testing.T, key string) *ks3.ObjectInfo {
	t.Helper()
	info, err := s.c.HeadObject(t.Context(), s.bucket, key)
	if err != nil {
		t.Fatalf("HeadObject(%q): %v", key, err)
	}
	return info
}

// wantGone fails the test unless key does not exist.
func (s *suite) wantGone(t *testing.T, key string) {
	t.Helper()
	_, err := s.c.HeadObject(t.Context(), s.bucket, key)
	if !ks3.IsNotFound(err) {
		t.Errorf("HeadObject(%q) after delete = %v, want not found", key, err)
	}
}

// putMany creates keys concurrently, each holding its own name.
func (s *suite) putMany(t *testing.T, keys []string) {
	t.Helper()
	g, ctx := errgroup.WithContext(t.Context())
	g.SetLimit(fanOut)
	for _, k := range keys {
		g.Go(func() error {
			body := []byte(k)
			_, err := s.c.PutObject(ctx, s.bucket, k, bytes.NewReader(body), int64(len(body)), ks3.PutOptions{ContentMD5: md5Raw(body)})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatalf("create %d objects: %v", len(keys), err)
	}
}

// walkKeys lists the keys (and common prefixes, as such) under opts.
func (s *suite) walkKeys(t *testing.T, opts ks3.ListObjectsOptions) []string {
	t.Helper()
	var keys []string
	for item, err := range s.c.Walk(t.Context(), s.bucket, opts) {
		if err != nil {
			t.Fatalf("Walk(%+v): %v", opts, err)
		}
		if item.Prefix != "" {
			keys = append(keys, item.Prefix)
		} else {
			keys = append(keys, item.Object.Key)
		}
	}
	return keys
}

// cleanupPrefix deletes every object under prefix when the test ends.
func (s *suite) cleanupPrefix(t *testing.T, prefix string) {
	t.Cleanup(func() {
		ctx, cancel := cleanupContext()
		defer cancel()
		var keys []string
		for item, err := range s.c.Walk(ctx, s.bucket, ks3.ListObjectsOptions{Prefix: prefix}) {
			if err != nil {
				t.Errorf("clean up %q: %v", prefix, err)
				return
			}
			keys = append(keys, item.Object.Key)
		}
		s.cleanupKeys(ctx, t, keys)
	})
}

// cleanupKeys deletes keys now.
func (s *suite) cleanupKeys(ctx context.Context, t *testing.T, keys []string) {
	if len(keys) == 0 {
		return
	}
	res, err := s.c.DeleteObjects(ctx, s.bucket, keys)
	if err == nil && len(res.Errors) > 0 {
		err = fmt.Errorf("%d keys not deleted, first %q: %s", len(res.Errors), res.Errors[0].Key, res.Errors[0].Code)
	}
	if err != nil {
		t.Errorf("clean up: %v", err)
	}
}

// uploadCleanup aborts a multipart upload when the test ends, unless it was
// completed or aborted by then.
func (s *suite) uploadCleanup(t *testing.T, key, uploadID string) {
	t.Cleanup(func() {
		ctx, cancel := cleanupContext()
		defer cancel()
		for u, err := range s.c.ListMultipartUploads(ctx, s.bucket, ks3.ListUploadsOptions{Prefix: key}) {
			if err != nil {
				t.Errorf("clean up upload %s: %v", uploadID, err)
				return
			}
			if u.UploadID == uploadID {
				if err := s.c.AbortMultipartUpload(ctx, s.bucket, key, uploadID); err != nil {
					t.Errorf("clean up upload %s: %v", uploadID, err)
				}
				return
			}
		}
	})
}

// sorted returns a sorted copy of keys.
func sorted(keys []string) []string {
	out := slices.Clone(keys)
	slices.Sort(out)
	return out
}

// recent reports whether t is within a day of now: a loose check that a
// timestamp was parsed, which tolerates clock differences.
func recent(t time.Time) bool {
	return time.Since(t).Abs() < 24*time.Hour
}
