package handlers

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestPutGetHeadDelete(t *testing.T) {
	s := newTestServer(t)
	createBucket(t, s, "bkt")
	data := []byte("hello, ks3")
	sum := md5.Sum(data)
	etag := `"` + hex.EncodeToString(sum[:]) + `"`

	w := mustDo(t, s, call{method: "PUT", bucket: "bkt", rawKey: "docs/a.txt", body: data, header: map[string]string{
		"Content-Type": "text/plain", "Content-MD5": md5b64(data), "x-kss-meta-iv": "EBES", "X-Kss-Meta-Mtime": "1700000000",
		"x-amz-meta-origin": "aws", "Cache-Control": "no-cache", "Content-Disposition": "attachment", "Content-Encoding": "identity",
		"x-kss-storage-class": "STANDARD_IA",
	}}, http.StatusOK)
	if got := w.Header().Get("ETag"); got != etag {
		t.Fatalf("PUT ETag %s, want %s", got, etag)
	}
	if w.Header().Get("X-Kss-Request-Id") == "" {
		t.Error("no x-kss-request-id on a successful response")
	}

	for _, method := range []string{"GET", "HEAD"} {
		w := mustDo(t, s, call{method: method, bucket: "bkt", rawKey: "docs/a.txt"}, http.StatusOK)
		h := w.Header()
		want := map[string]string{
			"Content-Type": "text/plain", "ETag": etag, "Content-Length": "10", "Cache-Control": "no-cache",
			"Content-Disposition": "attachment", "Content-Encoding": "identity", "X-Kss-Storage-Class": "STANDARD_IA",
			"Last-Modified": "Tue, 15 Oct 2019 08:30:00 GMT",
		}
		for name, v := range want {
			if got := h.Get(name); got != v {
				t.Errorf("%s %s = %q, want %q", method, name, got, v)
			}
		}
		// Metadata names are written verbatim in lower case.
		for name, v := range map[string]string{"x-kss-meta-iv": "EBES", "x-kss-meta-mtime": "1700000000", "x-kss-meta-origin": "aws"} {
			if got := h[name]; len(got) != 1 || got[0] != v {
				t.Errorf("%s raw header %s = %q, want %q (header map %v)", method, name, got, v, h)
			}
		}
		if method == "GET" && w.Body.String() != string(data) {
			t.Errorf("GET body %q", w.Body)
		}
		if method == "HEAD" && w.Body.Len() != 0 {
			t.Errorf("HEAD has a body")
		}
	}

	mustDo(t, s, call{method: "DELETE", bucket: "bkt", rawKey: "docs/a.txt"}, http.StatusNoContent)
	mustDo(t, s, call{method: "DELETE", bucket: "bkt", rawKey: "docs/a.txt"}, http.StatusNoContent)
	wantError(t, do(t, s, call{method: "GET", bucket: "bkt", rawKey: "docs/a.txt"}), http.StatusNotFound, "NoSuchKey")
	w = mustDo(t, s, call{method: "HEAD", bucket: "bkt", rawKey: "docs/a.txt"}, http.StatusNotFound)
	if w.Body.Len() != 0 {
		t.Errorf("HEAD 404 has a body: %s", w.Body)
	}
	wantError(t, do(t, s, call{method: "GET", bucket: "nobkt", rawKey: "k"}), http.StatusNotFound, "NoSuchBucket")
	wantError(t, do(t, s, call{method: "PUT", bucket: "nobkt", rawKey: "k", body: data}), http.StatusNotFound, "NoSuchBucket")
}

