package ks3test

import (
	"bytes"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3"
)

// fetch sends a plain HTTP request, as a browser or curl would, and returns
// the status and body.
func fetch(t *testing.T, method, url string, header map[string]string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(len(body))
	for name, v := range header {
		req.Header[name] = []string{v}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s presigned URL: %v", method, err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s presigned URL: read body: %v", method, err)
	}
	return resp, got
}

func (s *suite) testPresigned(t *testing.T) {
	const key = "conf-presign/a b+c/中.txt"
	s.cleanupPrefix(t, "conf-presign/")
	data := payload(3000, 11)
	s.put(t, key, data, ks3.PutOptions{ContentType: "application/octet-stream"})
	expires := time.Now().Add(15 * time.Minute)

	u, err := s.c.PresignURL(http.MethodGet, s.bucket, key, expires, ks3.PresignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if resp, body := fetch(t, http.MethodGet, u, nil, nil); resp.StatusCode != http.StatusOK || !bytes.Equal(body, data) {
		t.Errorf("GET presigned URL: status %d, %d bytes; want 200 and the object", resp.StatusCode, len(body))
	}

	u, err = s.c.PresignURL(http.MethodGet, s.bucket, key, expires, ks3.PresignOptions{
		ResponseHeaders: map[string]string{"response-content-type": "text/x-presigned"}})
	if err != nil {
		t.Fatal(err)
	}
	if resp, _ := fetch(t, http.MethodGet, u, nil, nil); resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/x-presigned" && !s.opts.Permissive {
		t.Errorf("GET presigned URL with response-content-type: status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	const upKey = "conf-presign/uploaded via URL.bin"
	up := payload(500, 12)
	u, err = s.c.PresignURL(http.MethodPut, s.bucket, upKey, expires, ks3.PresignOptions{
		Headers: map[string]string{s.opts.metaHeader("via"): "presigned", "Content-Type": "application/x-up"}})
	if err != nil {
		t.Fatal(err)
	}
	header := map[string]string{s.opts.metaHeader("via"): "presigned", "Content-Type": "application/x-up"}
	if resp, body := fetch(t, http.MethodPut, u, header, up); resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT presigned URL: status %d: %s", resp.StatusCode, body)
	}
	info := s.head(t, upKey)
	if info.Size != int64(len(up)) || info.ETag != md5Hex(up) || info.Metadata["via"] != "presigned" || info.ContentType != "application/x-up" {
		t.Errorf("object uploaded with a presigned URL = %+v", info)
	}

	if s.opts.Permissive {
		return // the endpoint checks neither signatures nor expiry
	}
	expired, err := s.c.PresignURL(http.MethodGet, s.bucket, key, time.Now().Add(-time.Hour), ks3.PresignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if resp, _ := fetch(t, http.MethodGet, expired, nil, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("GET expired presigned URL: status %d, want 403", resp.StatusCode)
	}
	if resp, _ := fetch(t, http.MethodPut, u, map[string]string{s.opts.metaHeader("via"): "tampered", "Content-Type": "application/x-up"}, up); resp.StatusCode != http.StatusForbidden {
		t.Errorf("PUT presigned URL with a header other than signed: status %d, want 403", resp.StatusCode)
	}
}
