package ks3test

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/ks3sync/ks3sync/ks3"
)

// partSizes are the sizes of a multipart upload: every part but the last at
// the minimum (100 KiB on KS3).
func (s *suite) partSizes() []int {
	m := s.opts.minPartSize()
	return []int{m, m + 1, m, 1234}
}

// uploadParts uploads data in parts of partSizes and returns them.
func (s *suite) uploadParts(t *testing.T, key, uploadID string, data []byte) []ks3.CompletedPart {
	t.Helper()
	var parts []ks3.CompletedPart
	off := 0
	for i, n := range s.partSizes() {
		chunk := data[off : off+n]
		off += n
		etag, err := s.c.UploadPart(t.Context(), s.bucket, key, uploadID, i+1, bytes.NewReader(chunk), int64(n), md5Raw(chunk))
		if err != nil {
			t.Fatalf("UploadPart %d: %v", i+1, err)
		}
		if etag == "" {
			t.Errorf("UploadPart %d: empty ETag", i+1)
		}
		parts = append(parts, ks3.CompletedPart{PartNumber: i + 1, ETag: etag})
	}
	return parts
}

func (s *suite) totalPartSize() int {
	n := 0
	for _, size := range s.partSizes() {
		n += size
	}
	return n
}

func (s *suite) testMultipart(t *testing.T) {
	const key = "conf-multipart/big file+.bin"
	s.cleanupPrefix(t, "conf-multipart/")
	data := payload(s.totalPartSize(), 6)
	meta := map[string]string{"purpose": "conformance"}
	uploadID, err := s.c.InitiateMultipartUpload(t.Context(), s.bucket, key, ks3.PutOptions{ContentType: "application/x-parts", Metadata: meta})
	if err != nil {
		t.Fatal(err)
	}
	s.uploadCleanup(t, key, uploadID)
	parts := s.uploadParts(t, key, uploadID, data)
	s.checkListParts(t, key, uploadID, parts)
	if !s.uploadListed(t, "conf-multipart/", uploadID, key) {
		t.Errorf("ListMultipartUploads does not list upload %s of %q", uploadID, key)
	}
	res, err := s.c.CompleteMultipartUpload(t.Context(), s.bucket, key, uploadID, parts, ks3.CompleteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.ETag == "" {
		t.Errorf("CompleteMultipartUpload = %+v, want an ETag", res)
	}
	info := s.head(t, key)
	if info.Size != int64(len(data)) || info.ContentType != "application/x-parts" || !maps.Equal(info.Metadata, meta) {
		t.Errorf("completed object = %+v, want %d bytes, the initiate's type and metadata", info, len(data))
	}
	if _, body := s.get(t, key, ks3.GetOptions{}); !bytes.Equal(body, data) {
		t.Error("completed object has other bytes than the parts")
	}
	if s.uploadListed(t, "conf-multipart/", uploadID, "") {
		t.Errorf("upload %s still listed after Complete", uploadID)
	}
	for _, err := range s.c.ListParts(t.Context(), s.bucket, key, uploadID) {
		if err == nil {
			t.Error("ListParts of a completed upload succeeded")
		}
		break
	}
}

// checkListParts compares ListParts with the uploaded parts.
func (s *suite) checkListParts(t *testing.T, key, uploadID string, parts []ks3.CompletedPart) {
	t.Helper()
	var listed []ks3.Part
	for p, err := range s.c.ListParts(t.Context(), s.bucket, key, uploadID) {
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, p)
	}
	if len(listed) != len(parts) {
		t.Fatalf("ListParts: %d parts, want %d", len(listed), len(parts))
	}
	for i, p := range listed {
		if p.PartNumber != i+1 || p.ETag != parts[i].ETag || p.Size != int64(s.partSizes()[i]) || !recent(p.LastModified) {
			t.Errorf("ListParts part %d = %+v, want number %d, ETag %s, size %d", i, p, i+1, parts[i].ETag, s.partSizes()[i])
		}
	}
}

// uploadListed reports whether ListMultipartUploads under prefix lists
// uploadID (for key, unless key is "").
func (s *suite) uploadListed(t *testing.T, prefix, uploadID, key string) bool {
	t.Helper()
	found := false
	for u, err := range s.c.ListMultipartUploads(t.Context(), s.bucket, ks3.ListUploadsOptions{Prefix: prefix}) {
		if err != nil {
			t.Fatal(err)
		}
		if u.UploadID == uploadID {
			found = true
			if key != "" && u.Key != key || !recent(u.Initiated) && !s.opts.Permissive {
				t.Errorf("listed upload = %+v, want key %q", u, key)
			}
		}
	}
	return found
}

