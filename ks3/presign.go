package ks3

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// PresignOptions are the options of PresignURL.
type PresignOptions struct {
	// ResponseHeaders override response headers of a GET, e.g.
	// {"response-content-type": "text/plain"}; they are signed.
	ResponseHeaders map[string]string
	// Headers are headers the user of the URL will send and that are
	// signed: x-kss-* headers (x-amz-* for S3 services, such as
	// "x-amz-meta-color"), Content-Type and Content-MD5. Names are signed
	// as given.
	Headers map[string]string
}

// PresignURL returns a URL that grants method on bucket/key to anyone who
// has it until expires: "?Signature=…&Expires=<unix seconds>&KSSAccessKeyId=…"
// with KSS signatures, "?X-Amz-Algorithm=…&X-Amz-Credential=…&X-Amz-Date=…&
// X-Amz-Expires=…&X-Amz-SignedHeaders=…&X-Amz-Signature=…" with SigV4, which
// limits the validity to 7 days from now. It needs credentials and does no
// I/O. An expires in the past yields a URL that the service refuses (403).
func (c *Client) PresignURL(method, bucket, key string, expires time.Time, opts PresignOptions) (string, error) {
	u, err := c.presignURL(method, bucket, key, expires, opts)
	if err != nil {
		return "", fmt.Errorf("presign %s %q: %w", method, objectName(bucket, key), err)
	}
	return u, nil
}

func (c *Client) presignURL(method, bucket, key string, expires time.Time, opts PresignOptions) (string, error) {
	switch {
	case c.signer == nil:
		return "", errors.New("anonymous client has no credentials to sign with")
	case expires.IsZero():
		return "", errors.New("zero expiry time")
	case method == "" || strings.ToUpper(method) != method:
		return "", fmt.Errorf("method %q is not an upper-case HTTP method", method)
	}
	h := http.Header{}
	for name, v := range opts.Headers {
		if err := setPresignHeader(h, name, v); err != nil {
			return "", err
		}
	}
	q := url.Values{}
	for name, v := range opts.ResponseHeaders {
		if !strings.HasPrefix(name, "response-") {
			return "", fmt.Errorf("response header override %q does not start with \"response-\"", name)
		}
		q.Set(name, v)
	}
	res := resource{bucket: bucket, encodedKey: encodeKey(key), query: q}
	u := c.ep.url(bucket, key, "")
	raw, err := c.signer.presign(method, h, res, u, c.clock(), expires)
	if err != nil {
		return "", err
	}
	u.RawQuery = raw
	return u.String(), nil
}

// setPresignHeader adds a header that a presigned URL signs.
func setPresignHeader(h http.Header, name, v string) error {
	lower := strings.ToLower(name)
	switch {
	case strings.HasPrefix(lower, kssHeaderPrefix), strings.HasPrefix(lower, amzHeaderPrefix):
		if err := checkHeaderValue(lower, v); err != nil {
			return err
		}
		h[lower] = []string{v}
	case lower == "content-type" || lower == "content-md5":
		if err := checkHeaderValue(name, v); err != nil {
			return err
		}
		h.Set(name, v)
	default:
		return fmt.Errorf("header %q is not signed in presigned URLs (only x-kss-*, x-amz-*, Content-Type and Content-MD5 are)", name)
	}
	return nil
}
