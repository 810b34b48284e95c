package handlers

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// rawRequest builds a request exactly as a client put it on the wire.
func rawRequest(method, host, target string, header map[string]string) *http.Request {
	r := httptest.NewRequest(method, "http://"+host+"/", nil)
	r.RequestURI = target
	r.Host = host
	for k, v := range header {
		r.Header.Set(k, v)
	}
	return r
}

// TestKSSVectors replays the signed requests of the protocol reference
// (computed with the official SDKs) and checks that the server computes the
// same signature and accepts them.
func TestKSSVectors(t *testing.T) {
	date := "Tue, 15 Oct 2019 08:30:00 GMT"
	path := "127.0.0.1:9000"
	virtual := "example-bucket." + testDomain
	tests := []struct {
		name, method, host, target string
		header                     map[string]string
		auth                       string
	}{
		{"S1 get object", "GET", path, "/example-bucket/photos/2019/cat.jpg", nil,
			"CqU8SWFNZ9B2hKvSn0EQMJ/lxWo="},
		{"S1 custom domain", "GET", virtual, "/photos/2019/cat.jpg", nil,
			"CqU8SWFNZ9B2hKvSn0EQMJ/lxWo="},
		{"S2 put with x-kss headers", "PUT", path, "/example-bucket/docs/report.txt", map[string]string{
			"Content-Type": "text/plain", "Content-MD5": "XUFAKrxLKna5cZ2REBfFkg==", "X-KSS-Meta-Author": "alice",
			"x-kss-acl": "public-read", "x-kss-storage-class": "STANDARD_IA",
		}, "g8NCa8H9AG42C8HJIfgHPB+otIU="},
		{"S3 upload part", "PUT", path, "/example-bucket/big/file.bin?partNumber=2&uploadId=0123456789abcdef0123456789abcdef", nil,
			"ClJ28EM3nlsrK53Zcup4K3UJGuQ="},
		{"S4 list objects", "GET", path, "/example-bucket/?delimiter=%2F&max-keys=1000&prefix=photos%2F", nil,
			"8j4cmuL5CVU7p6hhrpDAyrrHXuk="},
		{"S5 list buckets", "GET", path, "/", nil, "5gB2/TBt50f71P4FYhV7LSuvRy0="},
		{"S6 python key encoding", "GET", path, "/example-bucket/%2Fa+b*c~d%2Be/%E4%B8%AD%E6%96%87.txt", nil,
			"yeZTys9sj5EWzbDPA7rGBlipTI0="},
		{"S6 go key encoding", "GET", virtual, "/%2Fa%20b%2Ac~d%2Be/%E4%B8%AD%E6%96%87.txt", nil,
			"s2CLePisNKxtfZIkJPGOvtVfLFM="},
		{"S7 initiate multipart", "POST", path, "/example-bucket/big/file.bin?uploads", map[string]string{"x-kss-acl": "private"},
			"hXZXgri0VjH37/LXSTu3YiaNjCo="},
		{"S8 put bucket acl", "PUT", path, "/example-bucket/?acl", map[string]string{"x-kss-acl": "public-read"},
			"Yv2ejYu7ay8hfRbzMN0QlaVfC0Y="},
		{"encrypted put", "PUT", path, "/example-bucket/secret/notes.txt", map[string]string{
			"Content-Type": "application/octet-stream", "Content-MD5": "x2KyeHZl189GrtMiq+ayZg==",
			"x-kss-meta-key": "NDAzMmFmOGQ2MTAzNTEyMzkwNmU1OGUwNjcxNDBjYzU=", "x-kss-meta-iv": "EBESExQVFhcYGRobHB0eHw==",
			"x-kss-meta-unencrypted-content-md5": "akRekFDa+GrIfoZvtAhNXA==", "x-kss-meta-unencrypted-content-length": "11",
		}, "QcqpjOXzm2gjDP6tAAyIW03hqNE="},
	}
	s := newTestServer(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := rawRequest(tc.method, tc.host, tc.target, tc.header)
			r.Header.Set("Date", date)
			rt, err := parseRoute(r, testDomain)
			if err != nil {
				t.Fatal(err)
			}
			r.Header.Set("Authorization", "KSS "+testAK+":"+tc.auth)
			if _, err := s.authenticate(r, rt); err != nil {
				t.Errorf("authenticate: %v", err)
			}
		})
	}
}