func (s *suite) testUploadPartCopy(t *testing.T) {
	const src, key = "conf-partcopy/source", "conf-partcopy/assembled"
	s.cleanupPrefix(t, "conf-partcopy/")
	data := payload(s.opts.minPartSize()+5000, 13)
	s.put(t, src, data, ks3.PutOptions{})
	uploadID := s.initiate(t, key)
	first, err := s.c.UploadPartCopy(t.Context(), s.bucket, key, uploadID, 1, s.bucket, src, fmt.Sprintf("bytes=0-%d", s.opts.minPartSize()-1))
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.c.UploadPartCopy(t.Context(), s.bucket, key, uploadID, 2, s.bucket, src, fmt.Sprintf("bytes=%d-%d", s.opts.minPartSize(), len(data)-1))
	if err != nil {
		t.Fatal(err)
	}
	parts := []ks3.CompletedPart{{PartNumber: 1, ETag: first}, {PartNumber: 2, ETag: second}}
	if _, err := s.c.CompleteMultipartUpload(t.Context(), s.bucket, key, uploadID, parts, ks3.CompleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, body := s.get(t, key, ks3.GetOptions{}); !bytes.Equal(body, data) {
		t.Errorf("object assembled from copied parts has %d bytes, want the source's %d", len(body), len(data))
	}
}

func (s *suite) testMultipartAbort(t *testing.T) {
	const key = "conf-abort/obj"
	s.cleanupPrefix(t, "conf-abort/")
	first, err := s.c.InitiateMultipartUpload(t.Context(), s.bucket, key, ks3.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s.uploadCleanup(t, key, first)
	second, err := s.c.InitiateMultipartUpload(t.Context(), s.bucket, key, ks3.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s.uploadCleanup(t, key, second)
	if first == second {
		t.Fatalf("two uploads of one key share the id %s", first)
	}
	chunk := payload(s.opts.minPartSize(), 7)
	if _, err := s.c.UploadPart(t.Context(), s.bucket, key, first, 1, bytes.NewReader(chunk), int64(len(chunk)), md5Raw(chunk)); err != nil {
		t.Fatal(err)
	}
	if err := s.c.AbortMultipartUpload(t.Context(), s.bucket, key, first); err != nil {
		t.Fatal(err)
	}
	if s.uploadListed(t, "conf-abort/", first, "") {
		t.Errorf("aborted upload %s still listed", first)
	}
	if !s.uploadListed(t, "conf-abort/", second, key) {
		t.Errorf("aborting %s also ended the other upload %s of the key", first, second)
	}
	if _, err := s.c.UploadPart(t.Context(), s.bucket, key, first, 2, bytes.NewReader(chunk), int64(len(chunk)), nil); err == nil {
		t.Error("UploadPart to an aborted upload succeeded")
	}
	if err := s.c.AbortMultipartUpload(t.Context(), s.bucket, key, second); err != nil {
		t.Fatal(err)
	}
	s.wantGone(t, key)
}

func (s *suite) testMultipartInvalid(t *testing.T) {
	const key = "conf-invalid/obj"
	s.cleanupPrefix(t, "conf-invalid/")

	unordered := s.initiate(t, key)
	reversed := s.uploadParts(t, key, unordered, payload(s.totalPartSize(), 8))
	slices.Reverse(reversed)
	_, err := s.c.CompleteMultipartUpload(t.Context(), s.bucket, key, unordered, reversed, ks3.CompleteOptions{})
	if ks3.ErrorCode(err) != "InvalidPartOrder" && !(s.opts.Permissive && err != nil) {
		t.Errorf("Complete with descending parts = %v, want InvalidPartOrder", err)
	}

	missing := s.initiate(t, key)
	chunk := payload(s.opts.minPartSize(), 10)
	etag, err := s.c.UploadPart(t.Context(), s.bucket, key, missing, 1, bytes.NewReader(chunk), int64(len(chunk)), nil)
	if err != nil {
		t.Fatal(err)
	}
	parts := []ks3.CompletedPart{{PartNumber: 1, ETag: etag}, {PartNumber: 2, ETag: etag}}
	if _, err := s.c.CompleteMultipartUpload(t.Context(), s.bucket, key, missing, parts, ks3.CompleteOptions{}); err == nil {
		t.Error("Complete listing a part never uploaded succeeded")
	}

	small := s.initiate(t, key)
	var smallParts []ks3.CompletedPart
	for n := 1; n <= 2; n++ {
		chunk := payload(s.opts.minPartSize()-1, uint64(n))
		etag, err := s.c.UploadPart(t.Context(), s.bucket, key, small, n, bytes.NewReader(chunk), int64(len(chunk)), nil)
		if err != nil {
			t.Fatalf("UploadPart %d: %v (part sizes are only checked at Complete)", n, err)
		}
		smallParts = append(smallParts, ks3.CompletedPart{PartNumber: n, ETag: etag})
	}
	if _, err := s.c.CompleteMultipartUpload(t.Context(), s.bucket, key, small, smallParts, ks3.CompleteOptions{}); err == nil {
		t.Error("Complete with a first part under the minimum part size succeeded")
	}
	s.wantGone(t, key)
}

// initiate starts an upload of key that is aborted when the test ends.
func (s *suite) initiate(t *testing.T, key string) string {
	t.Helper()
	id, err := s.c.InitiateMultipartUpload(t.Context(), s.bucket, key, ks3.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s.uploadCleanup(t, key, id)
	return id
}

func (s *suite) testPut(t *testing.T) {
	s.cleanupPrefix(t, "conf-put/")
	for _, tt := range []struct {
		name string
		size int
	}{{"single", 1000}, {"multipart", 3*s.opts.minPartSize() + 17}} {
		key := "conf-put/" + tt.name
		data := payload(tt.size, 9)
		res, err := s.c.Put(t.Context(), s.bucket, key, bytes.NewReader(data), int64(len(data)), ks3.UploadOptions{
			PutOptions: ks3.PutOptions{Metadata: map[string]string{"md5": md5Hex(data)}},
			Threshold:  int64(s.opts.minPartSize()), PartSize: int64(s.opts.minPartSize()), Concurrency: 3,
		})
		if err != nil {
			t.Fatalf("Put %s: %v", tt.name, err)
		}
		if res.ETag == "" || tt.name == "single" && res.ETag != md5Hex(data) {
			t.Errorf("Put %s: ETag %q", tt.name, res.ETag)
		}
		if obj, body := s.get(t, key, ks3.GetOptions{}); !bytes.Equal(body, data) || obj.Metadata["md5"] != md5Hex(data) {
			t.Errorf("Put %s: object reads back %d bytes, metadata %v", tt.name, len(body), obj.Metadata)
		}
	}
}
