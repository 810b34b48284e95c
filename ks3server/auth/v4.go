package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ks3sync/ks3sync/ks3server/apierr"
)

// v4Scheme verifies AWS Signature Version 4, which KS3 accepts besides its
// own scheme and which every S3 tool speaks: the header
//
//	Authorization: AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request,
//	    SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=<hex>
//
// and presigned URLs with X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
// X-Amz-Expires, X-Amz-SignedHeaders and X-Amz-Signature. Any region is
// accepted; the canonical URI is the raw path as received. After the
// signature, the request body is checked against x-amz-content-sha256 (a
// hex digest, UNSIGNED-PAYLOAD, or aws-chunked streaming with per-chunk
// signatures) and any x-amz-checksum-* value as it is read.
type v4Scheme struct {
	credentialChecker
}

var _ scheme = v4Scheme{}

// SigV4 names and limits.
const (
	v4Algorithm     = "AWS4-HMAC-SHA256"
	v4TimeFormat    = "20060102T150405Z"
	v4DateFormat    = "20060102"
	v4Service       = "s3"
	v4Terminator    = "aws4_request"
	v4MaxExpires    = 7 * 24 * 60 * 60 // seconds
	unsignedPayload = "UNSIGNED-PAYLOAD"
)

func (v4Scheme) detect(r *http.Request, t *Target) bool {
	if auth := r.Header.Get("Authorization"); auth != "" {
		return strings.HasPrefix(auth, v4Algorithm+" ")
	}
	return t.Query.Has("X-Amz-Algorithm") || t.Query.Has("X-Amz-Signature")
}

func (k v4Scheme) verify(r *http.Request, t *Target, now time.Time) (string, error) {
	if r.Header.Get("Authorization") != "" {
		return k.verifyHeader(r, t, now)
	}
	return k.verifyPresigned(r, t, now)
}

// v4Credential is the parsed "AK/yyyymmdd/region/service/aws4_request".
type v4Credential struct {
	accessKey, date, region, service string
}

// parseV4Credential splits a credential; the access key is everything
// before the last four fields.
func parseV4Credential(s string) (v4Credential, bool) {
	parts := strings.Split(s, "/")
	n := len(parts)
	if n < 5 || parts[n-1] != v4Terminator {
		return v4Credential{}, false
	}
	c := v4Credential{accessKey: strings.Join(parts[:n-4], "/"), date: parts[n-4], region: parts[n-3], service: parts[n-2]}
	if c.accessKey == "" || c.region == "" {
		return v4Credential{}, false
	}
	return c, true
}

// scope is "yyyymmdd/region/service/aws4_request".
func (c v4Credential) scope() string {
	return c.date + "/" + c.region + "/" + c.service + "/" + v4Terminator
}

// check validates the credential against the request time: S3 service and
// the same calendar day. It returns a message for the caller's error.
func (c v4Credential) check(t time.Time) (string, bool) {
	switch {
	case c.service != v4Service:
		return "The credential scope must name the service " + v4Service + ", not " + strconv.Quote(c.service) + ".", false
	case c.date != t.UTC().Format(v4DateFormat):
		return "The date of the credential scope (" + c.date + ") is not the date of the request (" +
			t.UTC().Format(v4DateFormat) + ").", false
	}
	return "", true
}

// v4Signing is what signing a request with one credential at one time
// needs; aws-chunked bodies keep it to check their chunk signatures.
type v4Signing struct {
	key       []byte // derived signing key
	timestamp string // yyyymmddThhmmssZ
	scope     string
}

func newV4Signing(secret string, c v4Credential, t time.Time) v4Signing {
	k := hmacSHA256([]byte("AWS4"+secret), c.date)
	k = hmacSHA256(k, c.region)
	k = hmacSHA256(k, c.service)
	k = hmacSHA256(k, v4Terminator)
	return v4Signing{key: k, timestamp: t.UTC().Format(v4TimeFormat), scope: c.scope()}
}

// sign returns the hex signature of a string to sign of the given
// algorithm whose last lines are lines.
func (s v4Signing) sign(algorithm string, lines ...string) string {
	sts := algorithm + "\n" + s.timestamp + "\n" + s.scope + "\n" + strings.Join(lines, "\n")
	return hex.EncodeToString(hmacSHA256(s.key, sts))
}

