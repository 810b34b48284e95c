package ks3server

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/ks3server/apierr"
)

// Test credentials.
const (
	testAK = "AKLTEXAMPLEACCESSKEY1"
	testSK = "EXAMPLEsecretKEY0123456789abcdefghijklmno"
)

// startTestServer runs a server on a loopback port for the test, with the
// test credentials; opts may change its options.
func startTestServer(t *testing.T, opts ...func(*Options)) *Running {
	t.Helper()
	o := Options{Root: t.TempDir(), Credentials: map[string]string{testAK: testSK}, NoSync: true}
	for _, f := range opts {
		f(&o)
	}
	r, err := Start(o, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Error(err)
		}
	})
	return r
}

// newClient returns a client of the server at url that does not retry.
func newClient(t *testing.T, url string) *ks3.Client {
	t.Helper()
	c, err := ks3.New(ks3.Options{Endpoint: url, AccessKey: testAK, SecretKey: testSK, Retry: ks3.RetryPolicy{MaxAttempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// mustCreateBucket creates a bucket or fails the test.
func mustCreateBucket(t *testing.T, c *ks3.Client, name string) {
	t.Helper()
	if err := c.CreateBucket(context.Background(), name, ks3.CreateBucketOptions{}); err != nil {
		t.Fatal(err)
	}
}

// send makes a presigned request for bucket/key with body (nil for none)
// and returns the answer, or the error of a dropped connection.
func send(t *testing.T, c *ks3.Client, method, bucket, key string, body []byte) (*http.Response, []byte, error) {
	t.Helper()
	u, err := c.PresignURL(method, bucket, key, time.Now().Add(time.Hour), ks3.PresignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp, data, err
}

// mustSend makes a presigned request and fails unless it is answered with
// status; it returns the body.
func mustSend(t *testing.T, c *ks3.Client, method, bucket, key string, body []byte, status int) []byte {
	t.Helper()
	resp, data, err := send(t, c, method, bucket, key, body)
	if err != nil {
		t.Fatalf("%s %s/%s: %v", method, bucket, key, err)
	}
	if resp.StatusCode != status {
		t.Fatalf("%s %s/%s: status %d, want %d: %s", method, bucket, key, resp.StatusCode, status, data)
	}
	return data
}

// errorCode returns the code of a KS3 error document.
func errorCode(t *testing.T, body []byte) string {
	t.Helper()
	var e apierr.Document
	if err := xml.Unmarshal(body, &e); err != nil {
		t.Fatalf("not an error document: %s", body)
	}
	return e.Code
}
