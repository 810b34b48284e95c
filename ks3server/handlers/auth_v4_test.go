package handlers

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3server/apierr"
)

// Inputs of the examples in AWS's S3 SigV4 documentation.
const (
	awsAK = "AKIAIOSFODNN7EXAMPLE"
	awsSK = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

var awsTime = time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)

// emptySHA256 is the SHA-256 of no bytes.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// newAWSExampleServer is a server with the credentials and clock of the AWS
// examples; examplebucket.s3.amazonaws.com addresses a bucket.
func newAWSExampleServer(t *testing.T) *testServer {
	return newTestServer(t, func(o *testOptions) {
		o.Credentials = map[string]string{awsAK: awsSK}
		o.Now = func() time.Time { return awsTime }
		o.Domain = "s3.amazonaws.com"
	})
}

// TestV4PublishedExamples replays AWS's documented requests, signed by AWS;
// the server must accept the signatures (and then find no bucket).
func TestV4PublishedExamples(t *testing.T) {
	const host = "examplebucket.s3.amazonaws.com"
	cred := "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
	tests := []struct {
		name, method, target string
		header               map[string]string
		body                 string
	}{
		{"GET object", "GET", "/test.txt", map[string]string{
			"Range": "bytes=0-9", "x-amz-content-sha256": emptySHA256, "x-amz-date": "20130524T000000Z",
			"Authorization": "AWS4-HMAC-SHA256 " + cred + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date," +
				"Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"}, ""},
		{"PUT object", "PUT", "/test%24file.text", map[string]string{
			"Date": "Fri, 24 May 2013 00:00:00 GMT", "x-amz-date": "20130524T000000Z", "x-amz-storage-class": "REDUCED_REDUNDANCY",
			"x-amz-content-sha256": "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
			"Authorization": "AWS4-HMAC-SHA256 " + cred + "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class," +
				"Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"}, "Welcome to Amazon S3."},
		{"GET bucket lifecycle", "GET", "/?lifecycle", map[string]string{
			"x-amz-content-sha256": emptySHA256, "x-amz-date": "20130524T000000Z",
			"Authorization": "AWS4-HMAC-SHA256 " + cred + "SignedHeaders=host;x-amz-content-sha256;x-amz-date," +
				"Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"}, ""},
		{"GET bucket", "GET", "/?max-keys=2&prefix=J", map[string]string{
			"x-amz-content-sha256": emptySHA256, "x-amz-date": "20130524T000000Z",
			"Authorization": "AWS4-HMAC-SHA256 " + cred + "SignedHeaders=host;x-amz-content-sha256;x-amz-date," +
				"Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"}, ""},
		{"presigned GET", "GET", "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256" +
			"&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
			"&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host" +
			"&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newAWSExampleServer(t)
			r := rawRequest(tt.method, host, tt.target, tt.header)
			r.Body, r.ContentLength = io.NopCloser(strings.NewReader(tt.body)), int64(len(tt.body))
			rt, err := parseRoute(r, "s3.amazonaws.com")
			if err != nil {
				t.Fatal(err)
			}
			ak, err := s.authenticate(r, rt)
			if err != nil || ak != awsAK {
				t.Fatalf("authenticate = %q, %v; want %s", ak, err, awsAK)
			}
			if body, err := io.ReadAll(r.Body); err != nil || string(body) != tt.body {
				t.Errorf("body = %q, %v; want %q", body, err, tt.body)
			}
		})
	}
}

// awsChunkedExample is the request of AWS's "Transferring Payload in
// Multiple Chunks" example: 66,560 bytes of 'a' in chunks of 64 KiB.
func awsChunkedExample(sigs [3]string, data []byte) *http.Request {
	var body bytes.Buffer
	fmt.Fprintf(&body, "10000;chunk-signature=%s\r\n%s\r\n", sigs[0], data[:65536])
	fmt.Fprintf(&body, "400;chunk-signature=%s\r\n%s\r\n", sigs[1], data[65536:])
	fmt.Fprintf(&body, "0;chunk-signature=%s\r\n\r\n", sigs[2])
	r := rawRequest("PUT", "s3.amazonaws.com", "/examplebucket/chunkObject.txt", map[string]string{
		"x-amz-date": "20130524T000000Z", "x-amz-storage-class": "REDUCED_REDUNDANCY",
		"Authorization": "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request," +
			"SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class," +
			"Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
		"x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "Content-Encoding": "aws-chunked",
		"x-amz-decoded-content-length": "66560", "Content-Length": "66824",
	})
	r.Body, r.ContentLength = io.NopCloser(&body), int64(body.Len())
	return r
}

