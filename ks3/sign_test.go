package ks3

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"
)

// Vector inputs of the KS3 protocol reference (§10, V-SIG and V-URL).
const (
	vecAK   = "AKLTEXAMPLEACCESSKEY1"
	vecSK   = "EXAMPLEsecretKEY0123456789abcdefghijklmno"
	vecDate = "Tue, 15 Oct 2019 08:30:00 GMT"
)

var vecTime = time.Date(2019, 10, 15, 8, 30, 0, 0, time.UTC)

func TestKSSSignatureVectors(t *testing.T) {
	tests := []struct {
		name    string
		method  string
		header  map[string]string // besides Date
		bucket  string
		key     string
		query   url.Values
		wantSTS string
		wantSig string
	}{
		{
			name: "S1 get object", method: "GET", bucket: "example-bucket", key: "photos/2019/cat.jpg",
			wantSTS: "GET\n\n\n" + vecDate + "\n/example-bucket/photos/2019/cat.jpg",
			wantSig: "CqU8SWFNZ9B2hKvSn0EQMJ/lxWo=",
		},
		{
			name: "S2 put object with x-kss headers", method: "PUT", bucket: "example-bucket", key: "docs/report.txt",
			header: map[string]string{
				"Content-Type": "text/plain", "Content-MD5": "XUFAKrxLKna5cZ2REBfFkg==",
				"X-KSS-Meta-Author": "alice", "x-kss-acl": "public-read", "x-kss-storage-class": "STANDARD_IA",
			},
			wantSTS: "PUT\nXUFAKrxLKna5cZ2REBfFkg==\ntext/plain\n" + vecDate +
				"\nx-kss-acl:public-read\nx-kss-meta-author:alice\nx-kss-storage-class:STANDARD_IA\n/example-bucket/docs/report.txt",
			wantSig: "g8NCa8H9AG42C8HJIfgHPB+otIU=",
		},
		{
			name: "S3 upload part", method: "PUT", bucket: "example-bucket", key: "big/file.bin",
			header: map[string]string{"Content-Length": "5242880"},
			query:  url.Values{"partNumber": {"2"}, "uploadId": {"0123456789abcdef0123456789abcdef"}},
			wantSTS: "PUT\n\n\n" + vecDate +
				"\n/example-bucket/big/file.bin?partNumber=2&uploadId=0123456789abcdef0123456789abcdef",
			wantSig: "ClJ28EM3nlsrK53Zcup4K3UJGuQ=",
		},
		{
			name: "S4 list objects", method: "GET", bucket: "example-bucket",
			query:   url.Values{"delimiter": {"/"}, "max-keys": {"1000"}, "prefix": {"photos/"}},
			wantSTS: "GET\n\n\n" + vecDate + "\n/example-bucket/",
			wantSig: "8j4cmuL5CVU7p6hhrpDAyrrHXuk=",
		},
		{
			name: "S5 list buckets", method: "GET",
			wantSTS: "GET\n\n\n" + vecDate + "\n/",
			wantSig: "5gB2/TBt50f71P4FYhV7LSuvRy0=",
		},
		{
			name: "S6 GO variant: special characters", method: "GET", bucket: "example-bucket", key: "/a b*c~d+e/中文.txt",
			wantSTS: "GET\n\n\n" + vecDate + "\n/example-bucket/%2Fa%20b%2Ac~d%2Be/%E4%B8%AD%E6%96%87.txt",
			wantSig: "s2CLePisNKxtfZIkJPGOvtVfLFM=",
		},
		{
			name: "S7 initiate multipart", method: "POST", bucket: "example-bucket", key: "big/file.bin",
			header:  map[string]string{"x-kss-acl": "private"},
			query:   url.Values{"uploads": {""}},
			wantSTS: "POST\n\n\n" + vecDate + "\nx-kss-acl:private\n/example-bucket/big/file.bin?uploads",
			wantSig: "hXZXgri0VjH37/LXSTu3YiaNjCo=",
		},
		{
			name: "S8 put bucket acl", method: "PUT", bucket: "example-bucket",
			header:  map[string]string{"x-kss-acl": "public-read", "Content-Length": "0"},
			query:   url.Values{"acl": {""}},
			wantSTS: "PUT\n\n\n" + vecDate + "\nx-kss-acl:public-read\n/example-bucket/?acl",
			wantSig: "Yv2ejYu7ay8hfRbzMN0QlaVfC0Y=",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for name, v := range tt.header {
				h[name] = []string{v} // as given, not canonicalised
			}
			res := resource{bucket: tt.bucket, encodedKey: encodeKey(tt.key), query: tt.query}
			sts := kssStringToSign(tt.method, h, res, vecDate)
			if sts != tt.wantSTS {
				t.Errorf("string to sign\n got %q\nwant %q", sts, tt.wantSTS)
			}
			if sig := kssSignature(vecSK, sts); sig != tt.wantSig {
				t.Errorf("signature = %s, want %s", sig, tt.wantSig)
			}

			r, err := http.NewRequest(tt.method, "http://example.invalid/", nil)
			if err != nil {
				t.Fatal(err)
			}
			for name, v := range tt.header {
				r.Header[name] = []string{v}
			}
			kssSigner{accessKey: vecAK, secretKey: vecSK}.sign(r, res, vecTime)
			if got, want := r.Header.Get("Authorization"), "KSS "+vecAK+":"+tt.wantSig; got != want {
				t.Errorf("Authorization = %s, want %s", got, want)
			}
			if got := r.Header.Get("Date"); got != vecDate {
				t.Errorf("Date = %q, want %q", got, vecDate)
			}
		})
	}
}

