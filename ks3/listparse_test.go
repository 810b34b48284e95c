package ks3

import (
	"encoding/xml"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// page renders a listing page of n objects (and two common prefixes) in
// the shape services answer with.
func page(n int, names func(i int) string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`)
	b.WriteString(`<Name>bkt</Name><Prefix>pre/</Prefix><Marker></Marker><MaxKeys>1000</MaxKeys>`)
	b.WriteString(`<Delimiter>/</Delimiter><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>`)
	for i := range n {
		fmt.Fprintf(&b, `<Contents><Key>%s</Key><LastModified>2026-12-04T10:%02d:05.000Z</LastModified>`+
			`<ETag>&quot;%032x&quot;</ETag><Size>%d</Size><Owner><ID>1234</ID><DisplayName>owner</DisplayName></Owner>`+
			`<StorageClass>STANDARD</StorageClass></Contents>`, names(i), i%60, i, i*1000)
	}
	b.WriteString(`<CommonPrefixes><Prefix>pre/a/</Prefix></CommonPrefixes><CommonPrefixes><Prefix>pre/b/</Prefix></CommonPrefixes>`)
	b.WriteString(`<NextMarker>pre/z</NextMarker></ListBucketResult>`)
	return b.String()
}

func plainName(i int) string { return fmt.Sprintf("pre/dir%03d/file-%06d.txt", i/100, i) }

// agree checks that parseListing, when it accepts body, gives exactly what
// encoding/xml gives, for both listing versions; it reports whether it
// accepted.
func agree(t *testing.T, body []byte) bool {
	t.Helper()
	var fast, slow listBucketResult
	ok := parseListing(body, &fast, nil)
	if ok {
		if err := xml.Unmarshal(body, &slow); err != nil {
			t.Fatalf("parseListing accepted what encoding/xml refuses (%v):\n%q", err, body)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("parseListing = %+v\nencoding/xml = %+v\nfor %q", fast, slow, body)
		}
	}
	var fast2, slow2 listBucketResultV2
	if parseListing(body, &fast2.listBucketResult, map[string]*string{"NextContinuationToken": &fast2.NextContinuationToken}) {
		if err := xml.Unmarshal(body, &slow2); err != nil {
			t.Fatalf("parseListing (V2) accepted what encoding/xml refuses (%v):\n%q", err, body)
		}
		if !reflect.DeepEqual(fast2, slow2) {
			t.Fatalf("parseListing (V2) = %+v\nencoding/xml = %+v\nfor %q", fast2, slow2, body)
		}
	}
	return ok
}

func TestParseListingAcceptsServicePages(t *testing.T) {
	for _, body := range []string{
		page(3, plainName),
		page(0, plainName),
		page(2, func(i int) string { return fmt.Sprintf("pre/a%%20b%%0A&amp;&lt;&gt;&apos;&#233;&#x1F600;é-%d", i) }),
		strings.ReplaceAll(page(2, plainName), "><", ">\n  <"), // indented
		`<ListBucketResult><Name>b</Name><IsTruncated>false</IsTruncated><KeyCount>1</KeyCount>` +
			`<NextContinuationToken>tok/+=</NextContinuationToken><Contents><Key>k</Key><Size></Size><ChecksumAlgorithm>CRC32</ChecksumAlgorithm></Contents></ListBucketResult>`,
	} {
		if !agree(t, []byte(body)) {
			t.Errorf("parseListing gave up on a plain page:\n%s", body)
		}
	}
}

func TestParseListingGivesUp(t *testing.T) {
	base := page(1, plainName)
	for name, body := range map[string]string{
		"CDATA":              strings.Replace(base, "<Name>bkt</Name>", "<Name><![CDATA[bkt]]></Name>", 1),
		"comment":            strings.Replace(base, "<Name>", "<!-- c --><Name>", 1),
		"attribute":          strings.Replace(base, "<Key>", `<Key a="1">`, 1),
		"nested unknown":     strings.Replace(base, "<Name>", "<X><Y>1</Y></X><Name>", 1),
		"unknown entity":     strings.Replace(base, "bkt", "&nbsp;", 1),
		"carriage return":    strings.Replace(base, "bkt", "b\r\nkt", 1),
		"other root":         strings.Replace(strings.Replace(base, "<ListBucketResult", "<ListAllMyBucketsResult", 1), "</ListBucketResult>", "</ListAllMyBucketsResult>", 1),
		"bad size":           strings.Replace(base, "<Size>0</Size>", "<Size>x</Size>", 1),
		"spaces only size":   strings.Replace(base, "<Size>0</Size>", "<Size> </Size>", 1),
		"bad time":           strings.Replace(base, "2026-12-04T10:00:05.000Z", "yesterday", 1),
		"truncated":          base[:len(base)-10],
		"trailing":           base + "<x/>",
		"empty element":      strings.Replace(base, "<Marker></Marker>", "<Marker/>", 1),
		"latin-1":            strings.Replace(base, `encoding="UTF-8"`, `encoding="ISO-8859-1"`, 1),
		"control character":  strings.Replace(base, "bkt", "b\x01kt", 1),
		"invalid UTF-8":      strings.Replace(base, "bkt", "b\xffkt", 1),
		"namespaced element": strings.Replace(strings.Replace(base, "<Name>", "<s3:Name>", 1), "</Name>", "</s3:Name>", 1),
	} {
		if agree(t, []byte(body)) {
			t.Errorf("%s: parseListing accepted %q", name, body)
		}
	}
}

// A page parseListing gives up on is still decoded, by encoding/xml.
func TestListingFallsBackToEncodingXML(t *testing.T) {
	body := strings.Replace(page(2, plainName), "<Name>bkt</Name>", "<!-- x --><Name><![CDATA[bkt]]></Name>", 1)
	var l listBucketResult
	if l.decodeFast([]byte(body)) {
		t.Fatal("decodeFast accepted a comment and CDATA")
	}
	if err := xml.Unmarshal([]byte(body), &l); err != nil || l.Name != "bkt" || len(l.Contents) != 2 {
		t.Fatalf("encoding/xml: %+v, %v", l, err)
	}
}

func FuzzParseListing(f *testing.F) {
	f.Add([]byte(page(2, plainName)))
	f.Add([]byte(page(1, func(int) string { return "a&amp;b&#10;c" })))
	f.Add([]byte(`<ListBucketResult><Contents><Key>k</Key><Size> 7 </Size></Contents><IsTruncated> true </IsTruncated></ListBucketResult>`))
	f.Add([]byte(`<?xml version="1.0"?><ListBucketResult xmlns='x'><Name>a</Name><Name>b</Name><NextContinuationToken>t</NextContinuationToken></ListBucketResult>`))
	f.Fuzz(func(t *testing.T, body []byte) { agree(t, body) })
}

// BenchmarkListingDecode decodes a page of 1,000 objects with parseListing
// and with encoding/xml.
func BenchmarkListingDecode(b *testing.B) {
	body := []byte(page(1000, plainName))
	b.Run("parseListing", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			var l listBucketResult
			if !parseListing(body, &l, nil) {
				b.Fatal("gave up")
			}
		}
	})
	b.Run("encoding-xml", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			var l listBucketResult
			if err := xml.Unmarshal(body, &l); err != nil {
				b.Fatal(err)
			}
		}
	})
}