var awsChunkSigs = [3]string{
	"ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
	"0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
	"b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
}

func TestV4ChunkedPublishedExample(t *testing.T) {
	data := bytes.Repeat([]byte("a"), 66560)
	corrupt := slices.Clone(data)
	corrupt[66000] = 'b'
	badSig := awsChunkSigs
	badSig[2] = strings.Repeat("0", 64)
	tests := []struct {
		name     string
		sigs     [3]string
		data     []byte
		wantCode string // "" for success
	}{
		{name: "as published", sigs: awsChunkSigs, data: data},
		{name: "data changed", sigs: awsChunkSigs, data: corrupt, wantCode: "SignatureDoesNotMatch"},
		{name: "final signature changed", sigs: badSig, data: data, wantCode: "SignatureDoesNotMatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newAWSExampleServer(t)
			r := awsChunkedExample(tt.sigs, tt.data)
			rt, err := parseRoute(r, "s3.amazonaws.com")
			if err != nil {
				t.Fatal(err)
			}
			if ak, err := s.authenticate(r, rt); err != nil || ak != awsAK {
				t.Fatalf("authenticate = %q, %v", ak, err)
			}
			if r.ContentLength != 66560 || r.Header.Get("Content-Encoding") != "" {
				t.Errorf("ContentLength %d, Content-Encoding %q; want 66560 and none", r.ContentLength, r.Header.Get("Content-Encoding"))
			}
			got, err := io.ReadAll(r.Body)
			wantReadError(t, err, tt.wantCode)
			if tt.wantCode == "" && !bytes.Equal(got, data) {
				t.Errorf("decoded %d bytes, want 66560 bytes of 'a'", len(got))
			}
		})
	}
}

// wantReadError checks that err is nil (code "") or an apiError with code.
func wantReadError(t *testing.T, err error, code string) {
	t.Helper()
	var ae apierr.Error
	switch {
	case code == "" && err != nil:
		t.Fatalf("read: %v", err)
	case code != "" && (!errors.As(err, &ae) || ae.Code != code):
		t.Fatalf("read error = %v, want %s", err, code)
	}
}

// v4Call is a request that the test signs with SigV4 itself, independently
// of the server's code.
type v4Call struct {
	method, target string // raw path and query
	header         map[string]string
	body           []byte
	payload        string    // x-amz-content-sha256; "" means the body's SHA-256
	at             time.Time // zero means testNow
	secret         string    // zero means testSK
	region         string    // zero means us-east-1
}

// testV4Sign signs r; signed names the headers to sign besides host.
func testV4Sign(r *http.Request, signed []string, payload, secret, region string, at time.Time) {
	date := at.UTC().Format("20060102")
	scope := date + "/" + region + "/s3/aws4_request"
	path, rawQuery, _ := strings.Cut(r.RequestURI, "?")
	q, _ := url.ParseQuery(rawQuery)
	var pairs []string
	for name, vs := range q {
		for _, v := range vs {
			enc := func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }
			pairs = append(pairs, enc(name)+"="+enc(v))
		}
	}
	slices.Sort(pairs)
	names := append([]string{"host"}, signed...)
	slices.Sort(names)
	var lines []string
	for _, n := range names {
		v := r.Header.Get(n)
		if n == "host" {
			v = r.Host
		}
		lines = append(lines, n+":"+strings.TrimSpace(v)+"\n")
	}
	creq := strings.Join([]string{r.Method, path, strings.Join(pairs, "&"), strings.Join(lines, ""), strings.Join(names, ";"), payload}, "\n")
	mac := func(k []byte, m string) []byte { h := hmac.New(sha256.New, k); h.Write([]byte(m)); return h.Sum(nil) }
	key := mac(mac(mac(mac([]byte("AWS4"+secret), date), region), "s3"), "aws4_request")
	sum := sha256.Sum256([]byte(creq))
	sts := "AWS4-HMAC-SHA256\n" + at.UTC().Format("20060102T150405Z") + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testAK+"/"+scope+", SignedHeaders="+
		strings.Join(names, ";")+", Signature="+hex.EncodeToString(mac(key, sts)))
}

