// Package auth verifies the credentials of KS3 requests the way KS3 does:
// KSS header signatures and presigned URLs (and their AWS signature version
// 2 twins), AWS Signature Version 4 headers and presigned URLs, the request
// Date against a maximum skew, and request bodies that verify themselves
// as they are read (x-amz-content-sha256 digests, aws-chunked framing with
// chunk signatures, x-amz-checksum-* values).
//
// It is written from the protocol description, independently of the ks3
// client's signer, so that a signing bug in a client cannot hide behind
// shared code. Failures are apierr.Error values: 400 for malformed
// credentials, 403 for unknown keys, wrong signatures, skewed or expired
// requests.
package auth

import (
	"net/http"
	"net/url"
	"time"

	"github.com/ks3sync/ks3sync/ks3server/apierr"
)

// DefaultMaxSkew is how far a request's Date may be from the server's
// clock when Options.MaxSkew is zero.
const DefaultMaxSkew = 15 * time.Minute

// Target is what a request addresses, as its signature covers it.
type Target struct {
	// RawPath is the path of the request target exactly as received.
	RawPath string
	// Bucket is the addressed bucket, "" for the service.
	Bucket string
	// RawKey is the key part of the path as received (still
	// percent-encoded), without its leading '/'.
	RawKey string
	// Query is the decoded query string.
	Query url.Values
	// ChecksumDescribesObject says that an x-amz-checksum-* header
	// describes the whole object rather than the request body, as on
	// CompleteMultipartUpload.
	ChecksumDescribesObject bool
}

// Options configure a Verifier.
type Options struct {
	// Credentials maps access keys to secret keys.
	Credentials map[string]string
	// MaxSkew is how far a request's Date may be from Now; 0 means
	// DefaultMaxSkew.
	MaxSkew time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Verifier checks request credentials. It is safe for concurrent use.
type Verifier struct {
	schemes []scheme
	now     func() time.Time
}

// NewVerifier returns a verifier for the credentials of opts.
func NewVerifier(opts Options) *Verifier {
	c := credentialChecker{secrets: make(map[string]string, len(opts.Credentials)), maxSkew: opts.MaxSkew}
	for ak, sk := range opts.Credentials {
		c.secrets[ak] = sk
	}
	if c.maxSkew <= 0 {
		c.maxSkew = DefaultMaxSkew
	}
	v := &Verifier{
		schemes: []scheme{v2Scheme{c, kssDialect}, v2Scheme{c, awsDialect}, v4Scheme{c}},
		now:     opts.Now,
	}
	if v.now == nil {
		v.now = time.Now
	}
	return v
}

// Verify returns the access key that signed r, or "" for an anonymous
// request (one without any credentials). When the signature covers the
// body, Verify replaces r.Body with a reader that fails with an
// apierr.Error at its end if the body does not match; aws-chunked bodies
// are decoded, and r.ContentLength becomes the decoded length.
func (v *Verifier) Verify(r *http.Request, t *Target) (string, error) {
	for _, s := range v.schemes {
		if s.detect(r, t) {
			return s.verify(r, t, v.now())
		}
	}
	if r.Header.Get("Authorization") != "" {
		return "", apierr.InvalidArgument.WithMessage("Unsupported Authorization Type.")
	}
	return "", nil
}

// scheme verifies the credentials of one signature scheme. The verifier
// asks each scheme in turn whether a request carries its credentials; the
// first that does verifies them. The HMAC-SHA1 schemes live in kss.go, AWS
// Signature V4 in v4.go.
type scheme interface {
	// detect reports whether r carries credentials of this scheme, in its
	// Authorization header or in a presigned query.
	detect(r *http.Request, t *Target) bool
	// verify checks those credentials and returns the access key they were
	// made with.
	verify(r *http.Request, t *Target, now time.Time) (string, error)
}

// credentialChecker holds what every scheme needs to verify a request.
type credentialChecker struct {
	secrets map[string]string // access key -> secret key
	maxSkew time.Duration
}

// secret returns the secret key of accessKey.
func (c credentialChecker) secret(accessKey string) (string, error) {
	secret, ok := c.secrets[accessKey]
	if !ok {
		return "", apierr.InvalidAccessKeyID
	}
	return secret, nil
}

// checkSkew fails when the request time is further than maxSkew from now.
func (c credentialChecker) checkSkew(requestTime, now time.Time) error {
	d := now.Sub(requestTime)
	if d < 0 {
		d = -d
	}
	if d > c.maxSkew {
		return apierr.RequestTimeTooSkewed.WithMessage(
			"The difference between the request time (%s) and the server's time (%s) is too large.",
			requestTime.UTC().Format(http.TimeFormat), now.UTC().Format(http.TimeFormat))
	}
	return nil
}