func TestKSSSecurityTokenIsSigned(t *testing.T) {
	r, _ := http.NewRequest("GET", "http://example.invalid/", nil)
	res := resource{bucket: "example-bucket", encodedKey: "k"}
	kssSigner{accessKey: vecAK, secretKey: vecSK, securityToken: "tok"}.sign(r, res, vecTime)
	sts := "GET\n\n\n" + vecDate + "\nx-kss-security-token:tok\n/example-bucket/k"
	if got, want := r.Header.Get("Authorization"), "KSS "+vecAK+":"+kssSignature(vecSK, sts); got != want {
		t.Errorf("Authorization = %s, want %s", got, want)
	}
	if got := headerValue(r.Header, headerSecurityToken); got != "tok" {
		t.Errorf("%s = %q, want tok", headerSecurityToken, got)
	}
}

func TestCanonicalHeadersSortByName(t *testing.T) {
	h := http.Header{}
	for _, name := range []string{"x-kss-meta-a-b", "X-Kss-Meta-A", "x-kss-copy-source-range", "x-kss-copy-source", "Content-Length", "kss-var"} {
		h[name] = []string{name + " value"}
	}
	got := canonicalKSSHeaders(h)
	want := []string{
		"x-kss-copy-source:x-kss-copy-source value",
		"x-kss-copy-source-range:x-kss-copy-source-range value",
		"x-kss-meta-a:X-Kss-Meta-A value",
		"x-kss-meta-a-b:x-kss-meta-a-b value",
	}
	if !slices.Equal(got, want) {
		t.Errorf("canonicalKSSHeaders =\n%q, want\n%q", got, want)
	}
}

func TestCanonicalResourceSignsOnlySubResources(t *testing.T) {
	q := url.Values{
		"uploadId": {"id 1"}, "partNumber": {"3"}, "prefix": {"p"}, "marker": {"m"}, "max-keys": {"9"},
		"response-content-type": {"text/plain; charset=utf-8"}, "acl": {""}, "encoding-type": {"url"},
	}
	got := canonicalResource(resource{bucket: "b", encodedKey: "k", query: q})
	want := "/b/k?acl&partNumber=3&response-content-type=text/plain; charset=utf-8&uploadId=id 1"
	if got != want {
		t.Errorf("canonicalResource = %q, want %q", got, want)
	}
}

