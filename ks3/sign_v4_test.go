package ks3

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Inputs of the examples in AWS's S3 documentation, "Signature Calculations
// for the Authorization Header: Transferring Payload in a Single Chunk" and
// "Authenticating Requests: Using Query Parameters".
const (
	awsAK   = "AKIAIOSFODNN7EXAMPLE"
	awsSK   = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	awsHost = "examplebucket.s3.amazonaws.com"
)

var awsTime = time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)

func TestV4SignatureVectors(t *testing.T) {
	tests := []struct {
		name    string
		method  string
		path    string // as sent
		query   url.Values
		header  map[string]string
		payload string // signed body; "" for none
		want    string // Authorization
	}{
		{
			name: "GET object with Range", method: "GET", path: "/test.txt",
			header: map[string]string{"Range": "bytes=0-9"},
			want: "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
				"SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, " +
				"Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
		},
		{
			name: "PUT object", method: "PUT", path: "/test%24file.text",
			header:  map[string]string{"Date": "Fri, 24 May 2013 00:00:00 GMT", "x-amz-storage-class": "REDUCED_REDUNDANCY"},
			payload: "Welcome to Amazon S3.",
			want: "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
				"SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, " +
				"Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
		},
		{
			name: "GET bucket lifecycle", method: "GET", path: "/", query: url.Values{"lifecycle": {""}},
			want: "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
				"SignedHeaders=host;x-amz-content-sha256;x-amz-date, " +
				"Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
		},
		{
			name: "GET bucket (list objects)", method: "GET", path: "/",
			query: url.Values{"max-keys": {"2"}, "prefix": {"J"}},
			want: "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
				"SignedHeaders=host;x-amz-content-sha256;x-amz-date, " +
				"Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := resource{bucket: "examplebucket", query: tt.query}
			r, err := http.NewRequest(tt.method, "https://"+awsHost+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.payload != "" {
				res.payload = io.NewSectionReader(strings.NewReader(tt.payload), 0, int64(len(tt.payload)))
			}
			for name, v := range tt.header {
				r.Header[name] = []string{v}
			}
			v4Signer{accessKey: awsAK, secretKey: awsSK, region: "us-east-1"}.sign(r, res, awsTime)
			if got := r.Header.Get("Authorization"); got != tt.want {
				t.Errorf("Authorization\n got %s\nwant %s", got, tt.want)
			}
			if got := r.Header.Get("X-Amz-Date"); got != "20130524T000000Z" {
				t.Errorf("X-Amz-Date = %q", got)
			}
		})
	}
}

func TestV4CanonicalRequestOfGetObjectExample(t *testing.T) {
	h := http.Header{"Range": {"bytes=0-9"}, "X-Amz-Content-Sha256": {emptySHA256}, "X-Amz-Date": {"20130524T000000Z"}}
	names, lines := canonicalV4Headers(h, awsHost)
	got := canonicalV4Request("GET", "/test.txt", "", lines, names, emptySHA256)
	want := "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n" +
		"x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n" +
		"x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n" +
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	if got != want {
		t.Errorf("canonical request\n got %q\nwant %q", got, want)
	}
	sts := v4StringToSign(awsTime, "20130524/us-east-1/s3/aws4_request", got)
	wantSTS := "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n" +
		"7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"
	if sts != wantSTS {
		t.Errorf("string to sign\n got %q\nwant %q", sts, wantSTS)
	}
}

