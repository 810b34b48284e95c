package ks3server

import (
	"net/http"
	"time"
)

// authScheme verifies the credentials of one signature scheme. The server
// asks each scheme in turn whether a request carries its credentials; the
// first that does verifies them. The HMAC-SHA1 schemes live in
// auth_kss.go, AWS Signature V4 (the "AWS4-HMAC-SHA256" header and the
// X-Amz-* presigned query) in auth_v4.go.
type authScheme interface {
	// detect reports whether r carries credentials of this scheme, in its
	// Authorization header or in a presigned query.
	detect(r *http.Request, rt *route) bool
	// verify checks those credentials and returns the access key they were
	// made with. Failures are apiErrors: 400 for malformed credentials, 403
	// for unknown keys, wrong signatures, skewed or expired requests.
	verify(r *http.Request, rt *route, now time.Time) (string, error)
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
		return "", errInvalidAccessKeyID
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
		return errRequestTimeTooSkewed.withMessage(
			"The difference between the request time (%s) and the server's time (%s) is too large.",
			requestTime.UTC().Format(http.TimeFormat), now.UTC().Format(http.TimeFormat))
	}
	return nil
}

// authenticate returns the access key that signed r, or "" for an anonymous
// request (one without any credentials).
func (s *Server) authenticate(r *http.Request, rt *route) (string, error) {
	for _, scheme := range s.schemes {
		if scheme.detect(r, rt) {
			return scheme.verify(r, rt, s.now())
		}
	}
	if r.Header.Get("Authorization") != "" {
		return "", errInvalidArgument.withMessage("Unsupported Authorization Type.")
	}
	return "", nil
}