// signRequest returns the signature of a canonical request.
func (s v4Signing) signRequest(creq string) string {
	return s.sign(v4Algorithm, sha256Hex([]byte(creq)))
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// v4Authorization is a parsed AWS4-HMAC-SHA256 Authorization header.
type v4Authorization struct {
	cred          v4Credential
	signedHeaders []string
	signature     string
}

// parseV4Authorization parses "AWS4-HMAC-SHA256 Credential=…,
// SignedHeaders=…, Signature=…" (spaces after the commas optional).
func parseV4Authorization(h string) (v4Authorization, error) {
	var a v4Authorization
	rest, _ := strings.CutPrefix(h, v4Algorithm+" ")
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		name, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return a, apierr.AuthorizationHeaderMalformed.WithMessage("The authorization header component %q is not name=value.", part)
		}
		fields[name] = value
	}
	cred, ok := parseV4Credential(fields["Credential"])
	if !ok {
		return a, apierr.AuthorizationHeaderMalformed.WithMessage("The Credential %q is not AK/yyyymmdd/region/s3/aws4_request.", fields["Credential"])
	}
	a.cred, a.signature = cred, fields["Signature"]
	a.signedHeaders = strings.Split(fields["SignedHeaders"], ";")
	if a.signature == "" || !slices.Contains(a.signedHeaders, "host") {
		return a, apierr.AuthorizationHeaderMalformed.WithMessage("The authorization header needs a Signature and SignedHeaders that include host.")
	}
	return a, nil
}

// verifyHeader checks an Authorization header signature, the request time,
// and then arranges for the body to be checked as it is read.
func (k v4Scheme) verifyHeader(r *http.Request, t *Target, now time.Time) (string, error) {
	a, err := parseV4Authorization(r.Header.Get("Authorization"))
	if err != nil {
		return "", err
	}
	secret, err := k.secret(a.cred.accessKey)
	if err != nil {
		return "", err
	}
	at, ok := v4RequestTime(r.Header)
	if !ok {
		return "", apierr.AccessDenied.WithMessage("AWS authentication requires a valid Date or x-amz-date header.")
	}
	if msg, ok := a.cred.check(at); !ok {
		return "", apierr.AuthorizationHeaderMalformed.WithMessage("%s", msg)
	}
	payload := r.Header.Get("X-Amz-Content-Sha256")
	if payload == "" {
		return "", apierr.InvalidRequest.WithMessage("Missing required header for this request: x-amz-content-sha256.")
	}
	signing := newV4Signing(secret, a.cred, at)
	creq := canonicalV4Request(r, t, a.signedHeaders, "", payload)
	if !hmac.Equal([]byte(a.signature), []byte(signing.signRequest(creq))) {
		return "", apierr.SignatureDoesNotMatch
	}
	if err := k.checkSkew(at, now); err != nil {
		return "", err
	}
	// On CompleteMultipartUpload an x-amz-checksum-* header describes the
	// whole object; on every other request, the body.
	bodyChecksum := !t.ChecksumDescribesObject
	if err := verifyV4Body(r, payload, bodyChecksum, signing, a.signature); err != nil {
		return "", err
	}
	return a.cred.accessKey, nil
}

// v4RequestTime reads x-amz-date, or the Date header when there is none.
func v4RequestTime(h http.Header) (time.Time, bool) {
	if v := h.Get("X-Amz-Date"); v != "" {
		t, err := time.Parse(v4TimeFormat, v)
		return t, err == nil
	}
	t, err := http.ParseTime(h.Get("Date"))
	return t, err == nil
}

// verifyPresigned checks a presigned URL: signature first, then that now
// lies between X-Amz-Date (less the allowed skew) and X-Amz-Date plus
// X-Amz-Expires.
func (k v4Scheme) verifyPresigned(r *http.Request, t *Target, now time.Time) (string, error) {
	p, err := parseV4Query(t.Query)
	if err != nil {
		return "", err
	}
	secret, err := k.secret(p.cred.accessKey)
	if err != nil {
		return "", err
	}
	payload := t.Query.Get("X-Amz-Content-Sha256")
	if payload == "" {
		payload = unsignedPayload
	}
	signing := newV4Signing(secret, p.cred, p.date)
	creq := canonicalV4Request(r, t, p.signedHeaders, "X-Amz-Signature", payload)
	if !hmac.Equal([]byte(p.signature), []byte(signing.signRequest(creq))) {
		return "", apierr.SignatureDoesNotMatch
	}
	switch {
	case now.After(p.date.Add(time.Duration(p.expires) * time.Second)):
		return "", apierr.AccessDenied.WithMessage("Request has expired")
	case p.date.After(now.Add(k.maxSkew)):
		return "", apierr.AccessDenied.WithMessage("Request is not valid yet")
	}
	return p.cred.accessKey, nil
}

