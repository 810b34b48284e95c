//go:build linux

package e2e

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/ks3server/ks3servertest"
)

// canaryText is the content of the files planted beside the server's
// folder: no answer may ever carry it.
const canaryText = "canary beside the server root: never served"

// TestChaosServerSecurity sends `ks3sync serve` requests with bad
// credentials, signatures, dates and presigned URLs, anonymous requests,
// malformed bodies, oversized headers and hostile bucket and key names.
// Each must get its status and KS3 error code, no answer may carry the
// canary files planted beside the server's folder, and nothing outside
// that folder may change.
func TestChaosServerSecurity(t *testing.T) {
	s := newSecRig(t)
	before := s.outside()
	for _, c := range securityCases() {
		t.Run(c.name, func(t *testing.T) {
			figures.count(t, rowSecurity)
			got := c.do(s.withT(t))
			if got.status != c.status || got.code != c.code {
				t.Errorf("got %d %q, want %d %q\n%s", got.status, got.code, c.status, c.code, got.body)
			}
			if bytes.Contains(got.body, []byte(canaryText)) {
				t.Errorf("the answer carries a file from outside the server's folder")
			}
		})
	}
	t.Run("nothing outside the server's folder changed", func(t *testing.T) {
		figures.count(t, rowSecurity)
		if diff := diffSnapshots(before, s.outside()); len(diff) > 0 {
			t.Errorf("outside the server's folder:\n%s", strings.Join(diff, "\n"))
		}
	})
}

// secRig is a `ks3sync serve` over DIR/server/root with canary files in
// DIR/server, and the buckets the cases use: private "bkt" (with a private
// and a public-read object), "public" (public-read) and "open"
// (public-read-write).
type secRig struct {
	t      *testing.T
	srv    *serveProc
	base   string // DIR/server
	client *ks3.Client
	hook   *callbackHook
}

func newSecRig(t *testing.T) *secRig {
	e := newEnv(t)
	base := filepath.Join(e.dir, "server")
	for _, name := range []string{"canary.txt", "root.db", "bkt/secret", "objects/canary"} {
		writeFile(t, base, name, []byte(canaryText))
	}
	srv := startServeProc(t, e, nil, "--root", filepath.Join(base, "root"), "--no-fsync")
	s := &secRig{t: t, srv: srv, base: base, client: secClient(t, srv.url(), ks3servertest.SecretKey, nil, nil), hook: newCallbackHook(t)}
	ctx := context.Background()
	for bucket, acl := range map[string]string{"bkt": "private", "public": "public-read", "open": "public-read-write"} {
		if err := s.client.CreateBucket(ctx, bucket, ks3.CreateBucketOptions{ACL: acl}); err != nil {
			t.Fatalf("create %s: %v", bucket, err)
		}
	}
	s.put("bkt", "private.txt", "private", "private content")
	s.put("bkt", "shared.txt", "public-read", "shared content")
	s.put("public", "inherits.txt", "", "public content")
	return s
}

func (s *secRig) withT(t *testing.T) *secRig {
	c := *s
	c.t = t
	return &c
}

func (s *secRig) put(bucket, key, acl, body string) {
	s.t.Helper()
	if _, err := s.client.PutObject(context.Background(), bucket, key, strings.NewReader(body), int64(len(body)), ks3.PutOptions{ACL: acl}); err != nil {
		s.t.Fatalf("put %s/%s: %v", bucket, key, err)
	}
}

// outside snapshots the server's parent folder without the server's own.
func (s *secRig) outside() map[string]string {
	return treeKinds(s.t, s.base, func(rel string) bool { return rel == "root" })
}

