//go:build linux

package e2e

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/ks3server/ks3servertest"
)

// securityCase is one request and the answer it must get.
type securityCase struct {
	name   string
	do     func(s *secRig) answer
	status int
	code   string
}

func securityCases() []securityCase {
	var cases []securityCase
	for _, group := range [][]securityCase{signatureCases(), dateCases(), presignCases(), anonymousCases(), bodyCases(), nameCases()} {
		cases = append(cases, group...)
	}
	return cases
}

// tampered reads bkt/private.txt with a client whose requests tamper
// changes after signing.
func tampered(tamper func(*http.Request)) func(s *secRig) answer {
	return func(s *secRig) answer {
		return getAnswer(secClient(s.t, s.srv.url(), ks3servertest.SecretKey, nil, tamper), "bkt", "private.txt")
	}
}

// flipLast changes the last character of the signature in an Authorization
// header.
func flipLast(r *http.Request) {
	auth := r.Header.Get("Authorization")
	last := auth[len(auth)-2] // before the base64 padding
	repl := byte('A')
	if last == 'A' {
		repl = 'B'
	}
	r.Header.Set("Authorization", auth[:len(auth)-2]+string(repl)+auth[len(auth)-1:])
}

func signatureCases() []securityCase {
	return []securityCase{
		{"wrong secret key", func(s *secRig) answer {
			return getAnswer(secClient(s.t, s.srv.url(), "not-the-secret-key-at-all", nil, nil), "bkt", "private.txt")
		}, 403, "SignatureDoesNotMatch"},
		{"unknown access key", tampered(func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), ks3servertest.AccessKey, "AKLTNOBODYATALL00001", 1))
		}), 403, "InvalidAccessKeyId"},
		{"tampered signature", tampered(flipLast), 403, "SignatureDoesNotMatch"},
		{"signature of another key", tampered(func(r *http.Request) { r.URL.Path = "/bkt/shared.txt"; r.URL.RawPath = "" }), 403, "SignatureDoesNotMatch"},
		{"header added after signing", tampered(func(r *http.Request) { r.Header.Set("x-kss-acl", "public-read") }), 403, "SignatureDoesNotMatch"},
		{"malformed Authorization", tampered(func(r *http.Request) { r.Header.Set("Authorization", "KSS "+ks3servertest.AccessKey) }), 400, "InvalidAuthorizationString"},
		{"unknown Authorization scheme", tampered(func(r *http.Request) { r.Header.Set("Authorization", "Bearer abc") }), 400, "InvalidArgument"},
		{"signed request to write a public-read bucket's ACL with a wrong secret", func(s *secRig) answer {
			return fromErr(secClient(s.t, s.srv.url(), "wrong", nil, nil).SetBucketACL(context.Background(), "public", "public-read-write"))
		}, 403, "SignatureDoesNotMatch"},
	}
}

func dateCases() []securityCase {
	// Signed by hand: the client corrects its clock when told it is skewed.
	skewed := func(d time.Duration) func(s *secRig) answer {
		return func(s *secRig) answer { return s.signedRawAt(time.Now().Add(d), "GET", "/bkt/private.txt", "", nil) }
	}
	return []securityCase{
		{"no Date header", tampered(func(r *http.Request) { r.Header.Del("Date") }), 403, "AccessDenied"},
		{"Date 16 minutes ahead", skewed(16 * time.Minute), 403, "RequestTimeTooSkewed"},
		{"Date 16 minutes behind", skewed(-16 * time.Minute), 403, "RequestTimeTooSkewed"},
		{"Date a day behind", skewed(-24 * time.Hour), 403, "RequestTimeTooSkewed"},
		{"Date 14 minutes behind is accepted", skewed(-14 * time.Minute), 200, ""},
		{"unparsable Date", tampered(func(r *http.Request) { r.Header.Set("Date", "yesterday") }), 403, "AccessDenied"},
	}
}

// setQuery changes one parameter of a URL.
func setQuery(name, value string) func(string) string {
	return func(raw string) string {
		u, _ := url.Parse(raw)
		q := u.Query()
		q.Set(name, value)
		u.RawQuery = q.Encode()
		return u.String()
	}
}

func same(u string) string { return u }

