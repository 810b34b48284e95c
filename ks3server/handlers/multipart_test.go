package handlers

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// initiate starts an upload and returns its id.
func initiate(t *testing.T, s http.Handler, bucket, rawKey string, header map[string]string) string {
	t.Helper()
	var res initiateMultipartUploadResult
	decodeXML(t, mustDo(t, s, call{method: "POST", bucket: bucket, rawKey: rawKey, query: "uploads", header: header}, http.StatusOK), &res)
	if res.UploadID == "" || res.Bucket != bucket {
		t.Fatalf("InitiateMultipartUploadResult %+v", res)
	}
	return res.UploadID
}

// uploadPart uploads one part and returns its ETag.
func uploadPart(t *testing.T, s http.Handler, bucket, rawKey, id string, n int, data []byte) string {
	t.Helper()
	w := mustDo(t, s, call{method: "PUT", bucket: bucket, rawKey: rawKey, query: fmt.Sprintf("partNumber=%d&uploadId=%s", n, id),
		body: data, header: map[string]string{"Content-MD5": md5b64(data)}}, http.StatusOK)
	return w.Header().Get("ETag")
}

// completeBody is a CompleteMultipartUpload document for number:etag pairs.
func completeBody(parts ...any) []byte {
	var b bytes.Buffer
	b.WriteString("<CompleteMultipartUpload>")
	for i := 0; i < len(parts); i += 2 {
		fmt.Fprintf(&b, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", parts[i], parts[i+1])
	}
	b.WriteString("</CompleteMultipartUpload>")
	return b.Bytes()
}

// countBlobs counts the blob files under the root.
func countBlobs(t *testing.T, s *testServer) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(filepath.Join(s.root, objectsDir), func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMultipartUpload(t *testing.T) {
	s := newTestServer(t)
	createBucket(t, s, "bkt")
	id := initiate(t, s, "bkt", "big%20file", map[string]string{
		"Content-Type": "video/mp4", "x-kss-meta-iv": "abc", "x-kss-storage-class": "STANDARD_IA", "x-kss-acl": "public-read",
	})
	p1 := bytes.Repeat([]byte("1"), minPartSize)
	p2 := bytes.Repeat([]byte("2"), minPartSize+5)
	p3 := []byte("tail")
	uploadPart(t, s, "bkt", "big%20file", id, 2, []byte("replaced below"))
	e1 := uploadPart(t, s, "bkt", "big%20file", id, 1, p1)
	e2 := uploadPart(t, s, "bkt", "big%20file", id, 2, p2)
	e3 := uploadPart(t, s, "bkt", "big%20file", id, 3, p3)
	if countBlobs(t, s) != 3 {
		t.Errorf("%d blobs after replacing a part, want 3", countBlobs(t, s))
	}

	// ListParts answers with ns2-prefixed elements, as the Python SDK needs.
	w := mustDo(t, s, call{method: "GET", bucket: "bkt", rawKey: "big%20file", query: "uploadId=" + id + "&max-parts=2"}, http.StatusOK)
	if body := w.Body.String(); !strings.Contains(body, `<ListPartsResult xmlns:ns2="http://s3.amazonaws.com/doc/2006-03-01/">`) ||
		strings.Count(body, "<ns2:Part>") != 2 || strings.Contains(body, "<Part>") {
		t.Errorf("ListParts body: %s", body)
	}
	var lp struct {
		IsTruncated          bool
		NextPartNumberMarker int
		StorageClass         string
		Parts                []struct {
			PartNumber int
			ETag       string
			Size       int64
		} `xml:"Part"`
	}
	decodeXML(t, w, &lp)
	if !lp.IsTruncated || lp.NextPartNumberMarker != 2 || lp.StorageClass != "STANDARD_IA" ||
		len(lp.Parts) != 2 || lp.Parts[1].ETag != e2 || lp.Parts[1].Size != int64(len(p2)) {
		t.Errorf("ListParts page 1: %+v", lp)
	}
	lp.Parts = nil
	decodeXML(t, mustDo(t, s, call{method: "GET", bucket: "bkt", rawKey: "big%20file",
		query: "uploadId=" + id + "&part-number-marker=2"}, http.StatusOK), &lp)
	if lp.IsTruncated || len(lp.Parts) != 1 || lp.Parts[0].PartNumber != 3 {
		t.Errorf("ListParts page 2: %+v", lp)
	}

	var res completeMultipartUploadResult
	decodeXML(t, mustDo(t, s, call{method: "POST", bucket: "bkt", rawKey: "big%20file", query: "uploadId=" + id,
		body: completeBody(1, e1, 2, strings.Trim(e2, `"`), 3, e3)}, http.StatusOK), &res)
	h := md5.New()
	for _, p := range [][]byte{p1, p2, p3} {
		sum := md5.Sum(p)
		h.Write(sum[:])
	}
	wantETag := fmt.Sprintf(`"%s-3"`, hex.EncodeToString(h.Sum(nil)))
	if res.ETag != wantETag || res.Key != "big file" || res.Bucket != "bkt" || !strings.HasSuffix(res.Location, "/bkt/big%20file") {
		t.Errorf("CompleteMultipartUploadResult %+v, want ETag %s", res, wantETag)
	}

	whole := append(append(append([]byte(nil), p1...), p2...), p3...)
	if got := getBody(t, s, "bkt", "big%20file"); !bytes.Equal(got, whole) {
		t.Errorf("completed object differs (%d bytes, want %d)", len(got), len(whole))
	}
	w = mustDo(t, s, call{method: "GET", bucket: "bkt", rawKey: "big%20file",
		header: map[string]string{"Range": fmt.Sprintf("bytes=%d-%d", minPartSize-2, 2*minPartSize+6)}}, http.StatusPartialContent)
	if !bytes.Equal(w.Body.Bytes(), whole[minPartSize-2:2*minPartSize+7]) {
		t.Errorf("range across parts differs")
	}
	hd := mustDo(t, s, call{method: "HEAD", bucket: "bkt", rawKey: "big%20file", anonymous: true}, http.StatusOK).Header()
	if hd.Get("ETag") != wantETag || hd.Get("Content-Type") != "video/mp4" || hd["x-kss-meta-iv"][0] != "abc" ||
		hd.Get("X-Kss-Storage-Class") != "STANDARD_IA" {
		t.Errorf("completed object headers %v", hd)
	}
	wantError(t, do(t, s, call{method: "GET", bucket: "bkt", rawKey: "big%20file", query: "uploadId=" + id}), http.StatusNotFound, "NoSuchUpload")
	if countBlobs(t, s) != 3 {
		t.Errorf("%d blobs after completing 3 parts", countBlobs(t, s))
	}
}

func TestMultipartErrors(t *testing.T) {
	s := newTestServer(t)
	createBucket(t, s, "bkt")
	id := initiate(t, s, "bkt", "k", nil)
	big := bytes.Repeat([]byte("b"), minPartSize)
	e1 := uploadPart(t, s, "bkt", "k", id, 1, big)
	e2 := uploadPart(t, s, "bkt", "k", id, 2, []byte("small"))
	e3 := uploadPart(t, s, "bkt", "k", id, 3, big)

	part := func(q string, body []byte, header map[string]string) call {
		return call{method: "PUT", bucket: "bkt", rawKey: "k", query: q, body: body, header: header}
	}
	complete := func(body []byte) call {
		return call{method: "POST", bucket: "bkt", rawKey: "k", query: "uploadId=" + id, body: body}
	}
	tests := []struct {
		name   string
		c      call
		status int
		code   string
	}{
		{"part number 0", part("partNumber=0&uploadId="+id, big, nil), 400, "InvalidPartNum"},
		{"part number 10001", part("partNumber=10001&uploadId="+id, big, nil), 400, "InvalidPartNum"},
		{"part number not a number", part("partNumber=one&uploadId="+id, big, nil), 400, "InvalidArgument"},
		{"unknown upload", part("partNumber=1&uploadId=nope", big, nil), 404, "NoSuchUpload"},
		{"part with bad Content-MD5", part("partNumber=4&uploadId="+id, big, map[string]string{"Content-MD5": md5b64([]byte("x"))}), 400, "BadDigest"},
		{"gap", complete(completeBody(1, e1, 3, e3)), 400, "InvalidPartOrder"},
		{"disorder", complete(completeBody(2, e2, 1, e1)), 400, "InvalidPartOrder"},
		{"duplicate", complete(completeBody(1, e1, 1, e1)), 400, "InvalidPartOrder"},
		{"unknown part", complete(completeBody(3, e3, 4, e3)), 400, "InvalidPart"},
		{"etag mismatch", complete(completeBody(1, e3[:5]+`x"`)), 400, "InvalidPart"},
		{"small middle part", complete(completeBody(1, e1, 2, e2, 3, e3)), 400, "EntityTooSmall"},
		{"empty list", complete(completeBody()), 400, "MalformedXML"},
		{"not xml", complete([]byte("<Complete")), 400, "MalformedXML"},
		{"complete unknown upload", call{method: "POST", bucket: "bkt", rawKey: "k", query: "uploadId=nope", body: completeBody(1, e1)}, 404, "NoSuchUpload"},
		{"abort unknown upload", call{method: "DELETE", bucket: "bkt", rawKey: "k", query: "uploadId=nope"}, 404, "NoSuchUpload"},
		{"upload of another key", call{method: "GET", bucket: "bkt", rawKey: "other", query: "uploadId=" + id}, 404, "NoSuchUpload"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, do(t, s, tc.c), tc.status, tc.code)
		})
	}
	// A small last part is fine.
	mustDo(t, s, complete(completeBody(1, e1, 2, e2)), http.StatusOK)
	if countBlobs(t, s) != 2 {
		t.Errorf("%d blobs after completing with 2 of 3 parts, want 2", countBlobs(t, s))
	}

	id = initiate(t, s, "bkt", "aborted", nil)
	uploadPart(t, s, "bkt", "aborted", id, 1, big)
	mustDo(t, s, call{method: "DELETE", bucket: "bkt", rawKey: "aborted", query: "uploadId=" + id}, http.StatusNoContent)
	wantError(t, do(t, s, call{method: "DELETE", bucket: "bkt", rawKey: "aborted", query: "uploadId=" + id}), http.StatusNotFound, "NoSuchUpload")
	if countBlobs(t, s) != 2 {
		t.Errorf("%d blobs after an abort, want 2", countBlobs(t, s))
	}
}

