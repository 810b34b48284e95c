package ks3

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeLister serves List Objects over a fixed set of keys with the KS3
// rules: at most 1000 keys per page, at most 100 with a delimiter, and a
// common prefix never repeated on the page after the marker that names it.
type fakeLister struct {
	t      *testing.T
	keys   []string // sorted
	noNext bool     // omit NextMarker even with a delimiter

	mu      sync.Mutex
	markers []string
	maxKeys []int
}

func (f *fakeLister) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	prefix, delim, marker := q.Get("prefix"), q.Get("delimiter"), q.Get("marker")
	maxKeys, err := strconv.Atoi(q.Get("max-keys"))
	limit := 1000
	if delim != "" {
		limit = 100
	}
	if err != nil || maxKeys < 1 || maxKeys > limit {
		f.t.Errorf("max-keys = %q, want 1..%d", q.Get("max-keys"), limit)
	}
	f.mu.Lock()
	f.markers = append(f.markers, marker)
	f.maxKeys = append(f.maxKeys, maxKeys)
	f.mu.Unlock()
	type entry struct{ key, prefix string }
	var page []entry
	truncated := false
	for _, k := range f.keys {
		if k <= marker || !strings.HasPrefix(k, prefix) {
			continue
		}
		e := entry{key: k}
		if i := strings.Index(k[len(prefix):], delim); delim != "" && i >= 0 {
			e = entry{prefix: k[:len(prefix)+i+len(delim)]}
			if e.prefix == marker || len(page) > 0 && page[len(page)-1].prefix == e.prefix {
				continue
			}
		}
		if len(page) == maxKeys {
			truncated = true
			break
		}
		page = append(page, e)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><IsTruncated>%v</IsTruncated>`, truncated)
	if last := len(page) - 1; truncated && delim != "" && !f.noNext {
		fmt.Fprintf(&b, "<NextMarker>%s</NextMarker>", xmlText(page[last].key+page[last].prefix))
	}
	for _, e := range page {
		if e.key != "" {
			fmt.Fprintf(&b, `<Contents><Key>%s</Key><LastModified>2019-10-15T08:30:00.000Z</LastModified><ETag>"e"</ETag><Size>1</Size></Contents>`, xmlText(e.key))
		}
	}
	for _, e := range page {
		if e.prefix != "" {
			fmt.Fprintf(&b, "<CommonPrefixes><Prefix>%s</Prefix></CommonPrefixes>", xmlText(e.prefix))
		}
	}
	b.WriteString("</ListBucketResult>")
	w.Write([]byte(b.String()))
}

func xmlText(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// walkKeys returns 2,500 keys: p/NNNN.txt and p/NNNN/x for NNNN < 1250, so
// that with "/" as delimiter objects and prefixes interleave.
func walkKeys() []string {
	var keys []string
	for i := range 1250 {
		keys = append(keys, fmt.Sprintf("p/%04d.txt", i), fmt.Sprintf("p/%04d/x", i))
	}
	slices.Sort(keys)
	return keys
}

func TestWalk(t *testing.T) {
	keys := walkKeys()
	var delimited []string // what a "/" listing of "p/" must yield
	for i := range 1250 {
		delimited = append(delimited, fmt.Sprintf("p/%04d.txt", i), fmt.Sprintf("p/%04d/", i))
	}
	tests := []struct {
		name      string
		opts      ListObjectsOptions
		noNext    bool
		want      []string
		wantPages int
		wantMax   int
	}{
		{"no delimiter", ListObjectsOptions{Prefix: "p/"}, false, keys, 3, 1000},
		{"delimiter with NextMarker", ListObjectsOptions{Prefix: "p/", Delimiter: "/"}, false, delimited, 25, 100},
		{"delimiter without NextMarker", ListObjectsOptions{Prefix: "p/", Delimiter: "/"}, true, delimited, 25, 100},
		{"delimiter caps MaxKeys", ListObjectsOptions{Prefix: "p/", Delimiter: "/", MaxKeys: 1000}, false, delimited, 25, 100},
		{"small pages", ListObjectsOptions{Prefix: "p/", MaxKeys: 700}, false, keys, 4, 700},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeLister{t: t, keys: keys, noNext: tt.noNext}
			s := newTestServer(t, func(w http.ResponseWriter, r *http.Request, _ int, _ []byte) { f.ServeHTTP(w, r) })
			c := newTestClient(t, s)
			var got []string
			for item, err := range c.Walk(t.Context(), "b", tt.opts) {
				if err != nil {
					t.Fatal(err)
				}
				if item.Prefix != "" {
					got = append(got, item.Prefix)
				} else {
					got = append(got, item.Object.Key)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Walk yielded %d items, want %d (first difference at %d)", len(got), len(tt.want), firstDiff(got, tt.want))
			}
			if len(f.markers) != tt.wantPages {
				t.Errorf("%d pages, want %d", len(f.markers), tt.wantPages)
			}
			for i, m := range f.maxKeys {
				if m != tt.wantMax {
					t.Errorf("page %d: max-keys %d, want %d", i+1, m, tt.wantMax)
				}
			}
			for i := 1; i < len(f.markers); i++ {
				if f.markers[i] <= f.markers[i-1] {
					t.Errorf("marker of page %d (%q) does not advance past %q", i+1, f.markers[i], f.markers[i-1])
				}
			}
		})
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestWalkStopsWhenConsumerStops(t *testing.T) {
	f := &fakeLister{t: t, keys: walkKeys()}
	s := newTestServer(t, func(w http.ResponseWriter, r *http.Request, _ int, _ []byte) { f.ServeHTTP(w, r) })
	c := newTestClient(t, s)
	n := 0
	for _, err := range c.Walk(t.Context(), "b", ListObjectsOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 10 {
			break
		}
	}
	if len(f.markers) != 1 {
		t.Errorf("%d pages fetched, want 1", len(f.markers))
	}
}

func TestWalkRefusesAStuckMarker(t *testing.T) {
	s := newTestServer(t, answer(200, nil, `<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>`))
	c := newTestClient(t, s)
	var errs []error
	for _, err := range c.Walk(t.Context(), "b", ListObjectsOptions{}) {
		errs = append(errs, err)
	}
	if len(errs) != 1 || errs[0] == nil || !strings.Contains(errs[0].Error(), "did not advance") {
		t.Errorf("Walk over a stuck listing yielded %v", errs)
	}
}

func TestListObjectsQuery(t *testing.T) {
	s := newTestServer(t, answer(200, nil, `<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>`))
	c := newTestClient(t, s)
	if _, err := c.ListObjects(t.Context(), "b", ListObjectsOptions{Prefix: "a b+%/", Marker: "a b+%/x"}); err != nil {
		t.Fatal(err)
	}
	rec := s.requests()[0]
	u, err := url.ParseRequestURI(rec.RequestURI)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if q.Get("prefix") != "a b+%/" || q.Get("marker") != "a b+%/x" || q.Get("max-keys") != "1000" || q.Has("delimiter") {
		t.Errorf("query = %v", q)
	}
}
