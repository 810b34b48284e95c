package ks3test

import (
	"bytes"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/ks3sync/ks3sync/ks3"
)

func (s *suite) testObjectRoundTrip(t *testing.T) {
	const key = "conf-object/hello.txt"
	s.cleanupPrefix(t, "conf-object/")
	data := payload(1000, 1)
	// "author" and "author-id" sign in name order, not line order.
	meta := map[string]string{"author": "alice", "author-id": "7", "Mixed-Case": "Value 1", "md5": md5Hex(data)}
	res := s.put(t, key, data, ks3.PutOptions{ContentType: "text/plain", Metadata: meta,
		StorageClass: "STANDARD_IA", ACL: "public-read"})
	if res.ETag != md5Hex(data) {
		t.Errorf("PutObject ETag = %q, want the MD5 %s", res.ETag, md5Hex(data))
	}
	wantMeta := map[string]string{"author": "alice", "author-id": "7", "mixed-case": "Value 1", "md5": md5Hex(data)}
	info := s.head(t, key)
	if info.Size != 1000 || info.ETag != md5Hex(data) || info.ContentType != "text/plain" ||
		info.StorageClass != "STANDARD_IA" || !maps.Equal(info.Metadata, wantMeta) || !recent(info.LastModified) {
		t.Errorf("HeadObject = %+v, want size 1000, ETag %s, text/plain, STANDARD_IA, metadata %v", info, md5Hex(data), wantMeta)
	}
	obj, body := s.get(t, key, ks3.GetOptions{})
	if !bytes.Equal(body, data) || obj.ETag != info.ETag || !maps.Equal(obj.Metadata, wantMeta) || obj.StorageClass != "STANDARD_IA" {
		t.Errorf("GetObject = %+v with %d bytes, want the uploaded object", obj.ObjectInfo, len(body))
	}
	page, err := s.c.ListObjects(t.Context(), s.bucket, ks3.ListObjectsOptions{Prefix: "conf-object/"})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Objects) != 1 || page.Objects[0].Key != key || page.Objects[0].Size != 1000 ||
		page.Objects[0].ETag != md5Hex(data) || page.Objects[0].StorageClass != "STANDARD_IA" || !recent(page.Objects[0].LastModified) {
		t.Errorf("ListObjects = %+v", page.Objects)
	}
	acl, err := s.c.GetObjectACL(t.Context(), s.bucket, key)
	if err != nil {
		t.Fatal(err)
	}
	if !grants(acl, s.opts.allUsersURI(), "READ") {
		t.Errorf("object put with public-read: ACL %+v has no READ grant for all users", acl)
	}

	replacement := payload(10, 2)
	s.put(t, key, replacement, ks3.PutOptions{})
	if _, body := s.get(t, key, ks3.GetOptions{}); !bytes.Equal(body, replacement) {
		t.Errorf("overwritten object reads %q, want %q", body, replacement)
	}
	if info := s.head(t, key); len(info.Metadata) != 0 {
		t.Errorf("overwritten object keeps old attributes: %+v", info)
	}
	if err := s.c.DeleteObject(t.Context(), s.bucket, key); err != nil {
		t.Fatal(err)
	}
	s.wantGone(t, key)
}