func TestPutObjectValidation(t *testing.T) {
	s := newTestServer(t)
	createBucket(t, s, "bkt")
	data := []byte("payload")
	tests := []struct {
		name   string
		header map[string]string
		status int
		code   string
	}{
		{"malformed Content-MD5", map[string]string{"Content-MD5": "not base64!"}, http.StatusBadRequest, "InvalidDigest"},
		{"short Content-MD5", map[string]string{"Content-MD5": "AAAA"}, http.StatusBadRequest, "InvalidDigest"},
		{"mismatched Content-MD5", map[string]string{"Content-MD5": md5b64([]byte("other"))}, http.StatusBadRequest, "BadDigest"},
		{"unknown storage class", map[string]string{"x-kss-storage-class": "GLACIER"}, http.StatusBadRequest, "InvalidStorageClass"},
		{"unknown canned ACL", map[string]string{"x-kss-acl": "everyone"}, http.StatusBadRequest, "InvalidArgument"},
		{"metadata too large", map[string]string{"x-kss-meta-big": strings.Repeat("x", 2100)}, http.StatusBadRequest, "MetadataTooLarge"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, do(t, s, call{method: "PUT", bucket: "bkt", rawKey: "k", body: data, header: tc.header}), tc.status, tc.code)
		})
	}
	wantError(t, do(t, s, call{method: "GET", bucket: "bkt", rawKey: "k"}), http.StatusNotFound, "NoSuchKey")
	if entries, _ := readDirNames(s.root, tmpDir); len(entries) != 0 {
		t.Errorf("rejected uploads left temporary files: %v", entries)
	}
	for _, class := range []string{"STANDARD", "STANDARD_IA", "DEEP_IA", "ARCHIVE", "COLD_ARCHIVE", "DEEP_COLD_ARCHIVE"} {
		putObject(t, s, "bkt", "c", data, map[string]string{"x-kss-storage-class": class})
		if got := mustDo(t, s, call{method: "HEAD", bucket: "bkt", rawKey: "c"}, http.StatusOK).Header().Get("X-Kss-Storage-Class"); got != class {
			t.Errorf("storage class %q, want %q", got, class)
		}
	}
	putObject(t, s, "bkt", "default", data, nil)
	if got := mustDo(t, s, call{method: "HEAD", bucket: "bkt", rawKey: "default"}, http.StatusOK).Header(); got.Get("X-Kss-Storage-Class") != "STANDARD" || got.Get("Content-Type") != "application/octet-stream" {
		t.Errorf("defaults: storage class %q, content type %q", got.Get("X-Kss-Storage-Class"), got.Get("Content-Type"))
	}
}

// TestOddKeys stores keys that break servers mapping keys to file names.
func TestOddKeys(t *testing.T) {
	s := newTestServer(t)
	createBucket(t, s, "bkt")
	long := strings.Repeat("k", 1024)
	tests := []struct {
		name, rawKey, key string
	}{
		{"double slash", "a/%2Fb", "a//b"},
		{"double slash raw", "a//b2", "a//b2"},
		{"leading slash", "%2Flead", "/lead"},
		{"unicode", "%E4%B8%AD%E6%96%87/gr%C3%BC%C3%9Fe.txt", "中文/grüße.txt"},
		{"plus is a space", "ideas+plans.md", "ideas plans.md"},
		{"encoded plus", "ideas%2Bplans.md", "ideas+plans.md"},
		{"space", "todo%20list.txt", "todo list.txt"},
		{"prefix of another key", "dir", "dir"},
		{"below the prefix", "dir/file", "dir/file"},
		{"trailing slash", "dir/", "dir/"},
		{"dots", "a/../b/./c", "a/../b/./c"},
		{"1024 bytes", long, long},
		{"query characters", "q%3Fx%3D1%26y%23z", "q?x=1&y#z"},
	}
	for _, tc := range tests {
		putObject(t, s, "bkt", tc.rawKey, []byte(tc.name), nil)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(getBody(t, s, "bkt", urlEncodeKey(tc.key))); got != tc.name {
				t.Errorf("GET %q = %q, want %q", tc.key, got, tc.name)
			}
		})
	}
	var res listBucketResult
	decodeXML(t, mustDo(t, s, call{method: "GET", bucket: "bkt"}, http.StatusOK), &res)
	keys := map[string]bool{}
	for _, c := range res.Contents {
		keys[c.Key] = true
	}
	for _, tc := range tests {
		if !keys[tc.key] {
			t.Errorf("key %q not listed", tc.key)
		}
	}
	wantError(t, do(t, s, call{method: "PUT", bucket: "bkt", rawKey: long + "k", body: []byte("x")}), http.StatusBadRequest, "KeyTooLong")
	wantError(t, do(t, s, call{method: "PUT", bucket: "bkt", rawKey: "bad%ZZ", body: []byte("x")}), http.StatusBadRequest, "InvalidURI")
	wantError(t, do(t, s, call{method: "PUT", bucket: "bkt", rawKey: "bad%FF", body: []byte("x")}), http.StatusBadRequest, "InvalidKey")
}