func TestUploadPartCopy(t *testing.T) {
	s := newTestServer(t)
	createBucket(t, s, "bkt")
	src := bytes.Repeat([]byte("0123456789"), minPartSize/5)
	putObject(t, s, "bkt", "src", src, nil)
	id := initiate(t, s, "bkt", "dst", nil)
	copyPart := func(n int, rng string) string {
		var res copyObjectResult
		decodeXML(t, mustDo(t, s, call{method: "PUT", bucket: "bkt", rawKey: "dst", query: fmt.Sprintf("partNumber=%d&uploadId=%s", n, id),
			header: map[string]string{"x-kss-copy-source": "/bkt/src", "x-kss-copy-source-range": rng}}, http.StatusOK), &res)
		return res.ETag
	}
	e1 := copyPart(1, fmt.Sprintf("bytes=0-%d", minPartSize-1))
	e2 := copyPart(2, fmt.Sprintf("bytes=%d-%d", minPartSize, len(src)-1))
	for _, rng := range []string{"bytes=5-1", fmt.Sprintf("bytes=0-%d", len(src)), "5-9"} {
		wantError(t, do(t, s, call{method: "PUT", bucket: "bkt", rawKey: "dst", query: "partNumber=3&uploadId=" + id,
			header: map[string]string{"x-kss-copy-source": "/bkt/src", "x-kss-copy-source-range": rng}}), http.StatusBadRequest, "InvalidArgument")
	}
	mustDo(t, s, call{method: "POST", bucket: "bkt", rawKey: "dst", query: "uploadId=" + id, body: completeBody(1, e1, 2, e2)}, http.StatusOK)
	if got := getBody(t, s, "bkt", "dst"); !bytes.Equal(got, src) {
		t.Error("object assembled from copied parts differs from its source")
	}
}

