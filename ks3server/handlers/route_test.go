package handlers

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestOperationTable(t *testing.T) {
	tests := []struct {
		method, target string
		header         map[string]string
		op             string
	}{
		{"GET", "/", nil, OpListBuckets},
		{"GET", "/b", nil, OpListObjects},
		{"GET", "/b/?acl", nil, OpGetBucketACL},
		{"PUT", "/b/?acl", nil, OpPutBucketACL},
		{"GET", "/b/?location", nil, OpGetBucketLocation},
		{"GET", "/b/?uploads", nil, OpListMultipartUploads},
		{"PUT", "/b", nil, OpCreateBucket},
		{"HEAD", "/b/", nil, OpHeadBucket},
		{"DELETE", "/b/", nil, OpDeleteBucket},
		{"POST", "/b/?delete", nil, OpDeleteObjects},
		{"GET", "/b/k", nil, OpGetObject},
		{"HEAD", "/b/k", nil, OpHeadObject},
		{"PUT", "/b/k", nil, OpPutObject},
		{"PUT", "/b/k", map[string]string{"x-kss-copy-source": "/b/j"}, OpCopyObject},
		{"PUT", "/b/k", map[string]string{"x-amz-copy-source": "/b/j"}, OpCopyObject},
		{"DELETE", "/b/k", nil, OpDeleteObject},
		{"GET", "/b/k?acl", nil, OpGetObjectACL},
		{"PUT", "/b/k?acl", nil, OpPutObjectACL},
		{"POST", "/b/k?uploads", nil, OpInitiateMultipartUpload},
		{"PUT", "/b/k?partNumber=1&uploadId=u", nil, OpUploadPart},
		{"PUT", "/b/k?partNumber=1&uploadId=u", map[string]string{"x-kss-copy-source": "/b/j"}, OpUploadPartCopy},
		{"POST", "/b/k?uploadId=u", nil, OpCompleteMultipartUpload},
		{"DELETE", "/b/k?uploadId=u", nil, OpAbortMultipartUpload},
		{"GET", "/b/k?uploadId=u", nil, OpListParts},
		{"PUT", "/b/?cors", nil, OpUnsupported},
		{"POST", "/b/k", nil, OpInvalid},
		{"DELETE", "/", nil, OpInvalid},
	}
	for _, tc := range tests {
		r := rawRequest(tc.method, "127.0.0.1:9000", tc.target, tc.header)
		rt, err := parseRoute(r, "")
		if err != nil {
			t.Errorf("%s %s: %v", tc.method, tc.target, err)
			continue
		}
		if rt.op != tc.op {
			t.Errorf("%s %s = %s, want %s", tc.method, tc.target, rt.op, tc.op)
		}
	}
}

func TestRouteFromAbsoluteURI(t *testing.T) {
	r := rawRequest("GET", "127.0.0.1:9000", "http://127.0.0.1:9000/b/a%20b?acl", nil)
	rt, err := parseRoute(r, "")
	if err != nil || rt.bucket != "b" || rt.key != "a b" || rt.rawKey != "a%20b" || rt.op != OpGetObjectACL {
		t.Fatalf("route %+v, %v", rt, err)
	}
}

// FuzzKeyRoundTrip checks that any valid key survives the listing encoding
// and the path decoding, and that routing never panics.
func FuzzKeyRoundTrip(f *testing.F) {
	for _, seed := range []string{"a//b", "/lead", "中文 +*~", "100%", "q?x=1#y", "a/../b"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, key string) {
		if key == "" || !utf8.ValidString(key) || len(key) > maxKeyLength {
			return
		}
		raw := urlEncodeKey(key)
		got, err := decodeKey(raw)
		if err != nil || got != key {
			t.Fatalf("decodeKey(urlEncodeKey(%q)) = %q, %v", key, got, err)
		}
		r := httptest.NewRequest("GET", "http://127.0.0.1/", nil)
		r.RequestURI = "/bkt/" + raw
		rt, err := parseRoute(r, "")
		if err != nil || rt.key != key || rt.bucket != "bkt" {
			t.Fatalf("route of %q: %+v, %v", raw, rt, err)
		}
		// Arbitrary bytes as a raw path are either routed or rejected.
		r.RequestURI = "/" + key
		parseRoute(r, "")
	})
}

// FuzzParseRange checks that a served range always lies inside the object.
func FuzzParseRange(f *testing.F) {
	for _, seed := range []string{"bytes=0-0", "bytes=-5", "bytes=3-", "bytes=9-2", "bytes=-", "bytes=1-2,3-4", "bytes=99999999999999999999-"} {
		f.Add(seed, int64(10))
	}
	f.Fuzz(func(t *testing.T, header string, size int64) {
		if size < 0 {
			return
		}
		br, err := parseRange(header, size)
		if err != nil {
			return
		}
		if br.start < 0 || br.length < 0 || br.start+br.length > size || (!br.partial && br.length != size) {
			t.Fatalf("parseRange(%q, %d) = %+v", header, size, br)
		}
		if br.partial && !strings.HasPrefix(br.contentRange(size), "bytes ") {
			t.Fatalf("content range %q", br.contentRange(size))
		}
	})
}

func TestHeaderValueSpellings(t *testing.T) {
	h := http.Header{}
	h.Set("x-amz-acl", "public-read")
	h.Set("x-kss-storage-class", "ARCHIVE")
	if headerValue(h, "acl") != "public-read" || headerValue(h, "storage-class") != "ARCHIVE" || headerValue(h, "copy-source") != "" {
		t.Errorf("headerValue misses a spelling: %v", h)
	}
}