func TestVirtualHostAddressing(t *testing.T) {
	s := newTestServer(t)
	mustDo(t, s, call{method: "PUT", bucket: "vbkt", virtual: true}, http.StatusOK)
	mustDo(t, s, call{method: "PUT", bucket: "vbkt", rawKey: "%2Fa%20b", body: []byte("v"), virtual: true}, http.StatusOK)
	if got := string(getBody(t, s, "vbkt", "%2Fa%20b")); got != "v" {
		t.Fatalf("path-style GET of a virtual-host PUT = %q", got)
	}
	for _, host := range []string{"vbkt.localhost:9000", "vbkt.127.0.0.1:9000", "vbkt.127.0.0.1", "VBKT.LOCALHOST"} {
		r := call{method: "GET", bucket: "vbkt", anonymous: true}.newRequest()
		r.Host, r.RequestURI = host, "/%2Fa%20b"
		r.Header.Set("Date", testNow.Format(http.TimeFormat))
		r.Header.Set("Authorization", "KSS "+testAK+":"+testSign(testSK, "GET", r.Header, r.Header.Get("Date"), "vbkt", "%2Fa%20b", ""))
		w := httptestRecorder(s, r)
		if w.Code != http.StatusOK || w.Body.String() != "v" {
			t.Errorf("Host %s: %d %s", host, w.Code, w.Body)
		}
	}
	for _, tc := range []struct{ host, bucket string }{
		{"127.0.0.1:9000", ""}, {"localhost:9000", ""}, {"my.bucket.127.0.0.1:80", "my.bucket"},
		{"b.ks3-cn-beijing.ksyuncs.com", "b"}, {"ks3-cn-beijing.ksyuncs.com", ""}, {"[::1]:9000", ""}, {"example.com", ""},
	} {
		got, ok := virtualBucket(tc.host, testDomain)
		if got != tc.bucket || ok != (tc.bucket != "") {
			t.Errorf("virtualBucket(%q) = %q, %v; want %q", tc.host, got, ok, tc.bucket)
		}
	}
}

func TestRangeAndOverrides(t *testing.T) {
	s := newTestServer(t)
	createBucket(t, s, "bkt")
	data := []byte("0123456789")
	putObject(t, s, "bkt", "r", data, nil)
	tests := []struct {
		rng, body, contentRange string
		status                  int
	}{
		{"bytes=0-3", "0123", "bytes 0-3/10", http.StatusPartialContent},
		{"bytes=7-", "789", "bytes 7-9/10", http.StatusPartialContent},
		{"bytes=-2", "89", "bytes 8-9/10", http.StatusPartialContent},
		{"bytes=5-100", "56789", "bytes 5-9/10", http.StatusPartialContent},
		{"bytes=-100", "0123456789", "bytes 0-9/10", http.StatusPartialContent},
		{"bytes=0-1,4-5", "0123456789", "", http.StatusOK},
		{"items=0-1", "0123456789", "", http.StatusOK},
		{"bytes=10-", "", "bytes */10", http.StatusRequestedRangeNotSatisfiable},
		{"bytes=-0", "", "bytes */10", http.StatusRequestedRangeNotSatisfiable},
	}
	for _, tc := range tests {
		t.Run(tc.rng, func(t *testing.T) {
			w := do(t, s, call{method: "GET", bucket: "bkt", rawKey: "r", header: map[string]string{"Range": tc.rng}})
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d", w.Code, tc.status)
			}
			if tc.status == http.StatusRequestedRangeNotSatisfiable {
				wantError(t, w, tc.status, "InvalidRange")
			} else if w.Body.String() != tc.body {
				t.Errorf("body %q, want %q", w.Body, tc.body)
			}
			if got := w.Header().Get("Content-Range"); got != tc.contentRange {
				t.Errorf("Content-Range %q, want %q", got, tc.contentRange)
			}
		})
	}
	w := mustDo(t, s, call{method: "GET", bucket: "bkt", rawKey: "r",
		query: "response-content-type=text%2Fcsv&response-cache-control=max-age%3D60"}, http.StatusOK)
	if w.Header().Get("Content-Type") != "text/csv" || w.Header().Get("Cache-Control") != "max-age=60" {
		t.Errorf("overrides not applied: %v", w.Header())
	}
}

