package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/ks3sync/ks3sync/ks3server/store"
	"golang.org/x/sync/errgroup"
)

// seedKeys stores empty objects straight into the store, many at a time
// so that their writes are committed together; listings see them like any
// other object.
func seedKeys(t *testing.T, s *testServer, bucket string, keys []string) {
	t.Helper()
	var g errgroup.Group
	g.SetLimit(32)
	for _, k := range keys {
		g.Go(func() error {
			b, err := s.store.Stage(strings.NewReader(""), 0)
			if err != nil {
				return err
			}
			o := store.Object{Bucket: bucket, Key: k, ETag: "d41d8cd98f00b204e9800998ecf8427e", Modified: testNow,
				Attrs: store.Attrs{ContentType: defaultMIMEType, StorageClass: defaultStorage, Meta: map[string]string{}}}
			return s.store.PutObject(context.Background(), o, b)
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
}

// refListing is the reference listing: every key under prefix in order,
// with keys rolled up into common prefixes, each item once.
func refListing(keys []string, prefix, delim string) []string {
	sorted := append([]string(nil), keys...)
	sort.Strings(sorted)
	var items []string
	seen := map[string]bool{}
	for _, k := range sorted {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		if delim != "" {
			if i := strings.Index(k[len(prefix):], delim); i >= 0 {
				cp := k[:len(prefix)+i+len(delim)]
				if !seen[cp] {
					seen[cp] = true
					items = append(items, "P:"+cp)
				}
				continue
			}
		}
		items = append(items, "K:"+k)
	}
	return items
}

// listAll pages through a listing the way the Python SDK does: NextMarker
// when present, otherwise the last key. It returns the items and the
// number of pages.
func listAll(t *testing.T, s *testServer, bucket, prefix, delim string, maxKeys int) ([]string, []listBucketResult) {
	t.Helper()
	var items []string
	var pages []listBucketResult
	marker := ""
	for {
		q := url.Values{"prefix": {prefix}, "delimiter": {delim}, "marker": {marker}}
		if maxKeys > 0 {
			q.Set("max-keys", strconv.Itoa(maxKeys))
		}
		var res listBucketResult
		decodeXML(t, mustDo(t, s, call{method: "GET", bucket: bucket, query: q.Encode()}, http.StatusOK), &res)
		pages = append(pages, res)
		// Within a page, keys and prefixes interleave in key order.
		var page []string
		for _, c := range res.Contents {
			page = append(page, "K:"+c.Key)
		}
		for _, p := range res.CommonPrefixes {
			page = append(page, "P:"+p.Prefix)
		}
		sort.Slice(page, func(i, j int) bool { return page[i][2:] < page[j][2:] })
		items = append(items, page...)
		if !res.IsTruncated {
			return items, pages
		}
		switch {
		case res.NextMarker != "":
			marker = res.NextMarker
		case len(res.Contents) > 0:
			marker = res.Contents[len(res.Contents)-1].Key
		default:
			t.Fatalf("truncated page without NextMarker or keys: %+v", res)
		}
		if len(pages) > 1000 {
			t.Fatal("listing does not end")
		}
	}
}

func TestListPagination(t *testing.T) {
	s := newTestServer(t)
	createBucket(t, s, "bkt")
	var keys []string
	for i := range 1500 {
		keys = append(keys, fmt.Sprintf("k%04d", i))
	}
	for i := range 250 {
		for j := range 4 {
			keys = append(keys, fmt.Sprintf("d%03d/f%d", i, j))
		}
	}
	seedKeys(t, s, "bkt", keys)

	t.Run("no delimiter, 1000 per page", func(t *testing.T) {
		items, pages := listAll(t, s, "bkt", "", "", 5000)
		compareItems(t, items, refListing(keys, "", ""))
		if len(pages) != 3 || len(pages[0].Contents) != 1000 || pages[0].MaxKeys != 1000 || pages[0].NextMarker != "" {
			t.Errorf("%d pages; first has %d keys, MaxKeys %d, NextMarker %q", len(pages), len(pages[0].Contents), pages[0].MaxKeys, pages[0].NextMarker)
		}
	})
	t.Run("delimiter caps pages at 100", func(t *testing.T) {
		items, pages := listAll(t, s, "bkt", "", "/", 1000)
		compareItems(t, items, refListing(keys, "", "/"))
		if len(pages) != 18 || pages[0].MaxKeys != 100 {
			t.Errorf("%d pages with MaxKeys %d, want 18 pages of 100", len(pages), pages[0].MaxKeys)
		}
		for i, p := range pages[:len(pages)-1] {
			if p.NextMarker == "" {
				t.Errorf("truncated page %d has no NextMarker", i)
			}
		}
	})
	t.Run("delimiter default", func(t *testing.T) {
		_, pages := listAll(t, s, "bkt", "", "/", 0)
		if pages[0].MaxKeys != 100 {
			t.Errorf("MaxKeys %d, want 100", pages[0].MaxKeys)
		}
	})
	for _, tc := range []struct {
		prefix, delim string
		max           int
	}{
		{"", "/", 37}, {"d1", "/", 3}, {"d100/", "/", 2}, {"k1", "", 9}, {"", "0", 13}, {"d", "/f", 11}, {"zzz", "/", 5},
	} {
		t.Run(fmt.Sprintf("prefix %q delimiter %q max %d", tc.prefix, tc.delim, tc.max), func(t *testing.T) {
			items, _ := listAll(t, s, "bkt", tc.prefix, tc.delim, tc.max)
			compareItems(t, items, refListing(keys, tc.prefix, tc.delim))
		})
	}
	t.Run("marker inside a group skips it", func(t *testing.T) {
		var res listBucketResult
		decodeXML(t, mustDo(t, s, call{method: "GET", bucket: "bkt", query: "delimiter=%2F&max-keys=2&marker=d005%2Ff1"}, http.StatusOK), &res)
		if len(res.CommonPrefixes) != 2 || res.CommonPrefixes[0].Prefix != "d006/" || res.NextMarker != "d007/" {
			t.Errorf("page after a marker inside d005/: %+v", res)
		}
	})
}

func compareItems(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("listed %d items, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("item %d is %q, want %q", i, got[i], want[i])
		}
	}
}

func TestListShapes(t *testing.T) {
	s := newTestServer(t)
	createBucket(t, s, "bkt")
	putObject(t, s, "bkt", "a%20b/c%2Bd", []byte("12345"), map[string]string{"x-kss-storage-class": "STANDARD_IA"})

	var res listBucketResult
	decodeXML(t, mustDo(t, s, call{method: "GET", bucket: "bkt"}, http.StatusOK), &res)
	c := res.Contents[0]
	if res.Name != "bkt" || c.Key != "a b/c+d" || c.Size != 5 || c.StorageClass != "STANDARD_IA" ||
		c.LastModified != "2019-10-15T08:30:00.000Z" || !strings.HasPrefix(c.ETag, `"`) || c.Owner.ID == "" {
		t.Errorf("listing %+v", res)
	}
	res = listBucketResult{}
	decodeXML(t, mustDo(t, s, call{method: "GET", bucket: "bkt", query: "encoding-type=url&delimiter=%2F&prefix=a%20"}, http.StatusOK), &res)
	if res.EncodingType != "url" || res.Prefix != "a%20" || len(res.CommonPrefixes) != 1 || res.CommonPrefixes[0].Prefix != "a%20b/" {
		t.Errorf("url-encoded listing %+v", res)
	}
	res = listBucketResult{}
	decodeXML(t, mustDo(t, s, call{method: "GET", bucket: "bkt", query: "encoding-type=url"}, http.StatusOK), &res)
	if res.Contents[0].Key != "a%20b/c%2Bd" {
		t.Errorf("url-encoded key %q", res.Contents[0].Key)
	}
	for _, q := range []string{"max-keys=-1", "max-keys=ten", "encoding-type=base64"} {
		wantError(t, do(t, s, call{method: "GET", bucket: "bkt", query: q}), http.StatusBadRequest, "InvalidArgument")
	}
	w := mustDo(t, s, call{method: "GET", bucket: "bkt"}, http.StatusOK)
	if !strings.Contains(w.Body.String(), `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`) {
		t.Errorf("no namespace on ListBucketResult: %s", w.Body)
	}
}

// TestListingsEncodeControlCharacters checks encoding-type=url in all four
// listings with a key that XML cannot carry: a control character comes
// back percent-encoded, not replaced.
func TestListingsEncodeControlCharacters(t *testing.T) {
	s := newTestServer(t)
	createBucket(t, s, "bkt")
	const raw, want = "dir%01/a%01b%2Bc", "dir%01/a%01b%2Bc" // the key is "dir\x01/a\x01b+c"
	putObject(t, s, "bkt", raw, []byte("x"), nil)
	id := initiate(t, s, "bkt", raw, nil)

	var v1 listBucketResult
	decodeXML(t, mustDo(t, s, call{method: "GET", bucket: "bkt", query: "encoding-type=url"}, http.StatusOK), &v1)
	if len(v1.Contents) != 1 || v1.Contents[0].Key != want || v1.EncodingType != "url" {
		t.Errorf("ListObjects: %+v", v1)
	}
	decodeXML(t, mustDo(t, s, call{method: "GET", bucket: "bkt", query: "encoding-type=url&delimiter=%2F"}, http.StatusOK), &v1)
	if len(v1.CommonPrefixes) != 1 || v1.CommonPrefixes[0].Prefix != "dir%01/" {
		t.Errorf("ListObjects with a delimiter: %+v", v1.CommonPrefixes)
	}
	var v2 listBucketResultV2
	decodeXML(t, mustDo(t, s, call{method: "GET", bucket: "bkt", query: "list-type=2&encoding-type=url"}, http.StatusOK), &v2)
	if len(v2.Contents) != 1 || v2.Contents[0].Key != want || v2.EncodingType != "url" {
		t.Errorf("ListObjectsV2: %+v", v2)
	}
	var ups listMultipartUploadsResult
	decodeXML(t, mustDo(t, s, call{method: "GET", bucket: "bkt", query: "uploads&encoding-type=url"}, http.StatusOK), &ups)
	if len(ups.Uploads) != 1 || ups.Uploads[0].Key != want || ups.EncodingType != "url" {
		t.Errorf("ListMultipartUploads: %+v", ups)
	}
	var parts struct {
		Key          string `xml:"Key"`
		EncodingType string `xml:"EncodingType"`
	}
	decodeXML(t, mustDo(t, s, call{method: "GET", bucket: "bkt", rawKey: raw, query: "uploadId=" + id + "&encoding-type=url"}, http.StatusOK), &parts)
	if parts.Key != want || parts.EncodingType != "url" {
		t.Errorf("ListParts: %+v", parts)
	}
	wantError(t, do(t, s, call{method: "GET", bucket: "bkt", rawKey: raw, query: "uploadId=" + id + "&encoding-type=base64"}), http.StatusBadRequest, "InvalidArgument")
}