func presignCases() []securityCase {
	hour := func() time.Time { return time.Now().Add(time.Hour) }
	return []securityCase{
		{"presigned URL", func(s *secRig) answer { return s.presigned("GET", "bkt", "private.txt", hour(), same) }, 200, ""},
		{"expired presigned URL", func(s *secRig) answer {
			return s.presigned("GET", "bkt", "private.txt", time.Now().Add(-time.Minute), same)
		}, 403, "AccessDenied"},
		{"presigned URL with a tampered signature", func(s *secRig) answer {
			return s.presigned("GET", "bkt", "private.txt", hour(), setQuery("Signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA="))
		}, 403, "SignatureDoesNotMatch"},
		{"presigned URL with a later expiry", func(s *secRig) answer {
			later := strconv.FormatInt(time.Now().Add(48*time.Hour).Unix(), 10)
			return s.presigned("GET", "bkt", "private.txt", hour(), setQuery("Expires", later))
		}, 403, "SignatureDoesNotMatch"},
		{"presigned URL for another key", func(s *secRig) answer {
			return s.presigned("GET", "bkt", "private.txt", hour(), func(u string) string { return strings.Replace(u, "private.txt", "shared.txt", 1) })
		}, 403, "SignatureDoesNotMatch"},
		{"presigned GET used to DELETE", func(s *secRig) answer { return s.presigned("DELETE", "bkt", "private.txt", hour(), same) }, 403, "SignatureDoesNotMatch"},
		{"presigned URL without Expires", func(s *secRig) answer {
			return s.presigned("GET", "bkt", "private.txt", hour(), func(u string) string {
				p, _ := url.Parse(u)
				q := p.Query()
				q.Del("Expires")
				p.RawQuery = q.Encode()
				return p.String()
			})
		}, 403, "AccessDenied"},
	}
}

func anonymousCases() []securityCase {
	get := func(path string) func(s *secRig) answer {
		return func(s *secRig) answer { return s.raw("GET", path, nil, nil) }
	}
	return []securityCase{
		{"anonymous GET of a private object", get("/bkt/private.txt"), 403, "AccessDenied"},
		{"anonymous HEAD of a private object", func(s *secRig) answer { return s.raw("HEAD", "/bkt/private.txt", nil, nil) }, 403, ""},
		{"anonymous GET of a public-read object", func(s *secRig) answer {
			a := s.raw("GET", "/bkt/shared.txt", nil, nil)
			if string(a.body) != "shared content" {
				a.code = "body " + string(a.body)
			}
			return a
		}, 200, ""},
		{"anonymous GET of an object in a public-read bucket", get("/public/inherits.txt"), 200, ""},
		{"anonymous listing of a private bucket", get("/bkt/"), 403, "AccessDenied"},
		{"anonymous listing of the buckets", get("/"), 403, "AccessDenied"},
		{"anonymous PUT into a public-read bucket", func(s *secRig) answer { return s.raw("PUT", "/public/x.txt", nil, []byte("x")) }, 403, "AccessDenied"},
		{"anonymous DELETE in a public-read bucket", func(s *secRig) answer { return s.raw("DELETE", "/public/inherits.txt", nil, nil) }, 403, "AccessDenied"},
		{"anonymous ACL change in a public-read-write bucket", func(s *secRig) answer {
			return s.raw("PUT", "/open/?acl", map[string]string{"x-kss-acl": "private"}, nil)
		}, 403, "AccessDenied"},
		{"anonymous upload with a callback", func(s *secRig) answer {
			a := s.raw("PUT", "/open/cb.txt", map[string]string{"x-kss-callbackurl": s.hook.url, "x-kss-callbackbody": "key=${key}"}, []byte("x"))
			return s.noCallback(a)
		}, 403, "AccessDenied"},
		{"signed upload with a callback to loopback", func(s *secRig) answer {
			_, err := s.client.PutObject(context.Background(), "bkt", "cb.txt", strings.NewReader("x"), 1,
				ks3.PutOptions{CallbackURL: s.hook.url, CallbackBody: "key=${key}"})
			return s.noCallback(fromErr(err))
		}, 400, "CallbackFail"},
	}
}

// noCallback spoils a when the callback hook was called.
func (s *secRig) noCallback(a answer) answer {
	if n := s.hook.calls.Load(); n > 0 {
		a.code += " (and the server called the loopback hook)"
	}
	return a
}