func TestCopyObject(t *testing.T) {
	s := newTestServer(t)
	createBucket(t, s, "src")
	createBucket(t, s, "dst")
	data := []byte("copy me")
	putObject(t, s, "src", "dir/a%20b", data, map[string]string{"x-kss-meta-color": "red", "Content-Type": "text/plain"})

	copyCall := func(source string, header map[string]string) call {
		h := map[string]string{"x-kss-copy-source": source}
		for k, v := range header {
			h[k] = v
		}
		return call{method: "PUT", bucket: "dst", rawKey: "copy", header: h}
	}
	var res copyObjectResult
	w := mustDo(t, s, copyCall("/src/dir/a%20b", nil), http.StatusOK)
	decodeXML(t, w, &res)
	sum := md5.Sum(data)
	if res.ETag != `"`+hex.EncodeToString(sum[:])+`"` || res.LastModified != "2019-10-15T08:30:00.000Z" {
		t.Errorf("CopyObjectResult %+v", res)
	}
	h := mustDo(t, s, call{method: "HEAD", bucket: "dst", rawKey: "copy"}, http.StatusOK).Header()
	if h["x-kss-meta-color"][0] != "red" || h.Get("Content-Type") != "text/plain" {
		t.Errorf("COPY did not keep metadata: %v", h)
	}
	// The Python SDK form-encodes the whole source with quote_plus.
	mustDo(t, s, copyCall(url.QueryEscape("/src/dir/a b"), map[string]string{
		"x-kss-metadata-directive": "REPLACE", "x-kss-meta-shape": "round", "Content-Type": "image/png",
	}), http.StatusOK)
	h = mustDo(t, s, call{method: "HEAD", bucket: "dst", rawKey: "copy"}, http.StatusOK).Header()
	if _, ok := h["x-kss-meta-color"]; ok || h["x-kss-meta-shape"][0] != "round" || h.Get("Content-Type") != "image/png" {
		t.Errorf("REPLACE did not replace metadata: %v", h)
	}
	if got := string(getBody(t, s, "dst", "copy")); got != string(data) {
		t.Errorf("copied body %q", got)
	}
	// Deleting the source leaves the copy intact.
	mustDo(t, s, call{method: "DELETE", bucket: "src", rawKey: "dir/a%20b"}, http.StatusNoContent)
	if got := string(getBody(t, s, "dst", "copy")); got != string(data) {
		t.Errorf("copy after source delete %q", got)
	}

	self := call{method: "PUT", bucket: "dst", rawKey: "copy", header: map[string]string{"x-kss-copy-source": "/dst/copy"}}
	wantError(t, do(t, s, self), http.StatusBadRequest, "InvalidRequest")
	self.header["x-kss-metadata-directive"] = "REPLACE"
	mustDo(t, s, self, http.StatusOK)
	self.header["x-kss-metadata-directive"] = "MOVE"
	wantError(t, do(t, s, self), http.StatusBadRequest, "InvalidArgument")
	wantError(t, do(t, s, copyCall("/src/missing", nil)), http.StatusNotFound, "NoSuchKey")
	wantError(t, do(t, s, copyCall("/nobucket/missing", nil)), http.StatusNotFound, "NoSuchBucket")
	wantError(t, do(t, s, copyCall("/src", nil)), http.StatusBadRequest, "InvalidArgument")
	if got := string(getBody(t, s, "dst", "copy")); got != string(data) {
		t.Errorf("self copy body %q", got)
	}
}

func TestDeleteObjects(t *testing.T) {
	s := newTestServer(t)
	createBucket(t, s, "bkt")
	for i := range 5 {
		putObject(t, s, "bkt", fmt.Sprintf("k%d", i), []byte("x"), nil)
	}
	body := []byte(`<Delete><Object><Key>k0</Key></Object><Object><Key>k1</Key></Object><Object><Key>missing</Key></Object></Delete>`)
	w := mustDo(t, s, call{method: "POST", bucket: "bkt", query: "delete", body: body,
		header: map[string]string{"Content-MD5": md5b64(body)}}, http.StatusOK)
	var res deleteResult
	decodeXML(t, w, &res)
	if len(res.Deleted) != 3 || len(res.Errors) != 0 {
		t.Errorf("DeleteResult %+v", res)
	}
	quiet := []byte(`<Delete><Quiet>true</Quiet><Object><Key>k2</Key></Object></Delete>`)
	w = mustDo(t, s, call{method: "POST", bucket: "bkt", query: "delete", body: quiet,
		header: map[string]string{"Content-MD5": md5b64(quiet)}}, http.StatusOK)
	res = deleteResult{}
	decodeXML(t, w, &res)
	if len(res.Deleted) != 0 {
		t.Errorf("quiet delete listed %v", res.Deleted)
	}
	var list listBucketResult
	decodeXML(t, mustDo(t, s, call{method: "GET", bucket: "bkt"}, http.StatusOK), &list)
	if len(list.Contents) != 2 {
		t.Errorf("after deleting 3 of 5 keys, %d remain", len(list.Contents))
	}

	var many bytes.Buffer
	many.WriteString("<Delete>")
	for i := range 1001 {
		fmt.Fprintf(&many, "<Object><Key>k%d</Key></Object>", i)
	}
	many.WriteString("</Delete>")
	tests := []struct {
		name   string
		body   []byte
		header map[string]string
		status int
		code   string
	}{
		{"no Content-MD5", body, nil, http.StatusBadRequest, "InvalidRequest"},
		{"wrong Content-MD5", body, map[string]string{"Content-MD5": md5b64([]byte("x"))}, http.StatusBadRequest, "BadDigest"},
		{"more than 1000 keys", many.Bytes(), map[string]string{"Content-MD5": md5b64(many.Bytes())}, http.StatusBadRequest, "MalformedXML"},
		{"not XML", []byte("<Delete"), map[string]string{"Content-MD5": md5b64([]byte("<Delete"))}, http.StatusBadRequest, "MalformedXML"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, do(t, s, call{method: "POST", bucket: "bkt", query: "delete", body: tc.body, header: tc.header}), tc.status, tc.code)
		})
	}
}
