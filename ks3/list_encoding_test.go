package ks3

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// TestListingDecodesURLEncoding checks that names of a listing answered
// with encoding-type=url are decoded, '+' as a space as S3 sends it, and
// that a listing without an encoding type is taken as it is.
func TestListingDecodesURLEncoding(t *testing.T) {
	for _, tc := range []struct {
		name, encoding string
		want           []string
	}{
		{"encoded", "<EncodingType>url</EncodingType>", []string{"a\x01b", "c+ d/", "p/"}},
		{"not encoded", "", []string{"a%01b", "c%2B+d/", "p/"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(t, answer(200, nil, `<ListBucketResult>`+tc.encoding+`<IsTruncated>false</IsTruncated>`+
				`<Contents><Key>a%01b</Key></Contents><Contents><Key>c%2B+d/</Key></Contents>`+
				`<CommonPrefixes><Prefix>p/</Prefix></CommonPrefixes></ListBucketResult>`))
			c := newTestClient(t, s)
			var got []string
			for item, err := range c.Walk(context.Background(), "bkt", ListObjectsOptions{}) {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, item.Object.Key+item.Prefix)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Walk = %q, want %q", got, tc.want)
			}
			if q := s.requests()[0].RequestURI; !strings.Contains(q, "encoding-type=url") {
				t.Errorf("request %s does not ask for encoding-type=url", q)
			}
		})
	}
}

func TestListingRejectsBadEncoding(t *testing.T) {
	for _, body := range []string{
		`<ListBucketResult><EncodingType>url</EncodingType><Contents><Key>a%zz</Key></Contents></ListBucketResult>`,
		`<ListBucketResult><EncodingType>base64</EncodingType><Contents><Key>YQ==</Key></Contents></ListBucketResult>`,
	} {
		c := newTestClient(t, newTestServer(t, answer(200, nil, body)))
		if _, err := c.ListObjects(context.Background(), "bkt", ListObjectsOptions{}); err == nil {
			t.Errorf("listing %s decoded without an error", body)
		}
	}
}

func TestUploadListingDecodesURLEncoding(t *testing.T) {
	s := newTestServer(t, answer(200, nil, `<ListMultipartUploadsResult><EncodingType>url</EncodingType>`+
		`<IsTruncated>false</IsTruncated><Upload><Key>k%01</Key><UploadId>u1</UploadId></Upload>`+
		`<CommonPrefixes><Prefix>d%01/</Prefix></CommonPrefixes></ListMultipartUploadsResult>`))
	c := newTestClient(t, s)
	var got []string
	for u, err := range c.ListMultipartUploads(context.Background(), "bkt", ListUploadsOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, u.Key+u.Prefix)
	}
	if !slices.Equal(got, []string{"k\x01", "d\x01/"}) {
		t.Errorf("uploads = %q", got)
	}
}
