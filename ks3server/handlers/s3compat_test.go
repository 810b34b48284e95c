package handlers

import (
	"encoding/base64"
	"fmt"
	"hash/crc32"
	"net/http"
	"net/url"
	"slices"
	"testing"
)

// listV2 sends one ListObjectsV2 request with the query params.
func listV2(t *testing.T, s *testServer, bucket string, params url.Values) listBucketResultV2 {
	t.Helper()
	params.Set("list-type", "2")
	w := mustDo(t, s, call{method: "GET", bucket: bucket, query: params.Encode()}, http.StatusOK)
	var res listBucketResultV2
	decodeXML(t, w, &res)
	return res
}

// walkV2 follows continuation tokens to the end and returns the keys and
// common prefixes in order.
func walkV2(t *testing.T, s *testServer, bucket string, params url.Values) []string {
	t.Helper()
	var out []string
	for token := ""; ; {
		p := url.Values{}
		for k, v := range params {
			p[k] = slices.Clone(v)
		}
		if token != "" {
			p.Set("continuation-token", token)
		}
		res := listV2(t, s, bucket, p)
		if res.KeyCount != len(res.Contents)+len(res.CommonPrefixes) || res.ContinuationToken != token {
			t.Fatalf("page: KeyCount %d for %d entries, ContinuationToken %q (sent %q)",
				res.KeyCount, len(res.Contents)+len(res.CommonPrefixes), res.ContinuationToken, token)
		}
		for _, c := range res.Contents {
			out = append(out, c.Key)
		}
		for _, p := range res.CommonPrefixes {
			out = append(out, p.Prefix)
		}
		if !res.IsTruncated {
			return out
		}
		if res.NextContinuationToken == "" {
			t.Fatal("truncated page without NextContinuationToken")
		}
		token = res.NextContinuationToken
	}
}

func TestListObjectsV2(t *testing.T) {
	s := newTestServer(t)
	createBucket(t, s, "listv2")
	var all, delimited []string
	for i := range 30 {
		f, d := fmt.Sprintf("d/%02d.txt", i), fmt.Sprintf("d/%02d/x", i)
		putObject(t, s, "listv2", url.PathEscape(f), []byte("x"), nil)
		putObject(t, s, "listv2", "d/"+fmt.Sprintf("%02d", i)+"/x", []byte("y"), nil)
		all = append(all, f, d)
		delimited = append(delimited, f, fmt.Sprintf("d/%02d/", i))
	}
	slices.Sort(all)
	slices.Sort(delimited)
	tests := []struct {
		name   string
		params url.Values
		want   []string
	}{
		{"pages of 7", url.Values{"max-keys": {"7"}}, all},
		{"delimiter, pages of 4", url.Values{"prefix": {"d/"}, "delimiter": {"/"}, "max-keys": {"4"}}, delimited},
		{"start-after", url.Values{"start-after": {all[50]}, "max-keys": {"3"}}, all[51:]},
		{"start-after inside a common prefix", url.Values{"prefix": {"d/"}, "delimiter": {"/"}, "start-after": {"d/05/x"}}, delimited[12:]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A page lists its objects before its common prefixes, so
			// compare in key order.
			got := walkV2(t, s, "listv2", tt.params)
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("listing\n got %q\nwant %q", got, tt.want)
			}
		})
	}

	first := listV2(t, s, "listv2", url.Values{"max-keys": {"1"}, "start-after": {"d/00.txt"}})
	if first.StartAfter != "d/00.txt" || first.MaxKeys != 1 || first.Contents[0].Owner != nil {
		t.Errorf("page = %+v, want StartAfter echoed, MaxKeys 1, no owner", first)
	}
	owned := listV2(t, s, "listv2", url.Values{"max-keys": {"1"}, "fetch-owner": {"true"}})
	if len(owned.Contents) != 1 || owned.Contents[0].Owner == nil || owned.Contents[0].Owner.ID == "" {
		t.Errorf("fetch-owner=true: %+v, want an owner", owned.Contents)
	}
	w := do(t, s, call{method: "GET", bucket: "listv2", query: "list-type=2&continuation-token=%25%25"})
	wantError(t, w, http.StatusBadRequest, "InvalidArgument")
}

func TestObjectHeadersInBothSpellings(t *testing.T) {
	s := newTestServer(t)
	createBucket(t, s, "hdr")
	putObject(t, s, "hdr", "k", []byte("x"), map[string]string{"x-amz-meta-color": "red", "x-kss-storage-class": "STANDARD_IA"})
	w := mustDo(t, s, call{method: "HEAD", bucket: "hdr", rawKey: "k"}, http.StatusOK)
	h := w.Header()
	for name, want := range map[string]string{
		"x-kss-meta-color": "red", "x-amz-meta-color": "red",
		"X-Kss-Storage-Class": "STANDARD_IA", "X-Amz-Storage-Class": "STANDARD_IA",
	} {
		if got := h[name]; len(got) != 1 || got[0] != want {
			t.Errorf("%s = %q, want [%s]", name, got, want)
		}
	}
}

// TestDeleteObjectsWithChecksum accepts an x-amz-checksum-* header instead
// of Content-MD5, as current AWS SDKs send, and verifies it.
func TestDeleteObjectsWithChecksum(t *testing.T) {
	s := newTestServer(t)
	createBucket(t, s, "mdel")
	body := []byte("<Delete><Object><Key>k</Key></Object></Delete>")
	crc := crc32.ChecksumIEEE(body)
	good := base64.StdEncoding.EncodeToString([]byte{byte(crc >> 24), byte(crc >> 16), byte(crc >> 8), byte(crc)})
	for _, tt := range []struct {
		header map[string]string
		status int
		code   string
	}{
		{map[string]string{"x-amz-checksum-crc32": good}, http.StatusOK, ""},
		{map[string]string{"x-amz-checksum-crc32": "AAAAAA=="}, http.StatusBadRequest, "BadDigest"},
		{nil, http.StatusBadRequest, "InvalidRequest"},
	} {
		putObject(t, s, "mdel", "k", []byte("x"), nil)
		w := do(t, s, call{method: "POST", bucket: "mdel", query: "delete", body: body, header: tt.header})
		if tt.code != "" {
			wantError(t, w, tt.status, tt.code)
		} else if w.Code != tt.status {
			t.Errorf("%v: status %d, want %d: %s", tt.header, w.Code, tt.status, w.Body)
		}
	}
}
