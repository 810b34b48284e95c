package ks3test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/ks3sync/ks3sync/ks3"
)

func (s *suite) testDeleteObjects(t *testing.T) {
	const prefix = "conf-delete/"
	s.cleanupPrefix(t, prefix)
	keys := make([]string, 1500)
	for i := range keys {
		keys[i] = fmt.Sprintf("%s%04d &<>.txt", prefix, i)
	}
	s.putMany(t, keys)
	if got := s.walkKeys(t, ks3.ListObjectsOptions{Prefix: prefix}); len(got) != len(keys) {
		t.Fatalf("listing before delete: %d keys, want %d", len(got), len(keys))
	}
	res, err := s.c.DeleteObjects(t.Context(), s.bucket, keys)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 0 || !slices.Equal(sorted(res.Deleted), sorted(keys)) {
		t.Errorf("DeleteObjects: %d deleted, %d errors (%+v), want all %d deleted",
			len(res.Deleted), len(res.Errors), firstErrors(res.Errors), len(keys))
	}
	if got := s.walkKeys(t, ks3.ListObjectsOptions{Prefix: prefix}); len(got) != 0 {
		t.Errorf("listing after delete: %d keys left, first %q", len(got), got[0])
	}
}

func firstErrors(errs []ks3.DeleteError) []ks3.DeleteError {
	return errs[:min(3, len(errs))]
}

// listingKeys returns 2,500 keys: P/NNNN.txt and P/NNNN/x for NNNN < 1250,
// so that under a "/" delimiter objects and common prefixes interleave.
func listingKeys(prefix string) (keys, delimited []string) {
	for i := range 1250 {
		keys = append(keys, fmt.Sprintf("%s%04d.txt", prefix, i), fmt.Sprintf("%s%04d/x", prefix, i))
		delimited = append(delimited, fmt.Sprintf("%s%04d.txt", prefix, i), fmt.Sprintf("%s%04d/", prefix, i))
	}
	return sorted(keys), delimited
}

func (s *suite) testListing(t *testing.T) {
	const prefix = "conf-list/"
	s.cleanupPrefix(t, prefix)
	keys, delimited := listingKeys(prefix)
	s.putMany(t, keys)

	if got := s.walkKeys(t, ks3.ListObjectsOptions{Prefix: prefix}); !slices.Equal(got, keys) {
		t.Errorf("walk without delimiter: %d keys, want %d in order", len(got), len(keys))
	}
	if got := s.walkKeys(t, ks3.ListObjectsOptions{Prefix: prefix, Delimiter: "/"}); !slices.Equal(got, delimited) {
		t.Errorf("walk with delimiter: %d entries, want %d in order", len(got), len(delimited))
	}
	if got := s.walkKeys(t, ks3.ListObjectsOptions{Prefix: prefix + "0001/", Delimiter: "/"}); !slices.Equal(got, []string{prefix + "0001/x"}) {
		t.Errorf("walk of one directory = %q", got)
	}
	if got := s.walkKeys(t, ks3.ListObjectsOptions{Prefix: prefix, Marker: keys[2400]}); !slices.Equal(got, keys[2401:]) {
		t.Errorf("walk after marker %q: %d keys, want %d", keys[2400], len(got), len(keys[2401:]))
	}
	s.checkPages(t, prefix, keys, delimited)
}

// checkPages lists single pages and follows their markers by hand.
func (s *suite) checkPages(t *testing.T, prefix string, keys, delimited []string) {
	page, err := s.c.ListObjects(t.Context(), s.bucket, ks3.ListObjectsOptions{Prefix: prefix, MaxKeys: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Objects) != 10 || !page.IsTruncated || page.Objects[9].Key != keys[9] || page.NextMarker == "" {
		t.Errorf("page of 10: %d objects, truncated %v, next marker %q", len(page.Objects), page.IsTruncated, page.NextMarker)
	}
	page, err = s.c.ListObjects(t.Context(), s.bucket, ks3.ListObjectsOptions{Prefix: prefix, MaxKeys: 10, Marker: page.NextMarker})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Objects) != 10 || page.Objects[0].Key != keys[10] {
		t.Errorf("second page starts at %v, want %q", page.Objects, keys[10])
	}
	if s.opts.Permissive {
		return // the endpoint does not page delimited ListObjects (V1) listings
	}

	page, err = s.c.ListObjects(t.Context(), s.bucket, ks3.ListObjectsOptions{Prefix: prefix, Delimiter: "/"})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(page.Objects) + len(page.CommonPrefixes); n != 100 || !page.IsTruncated || page.NextMarker == "" {
		t.Errorf("delimited page: %d entries, truncated %v, next marker %q; want 100 (the cap), true, a marker",
			n, page.IsTruncated, page.NextMarker)
	}
	page, err = s.c.ListObjects(t.Context(), s.bucket, ks3.ListObjectsOptions{Prefix: prefix, Delimiter: "/", Marker: page.NextMarker})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Objects) == 0 || page.Objects[0].Key != delimited[100] || slices.Contains(page.CommonPrefixes, delimited[99]) {
		t.Errorf("second delimited page repeats or skips entries: objects from %v, prefixes %v", firstKeys(page.Objects), page.CommonPrefixes[:min(2, len(page.CommonPrefixes))])
	}
}

func firstKeys(objs []ks3.ObjectInfo) []string {
	var keys []string
	for _, o := range objs[:min(2, len(objs))] {
		keys = append(keys, o.Key)
	}
	return keys
}