func TestV4PresignVector(t *testing.T) {
	c, err := New(Options{Endpoint: "https://s3.amazonaws.com", AccessKey: awsAK, SecretKey: awsSK,
		Signature: SignatureV4, Now: func() time.Time { return awsTime }})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.PresignURL("GET", "examplebucket", "test.txt", awsTime.Add(86400*time.Second), PresignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := "https://examplebucket.s3.amazonaws.com/test.txt" +
		"?X-Amz-Algorithm=AWS4-HMAC-SHA256" +
		"&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
		"&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host" +
		"&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
	if got != want {
		t.Errorf("PresignURL\n got %s\nwant %s", got, want)
	}
}

func TestV4PresignValidity(t *testing.T) {
	c, err := New(Options{Endpoint: "http://127.0.0.1:9000", AccessKey: awsAK, SecretKey: awsSK, SecurityToken: "tok/1",
		Signature: SignatureV4, Region: "cn-beijing-6", Now: func() time.Time { return awsTime }})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name            string
		expires         time.Time
		wantDate, wantX string
		wantErr         bool
	}{
		{name: "one hour", expires: awsTime.Add(time.Hour), wantDate: "20130524T000000Z", wantX: "3600"},
		{name: "seven days", expires: awsTime.Add(7 * 24 * time.Hour), wantDate: "20130524T000000Z", wantX: "604800"},
		{name: "past", expires: awsTime.Add(-time.Hour), wantDate: "20130523T225959Z", wantX: "1"},
		{name: "beyond seven days", expires: awsTime.Add(7*24*time.Hour + time.Second), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := c.PresignURL("PUT", "b", "a b/c", tt.expires, PresignOptions{
				Headers: map[string]string{"Content-Type": "text/plain", "x-amz-meta-via": "url"}})
			if tt.wantErr {
				if err == nil {
					t.Fatalf("PresignURL = %s, want an error", raw)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			if u.EscapedPath() != "/b/a%20b/c" {
				t.Errorf("path = %s", u.EscapedPath())
			}
			if q.Get("X-Amz-Date") != tt.wantDate || q.Get("X-Amz-Expires") != tt.wantX {
				t.Errorf("X-Amz-Date, X-Amz-Expires = %s, %s; want %s, %s", q.Get("X-Amz-Date"), q.Get("X-Amz-Expires"), tt.wantDate, tt.wantX)
			}
			if got, want := q.Get("X-Amz-Credential"), awsAK+"/"+tt.wantDate[:8]+"/cn-beijing-6/s3/aws4_request"; got != want {
				t.Errorf("X-Amz-Credential = %s, want %s", got, want)
			}
			if q.Get("X-Amz-SignedHeaders") != "content-type;host;x-amz-meta-via" || q.Get("X-Amz-Security-Token") != "tok/1" {
				t.Errorf("query = %v", q)
			}
			checkV4Presigned(t, "PUT", u, "content-type:text/plain\nhost:127.0.0.1:9000\nx-amz-meta-via:url\n")
		})
	}
}

// checkV4Presigned recomputes the signature of a presigned URL from its
// query, with the canonical header lines given by the test.
func checkV4Presigned(t *testing.T, method string, u *url.URL, headerLines string) {
	t.Helper()
	q := u.Query()
	sig := q.Get("X-Amz-Signature")
	raw := u.RawQuery[:strings.Index(u.RawQuery, "&X-Amz-Signature=")]
	creq := method + "\n" + u.EscapedPath() + "\n" + raw + "\n" + headerLines + "\n" +
		q.Get("X-Amz-SignedHeaders") + "\nUNSIGNED-PAYLOAD"
	if want := testV4Signature(q.Get("X-Amz-Credential"), q.Get("X-Amz-Date"), creq); sig != want {
		t.Errorf("X-Amz-Signature = %s, want %s for canonical request %q", sig, want, creq)
	}
}

// testV4Signature computes a SigV4 signature from the credential
// ("AK/date/region/s3/aws4_request"), the time and the canonical request,
// with HMACs computed here rather than by the code under test.
func testV4Signature(credential, amzDate, creq string) string {
	parts := strings.Split(credential, "/")
	mac := func(key []byte, msg string) []byte {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(msg))
		return m.Sum(nil)
	}
	key := mac(mac(mac(mac([]byte("AWS4"+awsSK), parts[1]), parts[2]), parts[3]), parts[4])
	sum := sha256.Sum256([]byte(creq))
	sts := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + strings.Join(parts[1:], "/") + "\n" + hex.EncodeToString(sum[:])
	return hex.EncodeToString(mac(key, sts))
}