// TestPresignedVectors replays the presigned URLs of the protocol reference.
func TestPresignedVectors(t *testing.T) {
	host := "example-bucket." + testDomain
	tests := []struct{ method, host, target string }{
		{"GET", host, "/photos/2019/cat.jpg?Signature=QzWArp6QkrWb9E1kzwj1Vkcp3yY%3D&Expires=1700000000&KSSAccessKeyId=AKLTEXAMPLEACCESSKEY1"},
		{"GET", host + ":443", "/docs/report.txt?Signature=fcmOR5PIyxCTjJ9K9gyT6LWiB1U%3D&Expires=1700000000&KSSAccessKeyId=AKLTEXAMPLEACCESSKEY1"},
		{"PUT", host, "/upload/new.bin?Signature=4Sh3GABH6fbxDQDfkFIJJ%2F81RUQ%3D&Expires=1700000000&KSSAccessKeyId=AKLTEXAMPLEACCESSKEY1"},
	}
	s := newTestServer(t)
	for _, tc := range tests {
		t.Run(tc.target, func(t *testing.T) {
			r := rawRequest(tc.method, tc.host, tc.target, nil)
			rt, err := parseRoute(r, testDomain)
			if err != nil {
				t.Fatal(err)
			}
			if ak, err := s.authenticate(r, rt); err != nil || ak != testAK {
				t.Fatalf("authenticate = %q, %v", ak, err)
			}
		})
	}
	t.Run("expired", func(t *testing.T) {
		late := newTestServer(t, func(o *testOptions) { o.Now = func() time.Time { return time.Unix(1700000001, 0) } })
		w := httptest.NewRecorder()
		late.ServeHTTP(w, rawRequest("GET", host, tests[0].target, nil))
		wantError(t, w, http.StatusForbidden, "AccessDenied")
		if !strings.Contains(w.Body.String(), "Request has expired") {
			t.Errorf("message does not say the request expired: %s", w.Body)
		}
	})
	t.Run("tampered", func(t *testing.T) {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, rawRequest("GET", host, strings.Replace(tests[0].target, "1700000000", "1700000099", 1), nil))
		wantError(t, w, http.StatusForbidden, "SignatureDoesNotMatch")
	})
}

// TestAuthFailures checks each way a signed request can be rejected.
func TestAuthFailures(t *testing.T) {
	s := newTestServer(t)
	createBucket(t, s, "bkt")
	signed := func(mutate func(r *http.Request)) *httptest.ResponseRecorder {
		r := call{method: "GET", bucket: "bkt", rawKey: "k", query: "uploadId=abc",
			header: map[string]string{"x-kss-meta-a": "1"}}.newRequest()
		mutate(r)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		return w
	}
	tests := []struct {
		name   string
		mutate func(r *http.Request)
		status int
		code   string
	}{
		{"untouched reaches the handler", func(*http.Request) {}, http.StatusNotFound, "NoSuchUpload"},
		{"unsigned query parameter may change", func(r *http.Request) { r.RequestURI += "&max-parts=5" }, http.StatusNotFound, "NoSuchUpload"},
		{"tampered x-kss header", func(r *http.Request) { r.Header.Set("x-kss-meta-a", "2") }, http.StatusForbidden, "SignatureDoesNotMatch"},
		{"added x-kss header", func(r *http.Request) { r.Header.Set("x-kss-acl", "public-read") }, http.StatusForbidden, "SignatureDoesNotMatch"},
		{"tampered sub-resource", func(r *http.Request) { r.RequestURI = strings.Replace(r.RequestURI, "abc", "abd", 1) }, http.StatusForbidden, "SignatureDoesNotMatch"},
		{"tampered key", func(r *http.Request) { r.RequestURI = strings.Replace(r.RequestURI, "/k?", "/K?", 1) }, http.StatusForbidden, "SignatureDoesNotMatch"},
		{"tampered Content-Type", func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") }, http.StatusForbidden, "SignatureDoesNotMatch"},
		{"unknown access key", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), testAK, "AKLTNOBODY", 1))
		}, http.StatusForbidden, "InvalidAccessKeyId"},
		{"no colon", func(r *http.Request) { r.Header.Set("Authorization", "KSS "+testAK) }, http.StatusBadRequest, "InvalidAuthorizationString"},
		{"empty signature", func(r *http.Request) { r.Header.Set("Authorization", "KSS "+testAK+":") }, http.StatusBadRequest, "InvalidAuthorizationString"},
		{"other scheme", func(r *http.Request) { r.Header.Set("Authorization", "Bearer abc") }, http.StatusBadRequest, "InvalidArgument"},
		{"no Date", func(r *http.Request) { r.Header.Del("Date") }, http.StatusForbidden, "AccessDenied"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, signed(tc.mutate), tc.status, tc.code)
		})
	}
	t.Run("wrong secret", func(t *testing.T) {
		w := do(t, s, call{method: "GET", bucket: "bkt", secret: "not-the-secret"})
		wantError(t, w, http.StatusForbidden, "SignatureDoesNotMatch")
	})
	for _, skew := range []time.Duration{16 * time.Minute, -16 * time.Minute} {
		t.Run("skewed by "+skew.String(), func(t *testing.T) {
			w := do(t, s, call{method: "GET", bucket: "bkt", date: testNow.Add(skew)})
			wantError(t, w, http.StatusForbidden, "RequestTimeTooSkewed")
		})
	}
	t.Run("within skew", func(t *testing.T) {
		mustDo(t, s, call{method: "GET", bucket: "bkt", date: testNow.Add(14 * time.Minute)}, http.StatusOK)
	})
}

