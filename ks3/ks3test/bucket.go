package ks3test

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/ks3sync/ks3sync/ks3"
)

func (s *suite) testBucket(t *testing.T) {
	if err := s.c.HeadBucket(t.Context(), s.bucket); err != nil {
		t.Fatal(err)
	}
	if _, err := s.c.GetBucketLocation(t.Context(), s.bucket); err != nil {
		t.Error(err)
	}
	buckets, err := s.c.ListBuckets(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(buckets, func(b ks3.Bucket) bool { return b.Name == s.bucket })
	if i < 0 {
		t.Fatalf("ListBuckets does not list %q", s.bucket)
	}
	if buckets[i].CreationDate.IsZero() {
		t.Errorf("bucket %q has no creation date", s.bucket)
	}

	var e *ks3.Error
	err = s.c.CreateBucket(t.Context(), s.bucket, ks3.CreateBucketOptions{})
	if (!errors.As(err, &e) || e.StatusCode != http.StatusConflict) && !(s.opts.S3 && err == nil) {
		t.Errorf("CreateBucket of an existing bucket = %v, want status 409", err)
	}
	s.put(t, "conf-bucket/keep", []byte("x"), ks3.PutOptions{})
	s.cleanupPrefix(t, "conf-bucket/")
	if err := s.c.DeleteBucket(t.Context(), s.bucket); ks3.ErrorCode(err) != "BucketNotEmpty" {
		t.Errorf("DeleteBucket of a bucket with objects = %v, want BucketNotEmpty", err)
	}
	s.testCreateDeleteBucket(t)
}

// testCreateDeleteBucket creates a bucket, uses it and deletes it.
func (s *suite) testCreateDeleteBucket(t *testing.T) {
	name := tempBucketName(s.bucket)
	if err := s.c.CreateBucket(t.Context(), name, ks3.CreateBucketOptions{ACL: "private"}); err != nil {
		t.Fatal(err)
	}
	deleted := false
	t.Cleanup(func() {
		if deleted {
			return
		}
		ctx, cancel := cleanupContext()
		defer cancel()
		_ = s.c.DeleteObject(ctx, name, "k")
		if err := s.c.DeleteBucket(ctx, name); err != nil {
			t.Errorf("clean up bucket %q: %v", name, err)
		}
	})
	if err := s.c.HeadBucket(t.Context(), name); err != nil {
		t.Fatal(err)
	}
	if _, err := s.c.PutObject(t.Context(), name, "k", nil, 0, ks3.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := s.c.DeleteObject(t.Context(), name, "k"); err != nil {
		t.Fatal(err)
	}
	if err := s.c.DeleteBucket(t.Context(), name); err != nil {
		t.Fatal(err)
	}
	deleted = true
	if err := s.c.HeadBucket(t.Context(), name); ks3.ErrorCode(err) != "NoSuchBucket" {
		t.Errorf("HeadBucket after DeleteBucket = %v, want NoSuchBucket", err)
	}
}

// tempBucketName derives a fresh bucket name of at most 63 characters from
// bucket.
func tempBucketName(bucket string) string {
	b := make([]byte, 4)
	rand.Read(b)
	suffix := "-tmp-" + hex.EncodeToString(b)
	return bucket[:min(len(bucket), 63-len(suffix))] + suffix
}
