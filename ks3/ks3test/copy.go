package ks3test

import (
	"bytes"
	"maps"
	"testing"

	"github.com/ks3sync/ks3sync/ks3"
)

// testCopyInParts copies an object larger than the single-copy threshold
// with Copy, to another key with directive COPY and onto itself with
// REPLACE, and reads both back.
func (s *suite) testCopyInParts(t *testing.T) {
	const src, dst = "conf-copyparts/source", "conf-copyparts/copy"
	s.cleanupPrefix(t, "conf-copyparts/")
	m := s.opts.minPartSize()
	data := payload(3*m+17, 21)
	meta := map[string]string{"md5": md5Hex(data), "origin": "source"}
	s.put(t, src, data, ks3.PutOptions{ContentType: "text/plain", Metadata: meta})
	opts := ks3.ServerCopyOptions{Threshold: int64(m), PartSize: int64(m), Concurrency: 2}
	if _, err := s.c.Copy(t.Context(), s.bucket, src, s.bucket, dst, int64(len(data)), opts); err != nil {
		t.Fatal(err)
	}
	obj, body := s.get(t, dst, ks3.GetOptions{})
	if !bytes.Equal(body, data) || obj.ContentType != "text/plain" || !maps.Equal(obj.Metadata, meta) {
		t.Errorf("copy in parts: %d bytes (want %d), type %q, metadata %v (want the source's %v)",
			len(body), len(data), obj.ContentType, obj.Metadata, meta)
	}

	onto := map[string]string{"md5": md5Hex(data), "origin": "refreshed"}
	opts.CopyOptions = ks3.CopyOptions{MetadataDirective: ks3.MetadataDirectiveReplace,
		PutOptions: ks3.PutOptions{ContentType: "text/plain", Metadata: onto}}
	if _, err := s.c.Copy(t.Context(), s.bucket, src, s.bucket, src, int64(len(data)), opts); err != nil {
		t.Fatal(err)
	}
	obj, body = s.get(t, src, ks3.GetOptions{})
	if !bytes.Equal(body, data) || !maps.Equal(obj.Metadata, onto) {
		t.Errorf("copy onto itself in parts: %d bytes (want %d), metadata %v (want %v)", len(body), len(data), obj.Metadata, onto)
	}
}