func (c v4Call) request() *http.Request {
	at, secret, region, payload := c.at, c.secret, c.region, c.payload
	if at.IsZero() {
		at = testNow
	}
	if secret == "" {
		secret = testSK
	}
	if region == "" {
		region = "us-east-1"
	}
	if payload == "" {
		sum := sha256.Sum256(c.body)
		payload = hex.EncodeToString(sum[:])
	}
	r := httptest.NewRequest(c.method, "http://127.0.0.1:9000/", bytes.NewReader(c.body))
	r.RequestURI, r.Host = c.target, "127.0.0.1:9000"
	r.Header.Set("X-Amz-Date", at.UTC().Format("20060102T150405Z"))
	r.Header.Set("X-Amz-Content-Sha256", payload)
	signed := []string{"x-amz-content-sha256", "x-amz-date"}
	for name, v := range c.header {
		r.Header.Set(name, v)
		signed = append(signed, strings.ToLower(name))
	}
	testV4Sign(r, signed, payload, secret, region, at)
	return r
}

func serveV4(s http.Handler, c v4Call) *httptest.ResponseRecorder {
	return httptestRecorder(s, c.request())
}

func TestV4HeaderAuth(t *testing.T) {
	s := newTestServer(t)
	if w := serveV4(s, v4Call{method: "PUT", target: "/v4b"}); w.Code != http.StatusOK {
		t.Fatalf("create bucket: %d %s", w.Code, w.Body)
	}
	body := []byte("hello, sigv4")
	crc := crc32.ChecksumIEEE(body)
	crcB64 := base64.StdEncoding.EncodeToString([]byte{byte(crc >> 24), byte(crc >> 16), byte(crc >> 8), byte(crc)})
	tests := []struct {
		name   string
		call   v4Call
		edit   func(r *http.Request)
		status int
		code   string
		stored bool // the object k exists afterwards with body
	}{
		{name: "put with payload hash", call: v4Call{method: "PUT", target: "/v4b/k", body: body,
			header: map[string]string{"x-amz-meta-color": "red", "x-amz-checksum-crc32": crcB64}}, status: 200, stored: true},
		{name: "unsigned payload, region BEIJING", call: v4Call{method: "PUT", target: "/v4b/k", body: body,
			payload: "UNSIGNED-PAYLOAD", region: "BEIJING"}, status: 200, stored: true},
		{name: "payload hash mismatch", call: v4Call{method: "PUT", target: "/v4b/k", body: body,
			payload: strings.Repeat("ab", 32)}, status: 400, code: "XAmzContentSHA256Mismatch"},
		{name: "checksum mismatch", call: v4Call{method: "PUT", target: "/v4b/k", body: body,
			header: map[string]string{"x-amz-checksum-crc32": "AAAAAA=="}}, status: 400, code: "BadDigest"},
		{name: "empty body with a wrong hash", call: v4Call{method: "GET", target: "/v4b/?list-type=2",
			payload: strings.Repeat("ab", 32)}, status: 400, code: "XAmzContentSHA256Mismatch"},
		{name: "payload not a hash", call: v4Call{method: "GET", target: "/v4b/", payload: "SOMETHING"},
			status: 400, code: "InvalidArgument"},
		{name: "wrong secret", call: v4Call{method: "GET", target: "/v4b/", secret: "wrong"}, status: 403, code: "SignatureDoesNotMatch"},
		{name: "tampered signed header", call: v4Call{method: "PUT", target: "/v4b/k", body: body,
			header: map[string]string{"x-amz-meta-color": "red"}},
			edit: func(r *http.Request) { r.Header.Set("X-Amz-Meta-Color", "blue") }, status: 403, code: "SignatureDoesNotMatch"},
		{name: "tampered query", call: v4Call{method: "GET", target: "/v4b/?prefix=a"},
			edit: func(r *http.Request) { r.RequestURI = "/v4b/?prefix=b" }, status: 403, code: "SignatureDoesNotMatch"},
		{name: "unknown key", call: v4Call{method: "GET", target: "/v4b/"},
			edit: func(r *http.Request) {
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), testAK, "AKNOBODY", 1))
			}, status: 403, code: "InvalidAccessKeyId"},
		{name: "skewed 16 minutes", call: v4Call{method: "GET", target: "/v4b/", at: testNow.Add(16 * time.Minute)},
			status: 403, code: "RequestTimeTooSkewed"},
		{name: "skewed 14 minutes", call: v4Call{method: "GET", target: "/v4b/", at: testNow.Add(-14 * time.Minute)}, status: 200},
		{name: "no content hash header", call: v4Call{method: "GET", target: "/v4b/"},
			edit: func(r *http.Request) { r.Header.Del("X-Amz-Content-Sha256") }, status: 400, code: "InvalidRequest"},
		{name: "malformed authorization", call: v4Call{method: "GET", target: "/v4b/"},
			edit:   func(r *http.Request) { r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x") },
			status: 400, code: "AuthorizationHeaderMalformed"},
		{name: "credential date is not the request date", call: v4Call{method: "GET", target: "/v4b/"},
			edit:   func(r *http.Request) { r.Header.Set("X-Amz-Date", "20191016T000000Z") },
			status: 400, code: "AuthorizationHeaderMalformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			do(t, s, call{method: "DELETE", bucket: "v4b", rawKey: "k"})
			r := tt.call.request()
			if tt.edit != nil {
				tt.edit(r)
			}
			w := httptestRecorder(s, r)
			if tt.code != "" {
				wantError(t, w, tt.status, tt.code)
			} else if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			exists := do(t, s, call{method: "HEAD", bucket: "v4b", rawKey: "k"}).Code == http.StatusOK
			if exists != tt.stored {
				t.Errorf("object stored = %v, want %v", exists, tt.stored)
			}
			if tt.stored && !bytes.Equal(getBody(t, s, "v4b", "k"), body) {
				t.Error("stored object differs from the body sent")
			}
		})
	}
}