// wantV4Auth checks the Authorization of a recorded request against the
// canonical request written out by the test.
func wantV4Auth(t *testing.T, rec recorded, signedHeaders, creq string) {
	t.Helper()
	date := rec.Header.Get("X-Amz-Date")
	cred := awsAK + "/" + date[:8] + "/us-east-1/s3/aws4_request"
	want := "AWS4-HMAC-SHA256 Credential=" + cred + ", SignedHeaders=" + signedHeaders +
		", Signature=" + testV4Signature(cred, date, creq)
	if got := rec.Header.Get("Authorization"); got != want {
		t.Errorf("Authorization\n got %s\nwant %s\nfor canonical request %q", got, want, creq)
	}
}

func newV4TestClient(t *testing.T, s *testServer) *Client {
	return newTestClient(t, s, func(o *Options) {
		o.AccessKey, o.SecretKey, o.Signature = awsAK, awsSK, SignatureV4
		o.Now = func() time.Time { return awsTime }
	})
}

func TestV4RequestShapes(t *testing.T) {
	tests := []struct {
		name   string
		call   func(c *Client) error
		resp   string // response body
		uri    string
		header map[string]string // must be present with this value
		absent []string
		signed string
		creq   func(host string) string
	}{
		{
			name: "put object: x-amz- spellings, unsigned streamed body",
			call: func(c *Client) error {
				sum := md5Sum("hello")
				_, err := c.PutObject(context.Background(), "bkt", "dir/a b.txt", newStringSeeker("hello"), 5, PutOptions{
					ContentType: "text/plain", ContentMD5: sum[:], Metadata: map[string]string{"Mtime": "1700000000"},
					ACL: "public-read", StorageClass: "STANDARD_IA", CallbackURL: "http://127.0.0.1:1/cb"})
				return err
			},
			uri: "/bkt/dir/a%20b.txt",
			header: map[string]string{"X-Amz-Meta-Mtime": "1700000000", "X-Amz-Acl": "public-read",
				"X-Amz-Storage-Class": "STANDARD_IA", "X-Kss-Callbackurl": "http://127.0.0.1:1/cb",
				"X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD", "X-Amz-Date": "20130524T000000Z"},
			absent: []string{"X-Kss-Meta-Mtime", "X-Kss-Acl", "X-Kss-Storage-Class", "Date"},
			signed: "content-md5;content-type;host;x-amz-acl;x-amz-content-sha256;x-amz-date;x-amz-meta-mtime;x-amz-storage-class;x-kss-callbackurl",
			creq: func(host string) string {
				return "PUT\n/bkt/dir/a%20b.txt\n\ncontent-md5:" + md5B64("hello") + "\ncontent-type:text/plain\nhost:" + host +
					"\nx-amz-acl:public-read\nx-amz-content-sha256:UNSIGNED-PAYLOAD\nx-amz-date:20130524T000000Z" +
					"\nx-amz-meta-mtime:1700000000\nx-amz-storage-class:STANDARD_IA\nx-kss-callbackurl:http://127.0.0.1:1/cb\n\n" +
					"content-md5;content-type;host;x-amz-acl;x-amz-content-sha256;x-amz-date;x-amz-meta-mtime;x-amz-storage-class;x-kss-callbackurl\n" +
					"UNSIGNED-PAYLOAD"
			},
		},
		{
			name: "delete objects: hashed XML body, bare sub-resource",
			call: func(c *Client) error {
				_, err := c.DeleteObjects(context.Background(), "bkt", []string{"k"})
				return err
			},
			resp:   "<DeleteResult></DeleteResult>",
			uri:    "/bkt/?delete",
			signed: "content-md5;content-type;host;x-amz-content-sha256;x-amz-date",
		},
		{
			name: "copy object",
			call: func(c *Client) error {
				_, err := c.CopyObject(context.Background(), "src", "a+b", "bkt", "k", CopyOptions{})
				return err
			},
			resp:   "<CopyObjectResult><ETag>\"x\"</ETag></CopyObjectResult>",
			uri:    "/bkt/k",
			header: map[string]string{"X-Amz-Copy-Source": "/src/a%2Bb", "X-Amz-Metadata-Directive": "COPY"},
			absent: []string{"X-Kss-Copy-Source", "X-Kss-Metadata-Directive"},
			signed: "host;x-amz-content-sha256;x-amz-copy-source;x-amz-date;x-amz-metadata-directive",
		},
		{
			name: "get object with range and response override",
			call: func(c *Client) error {
				obj, err := c.GetObject(context.Background(), "bkt", "k", GetOptions{Range: "bytes=0-9",
					ResponseHeaders: map[string]string{"response-content-type": "text/plain; charset=utf-8"}})
				if err == nil {
					obj.Body.Close()
				}
				return err
			},
			uri:    "/bkt/k?response-content-type=text%2Fplain%3B%20charset%3Dutf-8",
			header: map[string]string{"X-Amz-Content-Sha256": emptySHA256},
			signed: "host;range;x-amz-content-sha256;x-amz-date",
			creq: func(host string) string {
				return "GET\n/bkt/k\nresponse-content-type=text%2Fplain%3B%20charset%3Dutf-8\nhost:" + host +
					"\nrange:bytes=0-9\nx-amz-content-sha256:" + emptySHA256 + "\nx-amz-date:20130524T000000Z\n\n" +
					"host;range;x-amz-content-sha256;x-amz-date\n" + emptySHA256
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, answer(200, nil, tt.resp))
			c := newV4TestClient(t, s)
			if err := tt.call(c); err != nil {
				t.Fatal(err)
			}
			rec := s.requests()[0]
			if rec.RequestURI != tt.uri {
				t.Errorf("RequestURI = %s, want %s", rec.RequestURI, tt.uri)
			}
			for name, want := range tt.header {
				if got := rec.Header.Get(name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			for _, name := range tt.absent {
				if got, ok := rec.Header[httpCanonical(name)]; ok {
					t.Errorf("%s = %q, want none", name, got)
				}
			}
			if !strings.Contains(rec.Header.Get("Authorization"), "SignedHeaders="+tt.signed+",") {
				t.Errorf("Authorization %q does not sign %s", rec.Header.Get("Authorization"), tt.signed)
			}
			if tt.creq != nil {
				wantV4Auth(t, rec, tt.signed, tt.creq(rec.Host))
			}
			if strings.Contains(tt.uri, "?delete") {
				sum := sha256.Sum256(rec.Body)
				if got := rec.Header.Get("X-Amz-Content-Sha256"); got != hex.EncodeToString(sum[:]) {
					t.Errorf("X-Amz-Content-Sha256 = %s, want the SHA-256 of the XML body", got)
				}
			}
		})
	}
}

func TestV4RetrySignsAgain(t *testing.T) {
	s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request, n int, _ []byte) {
		if n == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	clock := awsTime
	c := newTestClient(t, s, func(o *Options) {
		o.AccessKey, o.SecretKey, o.Signature = awsAK, awsSK, SignatureV4
		o.Now = func() time.Time { clock = clock.Add(time.Second); return clock }
	})
	if _, err := c.PutObject(context.Background(), "bkt", "k", newStringSeeker("abc"), 3, PutOptions{}); err != nil {
		t.Fatal(err)
	}
	reqs := s.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	d1, d2 := reqs[0].Header.Get("X-Amz-Date"), reqs[1].Header.Get("X-Amz-Date")
	if d1 == d2 || reqs[0].Header.Get("Authorization") == reqs[1].Header.Get("Authorization") {
		t.Errorf("retry reused date %s / signature", d1)
	}
	if string(reqs[1].Body) != "abc" {
		t.Errorf("retried body = %q", reqs[1].Body)
	}
}

func TestV4ReadsS3ResponseHeaders(t *testing.T) {
	s := newTestServer(t, answer(200, map[string]string{
		"Content-Length": "3", "X-Amz-Meta-Mtime": "17", "x-kss-meta-md5": "abc", "x-amz-meta-md5": "ignored",
		"X-Amz-Storage-Class": "STANDARD_IA"}, ""))
	c := newV4TestClient(t, s)
	info, err := c.HeadObject(context.Background(), "bkt", "k")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"mtime": "17", "md5": "abc"}
	if fmt.Sprint(info.Metadata) != fmt.Sprint(want) || info.StorageClass != "STANDARD_IA" {
		t.Errorf("Metadata = %v, StorageClass = %s; want %v, STANDARD_IA", info.Metadata, info.StorageClass, want)
	}
}