// secClient is a client of the server that never retries, with a secret,
// a clock and a hook that changes each request after it is signed.
func secClient(t *testing.T, url, secret string, now func() time.Time, tamper func(*http.Request)) *ks3.Client {
	t.Helper()
	var tr http.RoundTripper
	if tamper != nil {
		tr = tamperTransport(tamper)
	}
	c, err := ks3.New(ks3.Options{
		Endpoint: url, AccessKey: ks3servertest.AccessKey, SecretKey: secret, Now: now, Transport: tr,
		UserAgent: "ks3sync-campaign-check", Retry: ks3.RetryPolicy{MaxAttempts: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// tamperTransport changes each request after it was signed.
type tamperTransport func(*http.Request)

func (f tamperTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	f(r)
	return http.DefaultTransport.RoundTrip(r)
}

// answer is how the server answered: status, KS3 error code, body.
type answer struct {
	status int
	code   string
	body   []byte
}

// fromErr turns a client call's outcome into an answer: 200 when it
// succeeded.
func fromErr(err error) answer {
	var ke *ks3.Error
	switch {
	case err == nil:
		return answer{status: http.StatusOK}
	case errors.As(err, &ke):
		return answer{status: ke.StatusCode, code: ke.Code, body: []byte(ke.Message)}
	}
	return answer{code: "transport: " + err.Error()}
}

// getAnswer reads an object through c.
func getAnswer(c *ks3.Client, bucket, key string) answer {
	obj, err := c.GetObject(context.Background(), bucket, key, ks3.GetOptions{})
	if err != nil {
		return fromErr(err)
	}
	defer obj.Body.Close()
	body, _ := io.ReadAll(obj.Body)
	return answer{status: http.StatusOK, body: body}
}

var codeElement = regexp.MustCompile(`<Code>([^<]*)</Code>`)

// raw sends an unsigned request with a path sent exactly as written.
func (s *secRig) raw(method, rawPath string, header map[string]string, body []byte) answer {
	s.t.Helper()
	req, err := http.NewRequest(method, s.srv.url()+"/", bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.URL.Opaque = "//" + s.srv.addr + rawPath
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return send(s.t, req)
}

// send sends req and reads the answer.
func send(t *testing.T, req *http.Request) answer {
	t.Helper()
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return answer{code: "transport: " + err.Error()}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, body: body}
	if m := codeElement.FindSubmatch(body); m != nil {
		a.code = string(m[1])
	}
	return a
}

// presigned sends method to a URL presigned for GET of bucket/key,
// changed by edit.
func (s *secRig) presigned(method, bucket, key string, expires time.Time, edit func(string) string) answer {
	s.t.Helper()
	u, err := s.client.PresignURL(http.MethodGet, bucket, key, expires, ks3.PresignOptions{})
	if err != nil {
		s.t.Fatal(err)
	}
	req, err := http.NewRequest(method, edit(u), nil)
	if err != nil {
		s.t.Fatal(err)
	}
	return send(s.t, req)
}

// callbackHook is a loopback application server that counts the
// callbacks it receives.
type callbackHook struct {
	url   string
	calls atomic.Int64
}

func newCallbackHook(t *testing.T) *callbackHook {
	h := &callbackHook{}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.calls.Add(1)
		io.WriteString(w, `{"result":true}`)
	})}
	ln := listenLoopback(t)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	h.url = "http://" + ln.Addr().String() + "/hook"
	return h
}

// signedRaw sends a request signed with the KSS scheme (ks3-protocol.md
// §2) whose path goes out exactly as written; query holds the
// sub-resources, which are signed.
func (s *secRig) signedRaw(method, rawPath, query string, body []byte) answer {
	return s.signedRawAt(time.Now(), method, rawPath, query, body)
}

// signedRawAt is signedRaw with the Date header set to date.
func (s *secRig) signedRawAt(date time.Time, method, rawPath, query string, body []byte) answer {
	s.t.Helper()
	req, err := http.NewRequest(method, s.srv.url()+"/", bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.URL.Opaque = "//" + s.srv.addr + rawPath
	req.URL.RawQuery = query
	httpDate := date.UTC().Format(http.TimeFormat)
	req.Header.Set("Date", httpDate)
	contentMD5 := ""
	if len(body) > 0 {
		sum := md5.Sum(body)
		contentMD5 = base64.StdEncoding.EncodeToString(sum[:])
		req.Header.Set("Content-MD5", contentMD5)
	}
	resource := rawPath
	if query != "" {
		resource += "?" + query
	}
	mac := hmac.New(sha1.New, []byte(ks3servertest.SecretKey))
	io.WriteString(mac, method+"\n"+contentMD5+"\n\n"+httpDate+"\n"+resource)
	req.Header.Set("Authorization", "KSS "+ks3servertest.AccessKey+":"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	return send(s.t, req)
}

// listenLoopback listens on a free loopback port until the test ends.
func listenLoopback(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}