// TestV4ChunkedUpload uploads through ServeHTTP with aws-chunked framing
// signed by the test, and checks that a bad chunk stores nothing.
func TestV4ChunkedUpload(t *testing.T) {
	s := newTestServer(t)
	if w := serveV4(s, v4Call{method: "PUT", target: "/v4c"}); w.Code != http.StatusOK {
		t.Fatalf("create bucket: %d %s", w.Code, w.Body)
	}
	data := bytes.Repeat([]byte("0123456789abcdef"), 5000) // 80,000 bytes: two chunks and a final one
	for _, tt := range []struct {
		name    string
		corrupt bool
		status  int
	}{{"valid", false, 200}, {"corrupt chunk", true, 403}} {
		t.Run(tt.name, func(t *testing.T) {
			r := chunkedCall(data, tt.corrupt)
			w := httptestRecorder(s, r)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if tt.status == 200 {
				if got := getBody(t, s, "v4c", "obj"); !bytes.Equal(got, data) {
					t.Errorf("stored %d bytes, want the %d decoded bytes", len(got), len(data))
				}
				head := mustDo(t, s, call{method: "HEAD", bucket: "v4c", rawKey: "obj"}, 200)
				if ce := head.Header().Get("Content-Encoding"); ce != "" {
					t.Errorf("stored Content-Encoding %q, want none", ce)
				}
				return
			}
			do(t, s, call{method: "DELETE", bucket: "v4c", rawKey: "obj"})
		})
	}
}

