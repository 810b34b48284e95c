package ks3

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// copyServer answers a multipart copy: HEAD, initiate, part copies,
// complete and abort; failPart makes that part's copy fail for good.
func copyServer(failPart string) respondFunc {
	return func(w http.ResponseWriter, r *http.Request, _ int, _ []byte) {
		q := r.URL.Query()
		switch {
		case r.Method == http.MethodHead:
			w.Header().Set("Content-Type", "text/plain")
			w.Header().Set("x-kss-meta-md5", "0123456789abcdef0123456789abcdef")
			w.Header().Set("Content-Length", "250000")
		case r.Method == http.MethodPost && q.Has("uploads"):
			fmt.Fprint(w, `<InitiateMultipartUploadResult><Bucket>dst</Bucket><Key>k</Key><UploadId>`+testUploadID+`</UploadId></InitiateMultipartUploadResult>`)
		case r.Method == http.MethodPut && q.Get("partNumber") == failPart:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>`)
		case r.Method == http.MethodPut:
			fmt.Fprintf(w, `<CopyPartResult><LastModified>2026-11-25T02:41:00.000Z</LastModified><ETag>"etag%s"</ETag></CopyPartResult>`, q.Get("partNumber"))
		case r.Method == http.MethodPost:
			fmt.Fprint(w, `<CompleteMultipartUploadResult><Bucket>dst</Bucket><Key>k</Key><ETag>"whole-3"</ETag></CompleteMultipartUploadResult>`)
		case r.Method == http.MethodDelete:
			w.WriteHeader(http.StatusNoContent)
		}
	}
}

func TestCopyInParts(t *testing.T) {
	s := newTestServer(t, copyServer(""))
	c := newTestClient(t, s)
	res, err := c.Copy(t.Context(), "src", "a b", "dst", "k", 250_000, ServerCopyOptions{
		CopyOptions: CopyOptions{PutOptions: PutOptions{StorageClass: "STANDARD_IA"}},
		Threshold:   100 << 10, PartSize: 100 << 10, Concurrency: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.ETag != "whole-3" {
		t.Errorf("ETag = %q", res.ETag)
	}
	var got []string
	for _, r := range s.requests() {
		line := r.Method + " " + r.RequestURI
		if v := r.Header.Get("x-kss-copy-source-range"); v != "" {
			line += " " + r.Header.Get("x-kss-copy-source") + " " + v
		}
		if r.Method == http.MethodPost && strings.HasSuffix(r.RequestURI, "?uploads") {
			line += " " + r.Header.Get("Content-Type") + " " + r.Header.Get("x-kss-meta-md5") + " " + r.Header.Get("x-kss-storage-class")
		}
		got = append(got, line)
	}
	want := []string{
		"HEAD /src/a%20b",
		"POST /dst/k?uploads text/plain 0123456789abcdef0123456789abcdef STANDARD_IA",
		"PUT /dst/k?partNumber=1&uploadId=" + testUploadID + " /src/a%20b bytes=0-102399",
		"PUT /dst/k?partNumber=2&uploadId=" + testUploadID + " /src/a%20b bytes=102400-204799",
		"PUT /dst/k?partNumber=3&uploadId=" + testUploadID + " /src/a%20b bytes=204800-249999",
		"POST /dst/k?uploadId=" + testUploadID,
	}
	if !slices.Equal(got, want) {
		t.Errorf("requests\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if body := string(s.requests()[5].Body); !strings.Contains(body, `<PartNumber>3</PartNumber><ETag>"etag3"</ETag>`) {
		t.Errorf("complete body = %s", body)
	}
}

func TestCopyInPartsAbortsOnFailure(t *testing.T) {
	s := newTestServer(t, copyServer("2"))
	c := newTestClient(t, s)
	_, err := c.Copy(t.Context(), "src", "a", "dst", "k", 250_000, ServerCopyOptions{
		CopyOptions: CopyOptions{MetadataDirective: MetadataDirectiveReplace},
		Threshold:   100 << 10, PartSize: 100 << 10, Concurrency: 1,
	})
	if err == nil || !strings.Contains(err.Error(), "copy part 2 (bytes=102400-204799)") {
		t.Fatalf("err = %v, want the failed part named", err)
	}
	reqs := s.requests()
	if last := reqs[len(reqs)-1]; last.Method != http.MethodDelete || !strings.Contains(last.RequestURI, "uploadId="+testUploadID) {
		t.Errorf("last request %s %s, want the abort of the upload", last.Method, last.RequestURI)
	}
	if reqs[0].Method == http.MethodHead {
		t.Error("directive REPLACE read the source's attributes")
	}
}

func TestCopySmallIsOneRequest(t *testing.T) {
	s := newTestServer(t, answer(200, nil, `<CopyObjectResult><LastModified>2026-11-25T02:41:00.000Z</LastModified><ETag>"abc"</ETag></CopyObjectResult>`))
	c := newTestClient(t, s)
	res, err := c.Copy(t.Context(), "src", "a", "dst", "k", 100<<10, ServerCopyOptions{Threshold: 100 << 10})
	if err != nil || res.ETag != "abc" || res.LastModified.IsZero() {
		t.Fatalf("Copy = %+v, %v", res, err)
	}
	if reqs := s.requests(); len(reqs) != 1 || reqs[0].Header.Get("x-kss-copy-source") != "/src/a" {
		t.Errorf("requests = %+v, want one CopyObject", reqs)
	}
	if _, err := c.Copy(t.Context(), "src", "a", "dst", "k", 1, ServerCopyOptions{Threshold: MaxCopySize + 1}); err == nil {
		t.Error("a threshold above the single-copy limit was accepted")
	}
}
