package handlers

import (
	"net/http"
	"strings"
	"testing"
)

func TestBuckets(t *testing.T) {
	s := newTestServer(t)
	createBucket(t, s, "alpha")
	conf := []byte(`<CreateBucketConfiguration><LocationConstraint>BEIJING</LocationConstraint></CreateBucketConfiguration>`)
	mustDo(t, s, call{method: "PUT", bucket: "beta", body: conf, header: map[string]string{"x-kss-acl": "public-read"}}, http.StatusOK)
	wantError(t, do(t, s, call{method: "PUT", bucket: "alpha"}), http.StatusConflict, "BucketAlreadyExists")

	var list listAllMyBucketsResult
	decodeXML(t, mustDo(t, s, call{method: "GET"}, http.StatusOK), &list)
	if len(list.Buckets) != 2 || list.Buckets[0].Name != "alpha" || list.Buckets[1].Name != "beta" ||
		list.Buckets[1].Region != "BEIJING" || list.Buckets[0].CreationDate != "2019-10-15T08:30:00.000Z" || list.Owner.ID == "" {
		t.Errorf("ListAllMyBucketsResult %+v", list)
	}

	var loc locationConstraint
	decodeXML(t, mustDo(t, s, call{method: "GET", bucket: "beta", query: "location"}, http.StatusOK), &loc)
	if loc.Location != "BEIJING" {
		t.Errorf("location %q", loc.Location)
	}
	mustDo(t, s, call{method: "HEAD", bucket: "beta"}, http.StatusOK)
	if w := mustDo(t, s, call{method: "HEAD", bucket: "gamma"}, http.StatusNotFound); w.Body.Len() != 0 {
		t.Errorf("HEAD bucket 404 has a body")
	}

	putObject(t, s, "alpha", "k", []byte("x"), nil)
	wantError(t, do(t, s, call{method: "DELETE", bucket: "alpha"}), http.StatusConflict, "BucketNotEmpty")
	mustDo(t, s, call{method: "DELETE", bucket: "alpha", rawKey: "k"}, http.StatusNoContent)
	mustDo(t, s, call{method: "POST", bucket: "alpha", rawKey: "big", query: "uploads"}, http.StatusOK)
	wantError(t, do(t, s, call{method: "DELETE", bucket: "alpha"}), http.StatusConflict, "BucketNotEmpty")
	mustDo(t, s, call{method: "DELETE", bucket: "beta"}, http.StatusNoContent)
	wantError(t, do(t, s, call{method: "DELETE", bucket: "beta"}), http.StatusNotFound, "NoSuchBucket")
}

func TestBucketValidation(t *testing.T) {
	s := newTestServer(t)
	for _, name := range []string{"ab", strings.Repeat("a", 64), "Upper", "-lead", "trail-", "sp%20ace", "dot.", "sl%2Fash", "a..b", "192.168.1.1", "10.0.0.255", "..", "%2E%2E", "a%2F..%2Fb"} {
		t.Run(name, func(t *testing.T) {
			wantError(t, do(t, s, call{method: "PUT", bucket: name}), http.StatusBadRequest, "InvalidBucketName")
		})
	}
	for _, name := range []string{"abc", strings.Repeat("a", 63), "my_bucket-1", "a.b.c", "007", "1.2.3", "1.2.3.4.5"} {
		mustDo(t, s, call{method: "PUT", bucket: name}, http.StatusOK)
	}
	tests := []struct {
		name string
		c    call
		code string
	}{
		{"bad canned ACL", call{method: "PUT", bucket: "acl-bad", header: map[string]string{"x-kss-acl": "secret"}}, "InvalidArgument"},
		{"bad bucket type", call{method: "PUT", bucket: "type-bad", header: map[string]string{"x-kss-bucket-type": "FAST"}}, "InvalidArgument"},
		{"bad configuration", call{method: "PUT", bucket: "conf-bad", body: []byte("<CreateBucketConfiguration>")}, "MalformedXML"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, do(t, s, tc.c), http.StatusBadRequest, tc.code)
		})
	}
}

func TestUnsupportedAndInvalid(t *testing.T) {
	s := newTestServer(t)
	createBucket(t, s, "bkt")
	wantError(t, do(t, s, call{method: "PUT", bucket: "bkt", query: "lifecycle", body: []byte("<x/>")}), http.StatusNotImplemented, "NotImplemented")
	wantError(t, do(t, s, call{method: "GET", bucket: "bkt", rawKey: "k", query: "tagging"}), http.StatusNotImplemented, "NotImplemented")
	wantError(t, do(t, s, call{method: "POST", bucket: "bkt"}), http.StatusMethodNotAllowed, "MethodNotAllowed")
	wantError(t, do(t, s, call{method: "PUT"}), http.StatusMethodNotAllowed, "MethodNotAllowed")
	wantError(t, do(t, s, call{method: "PATCH", bucket: "bkt", rawKey: "k"}), http.StatusMethodNotAllowed, "MethodNotAllowed")
	wantError(t, do(t, s, call{method: "GET", bucket: "bkt", query: "a=%zz"}), http.StatusBadRequest, "InvalidURI")
}