// TestAnonymousAccess checks ACL enforcement for unsigned requests.
func TestAnonymousAccess(t *testing.T) {
	s := newTestServer(t)
	createBucket(t, s, "private")
	mustDo(t, s, call{method: "PUT", bucket: "public", header: map[string]string{"x-kss-acl": "public-read"}}, http.StatusOK)
	mustDo(t, s, call{method: "PUT", bucket: "open", header: map[string]string{"x-kss-acl": "public-read-write"}}, http.StatusOK)
	putObject(t, s, "private", "secret", []byte("s"), nil)
	putObject(t, s, "private", "shared", []byte("p"), map[string]string{"x-kss-acl": "public-read"})
	putObject(t, s, "public", "inherits", []byte("i"), nil)
	putObject(t, s, "public", "locked", []byte("l"), map[string]string{"x-kss-acl": "private"})

	tests := []struct {
		name   string
		c      call
		status int
	}{
		{"private object", call{method: "GET", bucket: "private", rawKey: "secret"}, http.StatusForbidden},
		{"head private object", call{method: "HEAD", bucket: "private", rawKey: "secret"}, http.StatusForbidden},
		{"public-read object", call{method: "GET", bucket: "private", rawKey: "shared"}, http.StatusOK},
		{"list private bucket", call{method: "GET", bucket: "private"}, http.StatusForbidden},
		{"list public bucket", call{method: "GET", bucket: "public"}, http.StatusOK},
		{"object inheriting public bucket", call{method: "GET", bucket: "public", rawKey: "inherits"}, http.StatusOK},
		{"private object in public bucket", call{method: "GET", bucket: "public", rawKey: "locked"}, http.StatusForbidden},
		{"missing key in public bucket", call{method: "GET", bucket: "public", rawKey: "nope"}, http.StatusNotFound},
		{"write to public-read bucket", call{method: "PUT", bucket: "public", rawKey: "x", body: []byte("x")}, http.StatusForbidden},
		{"write to public-read-write bucket", call{method: "PUT", bucket: "open", rawKey: "x", body: []byte("x")}, http.StatusOK},
		{"acl change in public-read-write bucket", call{method: "PUT", bucket: "open", query: "acl",
			header: map[string]string{"x-kss-acl": "private"}}, http.StatusForbidden},
		{"list buckets", call{method: "GET"}, http.StatusForbidden},
		{"delete bucket", call{method: "DELETE", bucket: "open"}, http.StatusForbidden},
		{"missing bucket", call{method: "GET", bucket: "nowhere"}, http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.c.anonymous = true
			w := do(t, s, tc.c)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			if tc.status == http.StatusForbidden && tc.c.method != "HEAD" {
				wantError(t, w, http.StatusForbidden, "AccessDenied")
			}
		})
	}
}