func TestPresignVectors(t *testing.T) {
	tests := []struct {
		name     string
		endpoint string
		method   string
		key      string
		want     string
	}{
		{
			name: "GET http", endpoint: "ks3-cn-beijing.ksyuncs.com", method: "GET", key: "photos/2019/cat.jpg",
			want: "http://example-bucket.ks3-cn-beijing.ksyuncs.com/photos/2019/cat.jpg?Signature=QzWArp6QkrWb9E1kzwj1Vkcp3yY%3D&Expires=1700000000&KSSAccessKeyId=AKLTEXAMPLEACCESSKEY1",
		},
		{
			name: "GET https with explicit port", endpoint: "https://ks3-cn-beijing.ksyuncs.com:443", method: "GET", key: "docs/report.txt",
			want: "https://example-bucket.ks3-cn-beijing.ksyuncs.com:443/docs/report.txt?Signature=fcmOR5PIyxCTjJ9K9gyT6LWiB1U%3D&Expires=1700000000&KSSAccessKeyId=AKLTEXAMPLEACCESSKEY1",
		},
		{
			name: "GET https", endpoint: "https://ks3-cn-beijing.ksyuncs.com", method: "GET", key: "docs/report.txt",
			want: "https://example-bucket.ks3-cn-beijing.ksyuncs.com/docs/report.txt?Signature=fcmOR5PIyxCTjJ9K9gyT6LWiB1U%3D&Expires=1700000000&KSSAccessKeyId=AKLTEXAMPLEACCESSKEY1",
		},
		{
			name: "PUT http", endpoint: "ks3-cn-beijing.ksyuncs.com", method: "PUT", key: "upload/new.bin",
			want: "http://example-bucket.ks3-cn-beijing.ksyuncs.com/upload/new.bin?Signature=4Sh3GABH6fbxDQDfkFIJJ%2F81RUQ%3D&Expires=1700000000&KSSAccessKeyId=AKLTEXAMPLEACCESSKEY1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(Options{Endpoint: tt.endpoint, AccessKey: vecAK, SecretKey: vecSK})
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.PresignURL(tt.method, "example-bucket", tt.key, time.Unix(1700000000, 0), PresignOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("PresignURL\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestPresignSignsHeadersResponseOverridesAndToken(t *testing.T) {
	c, err := New(Options{Endpoint: "https://127.0.0.1:9000", AccessKey: vecAK, SecretKey: vecSK, SecurityToken: "tok/1"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.PresignURL("PUT", "b", "a b/c+d", time.Unix(1700000000, 0), PresignOptions{
		ResponseHeaders: map[string]string{"response-content-type": "text/plain"},
		Headers:         map[string]string{"X-Kss-Meta-Color": "red", "Content-Type": "image/png"},
	})
	if err != nil {
		t.Fatal(err)
	}
	sts := "PUT\n\nimage/png\n1700000000\nx-kss-meta-color:red\n/b/a%20b/c%2Bd?response-content-type=text/plain&security-token=tok/1"
	want := "https://127.0.0.1:9000/b/a%20b/c%2Bd?Signature=" + encodeQueryValue(kssSignature(vecSK, sts)) +
		"&Expires=1700000000&KSSAccessKeyId=" + vecAK + "&response-content-type=text%2Fplain&security-token=tok%2F1"
	if got != want {
		t.Errorf("PresignURL\n got %s\nwant %s", got, want)
	}
	if _, err := c.PresignURL("GET", "b", "k", time.Unix(1, 0), PresignOptions{Headers: map[string]string{"Range": "bytes=0-1"}}); err == nil {
		t.Error("PresignURL with an unsignable header: no error")
	}
	anon, _ := New(Options{Endpoint: "127.0.0.1"})
	if _, err := anon.PresignURL("GET", "b", "k", time.Unix(1, 0), PresignOptions{}); err == nil {
		t.Error("PresignURL without credentials: no error")
	}
}
