package ks3

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"
)

func TestWalkV2PagesWithContinuationTokens(t *testing.T) {
	pages := []string{
		`<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>tok/1+</NextContinuationToken>` +
			`<Contents><Key>p/a</Key></Contents><CommonPrefixes><Prefix>p/b/</Prefix></CommonPrefixes></ListBucketResult>`,
		`<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>p/c</Key></Contents></ListBucketResult>`,
	}
	s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request, n int, _ []byte) {
		fmt.Fprint(w, pages[n-1])
	})
	c := newV4TestClient(t, s)
	var got []string
	for it, err := range c.Walk(context.Background(), "bkt", ListObjectsOptions{Prefix: "p/", Delimiter: "/", Marker: "p/0"}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, it.Object.Key+it.Prefix)
	}
	if want := []string{"p/a", "p/b/", "p/c"}; !slices.Equal(got, want) {
		t.Errorf("Walk = %q, want %q", got, want)
	}
	reqs := s.requests()
	want := []url.Values{
		{"list-type": {"2"}, "max-keys": {"100"}, "prefix": {"p/"}, "delimiter": {"/"}, "start-after": {"p/0"}, "encoding-type": {"url"}},
		{"list-type": {"2"}, "max-keys": {"100"}, "prefix": {"p/"}, "delimiter": {"/"}, "continuation-token": {"tok/1+"}, "encoding-type": {"url"}},
	}
	for i, rec := range reqs {
		u, _ := url.Parse(rec.RequestURI)
		if q := u.Query(); fmt.Sprint(q) != fmt.Sprint(want[i]) {
			t.Errorf("request %d query = %v, want %v", i+1, q, want[i])
		}
	}
}

func TestWalkV2StopsOnARepeatedToken(t *testing.T) {
	s := newTestServer(t, answer(200, nil, `<ListBucketResult><IsTruncated>true</IsTruncated>`+
		`<NextContinuationToken>same</NextContinuationToken><Contents><Key>k</Key></Contents></ListBucketResult>`))
	c := newTestClient(t, s, func(o *Options) { o.Signature, o.Now = SignatureV4, func() time.Time { return awsTime } })
	var err error
	n := 0
	for _, e := range c.Walk(context.Background(), "bkt", ListObjectsOptions{}) {
		if e != nil {
			err = e
		}
		n++
	}
	if !errors.Is(err, errNoProgress) || len(s.requests()) != 2 {
		t.Errorf("Walk: %d items, %d requests, error %v; want errNoProgress after 2 requests", n, len(s.requests()), err)
	}
}

func TestWalkUsesListObjectsV1WithKSS(t *testing.T) {
	s := newTestServer(t, answer(200, nil, `<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>`))
	c := newTestClient(t, s)
	for _, err := range c.Walk(context.Background(), "bkt", ListObjectsOptions{Marker: "m"}) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if uri := s.requests()[0].RequestURI; uri != "/bkt/?encoding-type=url&marker=m&max-keys=1000" {
		t.Errorf("RequestURI = %s, want a V1 listing", uri)
	}
}