// TestAWSV2Examples replays the signature version 2 examples of the Amazon
// S3 documentation (AWS-prefixed headers and presigned URLs, which KS3
// accepts as well).
func TestAWSV2Examples(t *testing.T) {
	const (
		ak = "AKIAIOSFODNN7EXAMPLE"
		sk = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	)
	at := func(date string) func(*testOptions) {
		return func(o *testOptions) {
			o.Credentials = map[string]string{ak: sk}
			o.Domain = "s3.amazonaws.com"
			o.Now = func() time.Time { t, _ := http.ParseTime(date); return t }
		}
	}
	tests := []struct {
		name, method, host, target, now string
		header                          map[string]string
	}{
		{"get object", "GET", "johnsmith.s3.amazonaws.com", "/photos/puppy.jpg", "Tue, 27 Mar 2007 19:36:42 GMT", map[string]string{
			"Date": "Tue, 27 Mar 2007 19:36:42 +0000", "Authorization": "AWS " + ak + ":bWq2s1WEIj+Ydj0vQ697zp+IXMU="}},
		{"put object", "PUT", "johnsmith.s3.amazonaws.com", "/photos/puppy.jpg", "Tue, 27 Mar 2007 21:15:45 GMT", map[string]string{
			"Content-Type": "image/jpeg", "Date": "Tue, 27 Mar 2007 21:15:45 +0000", "Authorization": "AWS " + ak + ":MyyxeRY7whkBe+bq8fHCL/2kKUg="}},
		{"list", "GET", "johnsmith.s3.amazonaws.com", "/?prefix=photos&max-keys=50&marker=puppy", "Tue, 27 Mar 2007 19:42:41 GMT", map[string]string{
			"Date": "Tue, 27 Mar 2007 19:42:41 +0000", "Authorization": "AWS " + ak + ":htDYFYduRNen8P9ZfE/s9SuKy0U="}},
		{"get acl", "GET", "johnsmith.s3.amazonaws.com", "/?acl", "Tue, 27 Mar 2007 19:44:46 GMT", map[string]string{
			"Date": "Tue, 27 Mar 2007 19:44:46 +0000", "Authorization": "AWS " + ak + ":c2WLPFtWHVgbEmeEG93a4cG37dM="}},
		{"x-amz-date and a signed Date", "DELETE", "s3.amazonaws.com", "/johnsmith/photos/puppy.jpg", "Tue, 27 Mar 2007 21:20:26 GMT", map[string]string{
			"Date": "Tue, 27 Mar 2007 21:20:27 +0000", "x-amz-date": "Tue, 27 Mar 2007 21:20:26 +0000", "Authorization": "AWS " + ak + ":H5ANDnX2Ut8ovG72UqDTNyFiqH0="}},
		{"x-amz-date as boto and s3cmd sign it", "DELETE", "s3.amazonaws.com", "/johnsmith/photos/puppy.jpg", "Tue, 27 Mar 2007 21:20:26 GMT", map[string]string{
			"x-amz-date": "Tue, 27 Mar 2007 21:20:26 +0000", "Authorization": "AWS " + ak + ":R4dJ53KECjStyBO5iTBJZ4XVOaI="}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(t, at(tc.now))
			r := rawRequest(tc.method, tc.host, tc.target, tc.header)
			rt, err := parseRoute(r, "s3.amazonaws.com")
			if err != nil {
				t.Fatal(err)
			}
			if got, err := s.authenticate(r, rt); err != nil || got != ak {
				t.Fatalf("authenticate = %q, %v", got, err)
			}
			r.Header.Set("Authorization", r.Header.Get("Authorization")[:len("AWS "+ak+":")]+"AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
			if _, err := s.authenticate(r, rt); err == nil {
				t.Fatal("a wrong AWS signature was accepted")
			}
		})
	}
	t.Run("presigned", func(t *testing.T) {
		s := newTestServer(t, at("Tue, 27 Mar 2007 19:36:42 GMT"))
		sig := testV2Signature(sk, "GET\n\n\n1175139620\n/johnsmith/photos/puppy.jpg")
		r := rawRequest("GET", "johnsmith.s3.amazonaws.com",
			"/photos/puppy.jpg?AWSAccessKeyId="+ak+"&Expires=1175139620&Signature="+url.QueryEscape(sig), nil)
		rt, err := parseRoute(r, "s3.amazonaws.com")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.authenticate(r, rt); err != nil || got != ak {
			t.Fatalf("authenticate = %q, %v", got, err)
		}
	})
}