func bodyCases() []securityCase {
	signedPost := func(path, query string, body string) func(s *secRig) answer {
		return func(s *secRig) answer { return s.signedRaw("POST", path, query, []byte(body)) }
	}
	bomb := `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Delete><Object><Key>&b;</Key></Object></Delete>`
	return []securityCase{
		{"malformed XML in a multi-delete", signedPost("/bkt/", "delete", "<Delete><Object><Key>x</Key></Obj"), 400, "MalformedXML"},
		{"XML entity expansion in a multi-delete", signedPost("/bkt/", "delete", bomb), 400, "MalformedXML"},
		{"malformed XML completing an upload", func(s *secRig) answer {
			id, err := s.client.InitiateMultipartUpload(context.Background(), "bkt", "mp.bin", ks3.PutOptions{})
			if err != nil {
				return fromErr(err)
			}
			return s.signedRaw("POST", "/bkt/mp.bin", "uploadId="+id, []byte("<CompleteMultipartUpload><Part>"))
		}, 400, "MalformedXML"},
		{"malformed XML in an ACL", func(s *secRig) answer {
			return s.signedRaw("PUT", "/bkt/private.txt", "acl", []byte("<AccessControlPolicy><Owner>"))
		}, 400, "MalformedXML"},
		{"oversized request headers", func(s *secRig) answer {
			return s.raw("GET", "/bkt/private.txt", map[string]string{"X-Padding": strings.Repeat("p", 80<<10)}, nil)
		}, 431, ""},
		{"oversized user metadata", func(s *secRig) answer {
			_, err := s.client.PutObject(context.Background(), "bkt", "meta.txt", strings.NewReader("x"), 1,
				ks3.PutOptions{Metadata: map[string]string{"big": strings.Repeat("m", 10<<10)}})
			return fromErr(err)
		}, 400, "MetadataTooLarge"},
		{"Content-MD5 of other bytes", func(s *secRig) answer {
			_, err := s.client.PutObject(context.Background(), "bkt", "md5.txt", strings.NewReader("body"), 4,
				ks3.PutOptions{ContentMD5: make([]byte, 16)})
			return fromErr(err)
		}, 400, "BadDigest"},
		{"key longer than 1024 bytes", func(s *secRig) answer {
			_, err := s.client.PutObject(context.Background(), "bkt", strings.Repeat("k", 1025), strings.NewReader("x"), 1, ks3.PutOptions{})
			return fromErr(err)
		}, 400, "KeyTooLong"},
	}
}

func nameCases() []securityCase {
	var cases []securityCase
	for _, key := range []string{"../canary.txt", "../../server/canary.txt", "a/../../canary.txt", "..\\canary.txt", "/../canary.txt"} {
		cases = append(cases, securityCase{"signed GET of key " + key, func(s *secRig) answer { return getAnswer(s.client, "bkt", key) }, 404, "NoSuchKey"})
		cases = append(cases, securityCase{"signed PUT of key " + key + " stays a name", func(s *secRig) answer {
			body := "planted as " + key
			if _, err := s.client.PutObject(context.Background(), "bkt", key, strings.NewReader(body), int64(len(body)), ks3.PutOptions{}); err != nil {
				return fromErr(err)
			}
			a := getAnswer(s.client, "bkt", key)
			if string(a.body) != body {
				a.code = "read back " + string(a.body)
			}
			return a
		}, 200, ""})
	}
	for _, path := range []string{"/open/..%2F..%2Fcanary.txt", "/open/%2E%2E/%2E%2E/canary.txt", "/open/..%5C..%5Ccanary.txt"} {
		cases = append(cases, securityCase{"anonymous GET " + path, func(s *secRig) answer { return s.raw("GET", path, nil, nil) }, 404, "NoSuchKey"})
	}
	for _, path := range []string{"/%2E%2E/canary.txt", "/open%2F..%2F..%2Fcanary.txt"} {
		cases = append(cases, securityCase{"anonymous GET " + path, func(s *secRig) answer { return s.raw("GET", path, nil, nil) }, 404, "NoSuchBucket"})
	}
	for _, path := range []string{"/open/..%2F..%2Fplanted.txt", "/open/%2E%2E%2Fplanted.txt"} {
		cases = append(cases, securityCase{"anonymous PUT " + path + " stays a name", func(s *secRig) answer {
			return s.raw("PUT", path, nil, []byte("planted"))
		}, 200, ""})
	}
	for _, bucket := range []string{"..", ".", "ab", "UPPER", "a..b", "192.168.1.1", "-abc", "abc-", "dot.", ".dot", strings.Repeat("b", 64), "a%2F..%2Fb"} {
		cases = append(cases, securityCase{"create bucket " + bucket, func(s *secRig) answer {
			return s.signedRaw("PUT", "/"+bucket+"/", "", nil)
		}, 400, "InvalidBucketName"})
	}
	return cases
}