func (s *suite) testEmptyObject(t *testing.T) {
	const key = "conf-empty/dir/"
	s.cleanupPrefix(t, "conf-empty/")
	res, err := s.c.PutObject(t.Context(), s.bucket, key, nil, 0, ks3.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	const emptyMD5 = "d41d8cd98f00b204e9800998ecf8427e"
	if res.ETag != emptyMD5 {
		t.Errorf("ETag of an empty object = %q, want %s", res.ETag, emptyMD5)
	}
	if info := s.head(t, key); info.Size != 0 || info.ETag != emptyMD5 {
		t.Errorf("HeadObject = %+v", info)
	}
	if _, body := s.get(t, key, ks3.GetOptions{}); len(body) != 0 {
		t.Errorf("GetObject returned %d bytes", len(body))
	}
}

// specialKeys are keys whose encoding, signing or listing is easy to get
// wrong.
func specialKeys() []string {
	const long = "conf-keys/long-"
	return []string{
		"conf-keys/with space.txt",
		"conf-keys/plus+sign",
		"conf-keys/percent%20literal%",
		"conf-keys/hash#fragment",
		"conf-keys/question?mark=1&x=2",
		"conf-keys/star*",
		"conf-keys/tilde~",
		"conf-keys/punct !$'(),;=@[]^`{|}",
		"conf-keys/xml <&>\"'",
		"conf-keys/unicode-中文/文件.txt",
		"conf-keys/emoji-😀",
		"conf-keys/a//b",
		"conf-keys/a///c",
		"conf-keys/trailing/",
		"conf-keys/prefix",
		"conf-keys/prefix/child",
		long + strings.Repeat("x", 1024-len(long)),
		"/conf-leading-slash",
	}
}

func (s *suite) testSpecialKeys(t *testing.T) {
	keys := specialKeys()
	s.cleanupPrefix(t, "conf-keys/")
	s.cleanupPrefix(t, "/conf-leading-slash")
	for _, key := range keys {
		s.put(t, key, []byte(key), ks3.PutOptions{})
		info := s.head(t, key)
		if info.Size != int64(len(key)) || info.ETag != md5Hex([]byte(key)) {
			t.Errorf("HeadObject(%q) = size %d ETag %s", key, info.Size, info.ETag)
		}
		if _, body := s.get(t, key, ks3.GetOptions{}); string(body) != key {
			t.Errorf("GetObject(%q) = %q", key, body)
		}
		if got := s.walkKeys(t, ks3.ListObjectsOptions{Prefix: key, MaxKeys: 5}); len(got) == 0 || got[0] != key {
			t.Errorf("listing with prefix %q = %q, want the key first", key, got)
		}
	}
	var under []string
	for _, k := range keys {
		if strings.HasPrefix(k, "conf-keys/") {
			under = append(under, k)
		}
	}
	if got := s.walkKeys(t, ks3.ListObjectsOptions{Prefix: "conf-keys/"}); !slices.Equal(got, sorted(under)) {
		t.Errorf("listing conf-keys/ = %q, want %q", got, sorted(under))
	}
	s.checkDelimitedSpecialKeys(t)
	for _, key := range keys {
		if err := s.c.DeleteObject(t.Context(), s.bucket, key); err != nil {
			t.Fatal(err)
		}
		s.wantGone(t, key)
	}
}

// checkDelimitedSpecialKeys lists the keys that are also prefixes, and the
// empty path segments of "a//b", with a delimiter.
func (s *suite) checkDelimitedSpecialKeys(t *testing.T) {
	tests := []struct {
		prefix string
		want   []string
	}{
		{"conf-keys/prefix", []string{"conf-keys/prefix", "conf-keys/prefix/"}},
		{"conf-keys/prefix/", []string{"conf-keys/prefix/child"}},
		{"conf-keys/a/", []string{"conf-keys/a//"}},
		{"conf-keys/a//", []string{"conf-keys/a///", "conf-keys/a//b"}},
		{"conf-keys/trailing", []string{"conf-keys/trailing/"}},
	}
	for _, tt := range tests {
		got := s.walkKeys(t, ks3.ListObjectsOptions{Prefix: tt.prefix, Delimiter: "/"})
		if !slices.Equal(got, tt.want) {
			t.Errorf("listing %q with delimiter / = %q, want %q", tt.prefix, got, tt.want)
		}
	}
}

func (s *suite) testRangeGet(t *testing.T) {
	const key = "conf-range/data.bin"
	s.cleanupPrefix(t, "conf-range/")
	data := payload(1000, 3)
	s.put(t, key, data, ks3.PutOptions{})
	tests := []struct {
		rng        string
		from, to   int // data[from:to]
		wantHeader string
	}{
		{"bytes=0-99", 0, 100, "bytes 0-99/1000"},
		{"bytes=500-500", 500, 501, "bytes 500-500/1000"},
		{"bytes=-32", 968, 1000, "bytes 968-999/1000"},
		{"bytes=990-", 990, 1000, "bytes 990-999/1000"},
	}
	for _, tt := range tests {
		obj, body := s.get(t, key, ks3.GetOptions{Range: tt.rng})
		if !bytes.Equal(body, data[tt.from:tt.to]) || obj.ContentRange != tt.wantHeader || obj.Size != 1000 {
			t.Errorf("GetObject Range %s = %d bytes, Content-Range %q, size %d; want data[%d:%d], %q, 1000",
				tt.rng, len(body), obj.ContentRange, obj.Size, tt.from, tt.to, tt.wantHeader)
		}
	}
}

func (s *suite) testResponseOverrides(t *testing.T) {
	if s.opts.Permissive {
		t.Skip("the endpoint ignores response-* overrides")
	}
	const key = "conf-override/file.bin"
	s.cleanupPrefix(t, "conf-override/")
	s.put(t, key, payload(10, 4), ks3.PutOptions{ContentType: "application/octet-stream"})
	obj, _ := s.get(t, key, ks3.GetOptions{ResponseHeaders: map[string]string{
		"response-content-type":        "text/x-conformance; charset=utf-8",
		"response-content-disposition": `attachment; filename="a b.txt"`,
		"response-cache-control":       "no-store",
	}})
	if obj.ContentType != "text/x-conformance; charset=utf-8" || obj.ContentDisposition != `attachment; filename="a b.txt"` ||
		obj.CacheControl != "no-store" {
		t.Errorf("overridden headers: Content-Type %q, Content-Disposition %q, Cache-Control %q",
			obj.ContentType, obj.ContentDisposition, obj.CacheControl)
	}
}

func (s *suite) testCopy(t *testing.T) {
	const src = "conf-copy/source file+1.txt"
	s.cleanupPrefix(t, "conf-copy/")
	data := payload(2000, 5)
	s.put(t, src, data, ks3.PutOptions{ContentType: "text/plain", Metadata: map[string]string{"origin": "source"}})

	const same = "conf-copy/copy 中.txt"
	if _, err := s.c.CopyObject(t.Context(), s.bucket, src, s.bucket, same, ks3.CopyOptions{}); err != nil {
		t.Fatal(err)
	}
	info := s.head(t, same)
	if info.ContentType != "text/plain" || info.Metadata["origin"] != "source" || info.Size != int64(len(data)) {
		t.Errorf("COPY copy = %+v, want the source's type and metadata", info)
	}
	if _, body := s.get(t, same, ks3.GetOptions{}); !bytes.Equal(body, data) {
		t.Error("COPY copy has other bytes than the source")
	}

	const replaced = "conf-copy/replaced"
	_, err := s.c.CopyObject(t.Context(), s.bucket, src, s.bucket, replaced, ks3.CopyOptions{
		MetadataDirective: ks3.MetadataDirectiveReplace,
		PutOptions:        ks3.PutOptions{ContentType: "application/x-new", Metadata: map[string]string{"origin": "replaced", "extra": "1"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	info = s.head(t, replaced)
	want := map[string]string{"origin": "replaced", "extra": "1"}
	if info.ContentType != "application/x-new" || !maps.Equal(info.Metadata, want) {
		t.Errorf("REPLACE copy = %+v, want application/x-new and %v", info, want)
	}
	if _, body := s.get(t, replaced, ks3.GetOptions{}); !bytes.Equal(body, data) {
		t.Error("REPLACE copy has other bytes than the source")
	}
}

// grants reports whether p grants permission to the group uri.
func grants(p *ks3.AccessControlPolicy, uri, permission string) bool {
	for _, g := range p.Grants {
		if g.GranteeType == ks3.GranteeGroup && g.URI == uri && g.Permission == permission {
			return true
		}
	}
	return false
}
