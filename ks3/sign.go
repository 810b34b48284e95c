package ks3

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// resource identifies what a request addresses, independently of the
// addressing style: the bucket ("" for the service), the key already
// encoded with encodeKey, and the full query (sub-resources and ordinary
// parameters alike; a signer picks what it needs).
type resource struct {
	bucket     string
	encodedKey string
	query      url.Values
	// payload reads the request body when it is a small document held in
	// memory, for signers that hash the body; nil for streamed bodies.
	payload *io.SectionReader
}

// signer authenticates requests. kssSigner implements the KSS header
// scheme and v4Signer AWS Signature Version 4; a signer sees the whole
// outgoing request and sets every header it needs (its date header
// included).
type signer interface {
	// sign authenticates r, a request for res sent at now.
	sign(r *http.Request, res resource, now time.Time)
	// presign returns the raw query of a URL that authenticates a request
	// for res with method and the headers h, created at now, until
	// expires; it includes the parameters of res.query. u is the URL
	// without its query.
	presign(method string, h http.Header, res resource, u *url.URL, now, expires time.Time) (string, error)
}

// kssSigner signs with "Authorization: KSS <AK>:<signature>".
type kssSigner struct {
	accessKey, secretKey, securityToken string
}

const (
	headerSecurityToken = "x-kss-security-token"
	kssHeaderPrefix     = "x-kss-"
)

func (s kssSigner) sign(r *http.Request, res resource, now time.Time) {
	date := now.UTC().Format(http.TimeFormat)
	r.Header.Set("Date", date)
	if s.securityToken != "" {
		r.Header[headerSecurityToken] = []string{s.securityToken}
	}
	sts := kssStringToSign(r.Method, r.Header, res, date)
	r.Header.Set("Authorization", "KSS "+s.accessKey+":"+kssSignature(s.secretKey, sts))
}

func (s kssSigner) presign(method string, h http.Header, res resource, _ *url.URL, _, expires time.Time) (string, error) {
	q := url.Values{}
	for name, vals := range res.query {
		q[name] = slices.Clone(vals)
	}
	if s.securityToken != "" {
		q.Set("security-token", s.securityToken)
	}
	res.query = q
	exp := strconv.FormatInt(expires.Unix(), 10)
	sig := kssSignature(s.secretKey, kssStringToSign(method, h, res, exp))
	raw := "Signature=" + encodeQueryValue(sig) + "&Expires=" + exp + "&KSSAccessKeyId=" + encodeQueryValue(s.accessKey)
	if rest := encodeQuery(q); rest != "" {
		raw += "&" + rest
	}
	return raw, nil
}

// kssSignature returns base64(HMAC-SHA1(secret, stringToSign)).
func kssSignature(secret, stringToSign string) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// kssStringToSign builds the KSS string to sign: method, Content-MD5,
// Content-Type, date (the Date header, or Expires for presigned URLs), the
// canonical x-kss-* headers and the canonical resource, joined by "\n".
func kssStringToSign(method string, h http.Header, res resource, date string) string {
	var b strings.Builder
	b.WriteString(method)
	b.WriteByte('\n')
	b.WriteString(headerValue(h, "Content-MD5"))
	b.WriteByte('\n')
	b.WriteString(headerValue(h, "Content-Type"))
	b.WriteByte('\n')
	b.WriteString(date)
	b.WriteByte('\n')
	for _, line := range canonicalKSSHeaders(h) {
		b.WriteString(line)
		b.WriteByte('\n')
	}
	b.WriteString(canonicalResource(res))
	return b.String()
}

// headerValue returns the first value of the header name, matched
// case-insensitively so that names stored outside canonical form count.
func headerValue(h http.Header, name string) string {
	if v := h.Get(name); v != "" {
		return v
	}
	for k, vals := range h {
		if strings.EqualFold(k, name) && len(vals) > 0 {
			return vals[0]
		}
	}
	return ""
}

// canonicalKSSHeaders returns "name:value" for every x-kss-* header, names
// lower-cased, values as sent (first value only), sorted by name. Sorting
// the names, not the lines, puts "x-kss-a" before "x-kss-a-b".
func canonicalKSSHeaders(h http.Header) []string {
	values := map[string]string{}
	for name, vals := range h {
		lower := strings.ToLower(name)
		if strings.HasPrefix(lower, kssHeaderPrefix) && len(vals) > 0 {
			values[lower] = vals[0]
		}
	}
	names := slices.Sorted(maps.Keys(values))
	lines := make([]string, len(names))
	for i, name := range names {
		lines[i] = name + ":" + values[name]
	}
	return lines
}

// isSubResource reports whether the query parameter name is a KSS
// sub-resource, which is part of the signature; ordinary parameters such as
// prefix or marker are not signed.
func isSubResource(name string) bool {
	switch name {
	case "acl", "cors", "delete", "lifecycle", "location", "logging", "notification",
		"partNumber", "policy", "requestPayment", "restore", "security-token", "tagging",
		"uploadId", "uploads", "versionId", "versioning", "versions", "website":
		return true
	}
	return strings.HasPrefix(name, "response-")
}

// canonicalResource returns "/<bucket>/<encoded key>" ("/" without a
// bucket) followed by the signed sub-resources, sorted by name, with raw
// values: "?name=value&bare".
func canonicalResource(res resource) string {
	var b strings.Builder
	b.WriteByte('/')
	if res.bucket != "" {
		b.WriteString(res.bucket)
		b.WriteByte('/')
		b.WriteString(res.encodedKey)
	}
	var names []string
	for name := range res.query {
		if isSubResource(name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	sep := byte('?')
	for _, name := range names {
		for _, v := range res.query[name] {
			b.WriteByte(sep)
			sep = '&'
			b.WriteString(name)
			if v != "" {
				b.WriteByte('=')
				b.WriteString(v)
			}
		}
	}
	return b.String()
}