// v4Query is the parsed X-Amz-* query of a presigned URL.
type v4Query struct {
	cred          v4Credential
	date          time.Time
	expires       int
	signedHeaders []string
	signature     string
}

// parseV4Query reads and validates the X-Amz-* parameters of q.
func parseV4Query(q url.Values) (v4Query, error) {
	var p v4Query
	fail := func(format string, args ...any) (v4Query, error) {
		return v4Query{}, apierr.AuthorizationQueryParameters.WithMessage(format, args...)
	}
	if alg := q.Get("X-Amz-Algorithm"); alg != v4Algorithm {
		return fail("X-Amz-Algorithm only supports %q.", v4Algorithm)
	}
	var ok bool
	if p.cred, ok = parseV4Credential(q.Get("X-Amz-Credential")); !ok {
		return fail("X-Amz-Credential %q is not AK/yyyymmdd/region/s3/aws4_request.", q.Get("X-Amz-Credential"))
	}
	var err error
	if p.date, err = time.Parse(v4TimeFormat, q.Get("X-Amz-Date")); err != nil {
		return fail("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\".")
	}
	if msg, ok := p.cred.check(p.date); !ok {
		return fail("%s", msg)
	}
	if p.expires, err = strconv.Atoi(q.Get("X-Amz-Expires")); err != nil || p.expires < 0 || p.expires > v4MaxExpires {
		return fail("X-Amz-Expires must be a number of seconds from 0 to %d.", v4MaxExpires)
	}
	p.signedHeaders = strings.Split(q.Get("X-Amz-SignedHeaders"), ";")
	if p.signature = q.Get("X-Amz-Signature"); p.signature == "" || !slices.Contains(p.signedHeaders, "host") {
		return fail("The query needs X-Amz-Signature and X-Amz-SignedHeaders that include host.")
	}
	return p, nil
}

// canonicalV4Request rebuilds the canonical request from r as received:
// method, raw path, every query parameter but skip, the signed headers and
// the payload hash.
func canonicalV4Request(r *http.Request, t *Target, signedHeaders []string, skip, payload string) string {
	rawPath := t.RawPath
	if rawPath == "" {
		rawPath = "/"
	}
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(rawPath)
	b.WriteByte('\n')
	b.WriteString(canonicalV4Query(t.Query, skip))
	b.WriteByte('\n')
	for _, name := range signedHeaders {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(signedHeaderValue(r, name))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signedHeaders, ";"))
	b.WriteByte('\n')
	b.WriteString(payload)
	return b.String()
}

// canonicalV4Query encodes every parameter but skip as name=value with
// RFC 3986 encoding, sorted by name and then value.
func canonicalV4Query(q url.Values, skip string) string {
	var pairs []string
	for name, values := range q {
		if name == skip {
			continue
		}
		for _, v := range values {
			pairs = append(pairs, awsURIEncode(name)+"="+awsURIEncode(v))
		}
	}
	slices.Sort(pairs) // "=" sorts before every encoded character
	return strings.Join(pairs, "&")
}

// awsURIEncode percent-encodes every byte except A-Z a-z 0-9 - _ . ~.
func awsURIEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// signedHeaderValue is the canonical value of a signed header: its values
// trimmed, inner runs of spaces collapsed, joined by ",". Host and the
// framing headers that net/http moves out of the header map are read from
// the request.
func signedHeaderValue(r *http.Request, name string) string {
	values := r.Header.Values(name)
	if len(values) == 0 {
		switch name {
		case "host":
			return r.Host
		case "content-length":
			if r.ContentLength >= 0 {
				return strconv.FormatInt(r.ContentLength, 10)
			}
		case "transfer-encoding":
			return strings.Join(r.TransferEncoding, ",")
		}
	}
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(out, ",")
}