func TestListMultipartUploads(t *testing.T) {
	s := newTestServer(t)
	createBucket(t, s, "bkt")
	for _, key := range []string{"a/1", "a/2", "b", "b", "c"} {
		initiate(t, s, "bkt", key, nil)
	}
	w := mustDo(t, s, call{method: "GET", bucket: "bkt", query: "uploads"}, http.StatusOK)
	if strings.Contains(w.Body.String(), "ns2:") || !strings.Contains(w.Body.String(), "<Upload>") {
		t.Errorf("ListMultipartUploads must use plain elements: %s", w.Body)
	}
	var all listMultipartUploadsResult
	decodeXML(t, w, &all)
	if len(all.Uploads) != 5 || all.IsTruncated {
		t.Fatalf("all uploads: %+v", all)
	}

	// Page two at a time by key and upload id markers.
	var seen []string
	q := "uploads&max-uploads=2"
	for page := 0; ; page++ {
		var res listMultipartUploadsResult
		decodeXML(t, mustDo(t, s, call{method: "GET", bucket: "bkt", query: q}, http.StatusOK), &res)
		for _, u := range res.Uploads {
			seen = append(seen, u.UploadID)
		}
		if !res.IsTruncated {
			break
		}
		if page > 5 {
			t.Fatal("listing does not end")
		}
		q = "uploads&max-uploads=2&key-marker=" + res.NextKeyMarker + "&upload-id-marker=" + res.NextUploadIDMarker
	}
	for i, u := range all.Uploads {
		if i >= len(seen) || seen[i] != u.UploadID {
			t.Fatalf("paged uploads %v, want %v", seen, all.Uploads)
		}
	}
	if len(seen) != 5 {
		t.Fatalf("paged %d uploads, want 5", len(seen))
	}

	var grouped listMultipartUploadsResult
	decodeXML(t, mustDo(t, s, call{method: "GET", bucket: "bkt", query: "uploads&delimiter=%2F"}, http.StatusOK), &grouped)
	if len(grouped.CommonPrefixes) != 1 || grouped.CommonPrefixes[0].Prefix != "a/" || len(grouped.Uploads) != 3 {
		t.Errorf("grouped uploads %+v", grouped)
	}
	var prefixed listMultipartUploadsResult
	decodeXML(t, mustDo(t, s, call{method: "GET", bucket: "bkt", query: "uploads&prefix=b&key-marker=a%2F2"}, http.StatusOK), &prefixed)
	if len(prefixed.Uploads) != 2 || prefixed.Uploads[0].Key != "b" {
		t.Errorf("uploads under b after a/2: %+v", prefixed)
	}
}