func TestV4SecurityTokenAndRegion(t *testing.T) {
	s := newTestServer(t, answer(200, nil, ""))
	c := newTestClient(t, s, func(o *Options) {
		o.AccessKey, o.SecretKey, o.SecurityToken = awsAK, awsSK, "tok"
		o.Signature, o.Region = SignatureV4, "BEIJING"
	})
	if err := c.DeleteObject(context.Background(), "bkt", "k"); err != nil {
		t.Fatal(err)
	}
	rec := s.requests()[0]
	if got := rec.Header.Get("X-Amz-Security-Token"); got != "tok" {
		t.Errorf("X-Amz-Security-Token = %q", got)
	}
	auth := rec.Header.Get("Authorization")
	if !strings.Contains(auth, "/BEIJING/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,") {
		t.Errorf("Authorization = %s", auth)
	}
}

func TestSignatureOption(t *testing.T) {
	for _, tt := range []struct {
		sig     string
		wantErr bool
	}{{"", false}, {"kss", false}, {"v4", false}, {"V4", true}, {"v2", true}} {
		_, err := New(Options{Endpoint: "127.0.0.1", AccessKey: "a", SecretKey: "s", Signature: tt.sig})
		if (err != nil) != tt.wantErr {
			t.Errorf("Signature %q: err = %v, want error %v", tt.sig, err, tt.wantErr)
		}
	}
}