// chunkedCall builds a signed aws-chunked PUT of data in 64 KiB chunks.
func chunkedCall(data []byte, corrupt bool) *http.Request {
	const chunk = 64 << 10
	var encoded bytes.Buffer
	r := httptest.NewRequest("PUT", "http://127.0.0.1:9000/", nil)
	r.RequestURI, r.Host = "/v4c/obj", "127.0.0.1:9000"
	r.Header.Set("X-Amz-Date", testNow.Format("20060102T150405Z"))
	r.Header.Set("X-Amz-Content-Sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
	r.Header.Set("Content-Encoding", "aws-chunked")
	r.Header.Set("X-Amz-Decoded-Content-Length", fmt.Sprint(len(data)))
	testV4Sign(r, []string{"content-encoding", "x-amz-content-sha256", "x-amz-date", "x-amz-decoded-content-length"},
		"STREAMING-AWS4-HMAC-SHA256-PAYLOAD", testSK, "us-east-1", testNow)
	auth := r.Header.Get("Authorization")
	prev := auth[strings.LastIndex(auth, "=")+1:]
	mac := func(k []byte, m string) []byte { h := hmac.New(sha256.New, k); h.Write([]byte(m)); return h.Sum(nil) }
	key := mac(mac(mac(mac([]byte("AWS4"+testSK), "20191015"), "us-east-1"), "s3"), "aws4_request")
	for off := 0; ; off += chunk {
		part := data[min(off, len(data)):min(off+chunk, len(data))]
		sum := sha256.Sum256(part)
		sts := "AWS4-HMAC-SHA256-PAYLOAD\n20191015T083000Z\n20191015/us-east-1/s3/aws4_request\n" + prev + "\n" +
			emptySHA256 + "\n" + hex.EncodeToString(sum[:])
		prev = hex.EncodeToString(mac(key, sts))
		if corrupt && off > 0 && len(part) > 0 {
			part = append([]byte{'X'}, part[1:]...)
		}
		fmt.Fprintf(&encoded, "%x;chunk-signature=%s\r\n%s\r\n", len(part), prev, part)
		if len(part) == 0 {
			break
		}
	}
	r.Body, r.ContentLength = io.NopCloser(&encoded), int64(encoded.Len())
	return r
}

func TestV4Presigned(t *testing.T) {
	s := newTestServer(t)
	if w := serveV4(s, v4Call{method: "PUT", target: "/v4p"}); w.Code != http.StatusOK {
		t.Fatalf("create bucket: %d %s", w.Code, w.Body)
	}
	putObject(t, s, "v4p", "a%20b", []byte("presigned"), nil)
	tests := []struct {
		name    string
		expires string
		at      time.Time
		tamper  bool
		status  int
		code    string
	}{
		{name: "valid", expires: "3600", at: testNow.Add(-time.Minute), status: 200},
		{name: "expired", expires: "60", at: testNow.Add(-2 * time.Minute), status: 403, code: "AccessDenied"},
		{name: "not yet valid", expires: "3600", at: testNow.Add(20 * time.Minute), status: 403, code: "AccessDenied"},
		{name: "tampered", expires: "3600", at: testNow, tamper: true, status: 403, code: "SignatureDoesNotMatch"},
		{name: "expires beyond seven days", expires: "604801", at: testNow, status: 400, code: "AuthorizationQueryParametersError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptestRecorder(s, presignedRequest("/v4p/a%20b", tt.expires, tt.at, tt.tamper))
			if tt.code != "" {
				wantError(t, w, tt.status, tt.code)
				return
			}
			if w.Code != tt.status || w.Body.String() != "presigned" {
				t.Fatalf("status %d body %q, want 200 presigned", w.Code, w.Body)
			}
		})
	}
}

// presignedRequest builds a presigned GET of path signed by the test.
func presignedRequest(path, expires string, at time.Time, tamper bool) *http.Request {
	date := at.UTC().Format("20060102")
	q := url.Values{
		"X-Amz-Algorithm": {"AWS4-HMAC-SHA256"}, "X-Amz-Credential": {testAK + "/" + date + "/us-east-1/s3/aws4_request"},
		"X-Amz-Date": {at.UTC().Format("20060102T150405Z")}, "X-Amz-Expires": {expires}, "X-Amz-SignedHeaders": {"host"},
	}
	canonQuery := strings.ReplaceAll(q.Encode(), "+", "%20")
	creq := "GET\n" + path + "\n" + canonQuery + "\nhost:127.0.0.1:9000\n\nhost\nUNSIGNED-PAYLOAD"
	mac := func(k []byte, m string) []byte { h := hmac.New(sha256.New, k); h.Write([]byte(m)); return h.Sum(nil) }
	key := mac(mac(mac(mac([]byte("AWS4"+testSK), date), "us-east-1"), "s3"), "aws4_request")
	sum := sha256.Sum256([]byte(creq))
	sig := hex.EncodeToString(mac(key, "AWS4-HMAC-SHA256\n"+at.UTC().Format("20060102T150405Z")+"\n"+
		date+"/us-east-1/s3/aws4_request\n"+hex.EncodeToString(sum[:])))
	if tamper {
		path += "x"
	}
	r := httptest.NewRequest("GET", "http://127.0.0.1:9000/", nil)
	r.RequestURI, r.Host = path+"?"+canonQuery+"&X-Amz-Signature="+sig, "127.0.0.1:9000"
	return r
}
