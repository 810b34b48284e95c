package hotpath

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3"
)

// pageKeys is the number of keys in one listing page, KS3's maximum.
const pageKeys = 1000

// listingPage renders a ListBucketResult with n objects, like KS3 sends.
func listingPage(n int) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bench</Name><Prefix>data/</Prefix><Marker></Marker><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>`)
	for i := range n {
		fmt.Fprintf(&b, `<Contents><Key>data/d%04d/f%07d.bin</Key><LastModified>2025-01-02T03:04:05.000Z</LastModified><ETag>"%032x"</ETag><Size>%d</Size><Owner><ID>1234567</ID><DisplayName>bench</DisplayName></Owner><StorageClass>STANDARD</StorageClass></Contents>`,
			i/100, i, i*7919, 1024+i)
	}
	b.WriteString(`</ListBucketResult>`)
	return b.String()
}

// newFakeServer answers GET on the bucket with page, HEAD with a small
// object's headers, PUT by reading and discarding the body, and the POSTs
// that start and complete a multipart upload.
func newFakeServer(tb testing.TB, page string) *ks3.Client {
	tb.Helper()
	return newFakeServerSigned(tb, page, ks3.SignatureKSS)
}

// newFakeServerSigned is newFakeServer with a client that signs with the
// given scheme (ks3.SignatureKSS or ks3.SignatureV4).
func newFakeServerSigned(tb testing.TB, page, signature string) *ks3.Client {
	tb.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			w.Header().Set("Content-Type", "application/xml")
			io.WriteString(w, page)
		case http.MethodHead:
			w.Header().Set("ETag", `"0123456789abcdef0123456789abcdef"`)
			w.Header().Set("Content-Length", "1024")
			w.Header().Set("Last-Modified", time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC).Format(http.TimeFormat))
		case http.MethodPut:
			if _, err := io.Copy(io.Discard, r.Body); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.Header().Set("ETag", `"0123456789abcdef0123456789abcdef"`)
		case http.MethodPost:
			w.Header().Set("Content-Type", "application/xml")
			if _, ok := r.URL.Query()["uploads"]; ok {
				io.WriteString(w, `<InitiateMultipartUploadResult><Bucket>bench</Bucket><Key>big.bin</Key><UploadId>u1</UploadId></InitiateMultipartUploadResult>`)
				return
			}
			_, _ = io.Copy(io.Discard, r.Body)
			io.WriteString(w, `<CompleteMultipartUploadResult><Bucket>bench</Bucket><Key>big.bin</Key><ETag>"0123456789abcdef0123456789abcdef-4"</ETag></CompleteMultipartUploadResult>`)
		default:
			http.Error(w, "unexpected "+r.Method, http.StatusMethodNotAllowed)
		}
	}))
	tb.Cleanup(srv.Close)
	c, err := ks3.New(ks3.Options{Endpoint: srv.URL, AccessKey: "AKBENCH", SecretKey: "secret", Addressing: ks3.AddressingPath, Signature: signature})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// TestFakeServer checks that the benchmarks measure real work: the page
// parses into every key, HEAD and PUT succeed.
func TestFakeServer(t *testing.T) {
	c := newFakeServer(t, listingPage(pageKeys))
	res, err := c.ListObjects(t.Context(), "bench", ks3.ListObjectsOptions{Prefix: "data/"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Objects) != pageKeys || res.Objects[999].Key != "data/d0009/f0000999.bin" || res.Objects[1].Size != 1025 {
		t.Fatalf("parsed %d objects, last %+v", len(res.Objects), res.Objects[len(res.Objects)-1])
	}
	if _, err := c.HeadObject(t.Context(), "bench", "k"); err != nil {
		t.Fatal(err)
	}
	body := strings.NewReader(strings.Repeat("x", 4096))
	if _, err := c.Put(t.Context(), "bench", "k", body, body.Size(), ks3.UploadOptions{}); err != nil {
		t.Fatal(err)
	}
	big := strings.NewReader(strings.Repeat("y", 3*ks3.MinPartSize))
	if _, err := c.Put(t.Context(), "bench", "k", big, big.Size(), ks3.UploadOptions{Threshold: ks3.MinPartSize, PartSize: ks3.MinPartSize}); err != nil {
		t.Fatal(err)
	}
}