func TestAmzDialect(t *testing.T) {
	h := http.Header{
		"x-kss-meta-color": {"red"}, "x-kss-acl": {"private"}, "x-kss-storage-class": {"STANDARD"},
		"x-kss-copy-source": {"/b/k"}, "x-kss-copy-source-range": {"bytes=0-1"}, "x-kss-metadata-directive": {"COPY"},
		"x-kss-grant-read": {"id=1"}, "x-kss-callbackurl": {"u"}, "x-kss-bucket-type": {"IA"}, "kss-var": {"v"},
		"Content-Type": {"text/plain"},
	}
	amzDialect(h)
	want := http.Header{
		"x-amz-meta-color": {"red"}, "x-amz-acl": {"private"}, "x-amz-storage-class": {"STANDARD"},
		"x-amz-copy-source": {"/b/k"}, "x-amz-copy-source-range": {"bytes=0-1"}, "x-amz-metadata-directive": {"COPY"},
		"x-amz-grant-read": {"id=1"}, "x-kss-callbackurl": {"u"}, "x-kss-bucket-type": {"IA"}, "kss-var": {"v"},
		"Content-Type": {"text/plain"},
	}
	if fmt.Sprint(h) != fmt.Sprint(want) {
		t.Errorf("amzDialect\n got %v\nwant %v", h, want)
	}
}

func TestCanonicalV4HeaderValues(t *testing.T) {
	h := http.Header{"X-Amz-Meta-A": {"  two  spaces \t inside "}, "x-amz-meta-a": {"second"}, "User-Agent": {"x"}}
	names, lines := canonicalV4Headers(h, "h:1")
	if names != "host;x-amz-meta-a" {
		t.Errorf("signed headers = %s", names)
	}
	got := strings.Join(lines, "|")
	if got != "host:h:1|x-amz-meta-a:two spaces inside,second" {
		t.Errorf("lines = %s", got)
	}
}
