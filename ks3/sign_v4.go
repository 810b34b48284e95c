package ks3

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// AWS Signature Version 4 constants.
const (
	// DefaultRegion is the region SigV4 signs for when Options.Region is
	// empty.
	DefaultRegion = "us-east-1"

	v4Algorithm  = "AWS4-HMAC-SHA256"
	v4TimeFormat = "20060102T150405Z"
	v4DateFormat = "20060102"
	v4Service    = "s3"
	v4Terminator = "aws4_request"

	// unsignedPayload is the x-amz-content-sha256 value of a request whose
	// body is not hashed (object bodies, so they are read only once).
	unsignedPayload = "UNSIGNED-PAYLOAD"
	// emptySHA256 is the hex SHA-256 of an empty body.
	emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

	// amzMetaPrefix and amzStorageClass are the S3 spellings of
	// metaPrefix and headerStorageClass, read from responses of S3
	// services.
	amzHeaderPrefix = "x-amz-"
	amzMetaPrefix   = "x-amz-meta-"
	amzStorageClass = "X-Amz-Storage-Class"

	headerAmzDate          = "X-Amz-Date"
	headerAmzContentSHA256 = "X-Amz-Content-Sha256"
	headerAmzSecurityToken = "X-Amz-Security-Token"

	// maxV4PresignExpiry is the longest validity SigV4 allows a presigned
	// URL (X-Amz-Expires ≤ 604800 seconds).
	maxV4PresignExpiry = 7 * 24 * time.Hour
	// maxHashedPayload bounds the in-memory bodies whose SHA-256 is signed.
	maxHashedPayload = 16 << 20
)

// v4Signer signs with AWS Signature Version 4 ("Authorization:
// AWS4-HMAC-SHA256 Credential=AK/date/region/s3/aws4_request,
// SignedHeaders=…, Signature=…"), which KS3 and every S3-compatible service
// accept.
//
// It speaks the S3 dialect of the protocol: the headers that KS3 accepts in
// both spellings (user metadata, ACL, storage class, copy source, metadata
// directive) go out as x-amz-*, while KS3-only headers (upload callbacks,
// bucket type) keep their x-kss-* names and are signed like any other
// header. The canonical URI is the escaped path exactly as sent (encodeKey
// encodes it once; S3 does not encode it again), object
// bodies are sent as UNSIGNED-PAYLOAD so that large uploads are read only
// once, and small in-memory XML documents are hashed.
type v4Signer struct {
	accessKey, secretKey, securityToken string
	region                              string
}

var _ signer = v4Signer{}

func (s v4Signer) sign(r *http.Request, res resource, now time.Time) {
	amzDialect(r.Header)
	t := now.UTC()
	r.Header.Set(headerAmzDate, t.Format(v4TimeFormat))
	hash, err := payloadHash(r, res)
	if err != nil {
		// The in-memory body could not be read back: fall back to not
		// signing it, which every S3 service accepts.
		hash = unsignedPayload
	}
	r.Header.Set(headerAmzContentSHA256, hash)
	if s.securityToken != "" {
		r.Header.Set(headerAmzSecurityToken, s.securityToken)
	}
	names, lines := canonicalV4Headers(r.Header, r.Host)
	creq := canonicalV4Request(r.Method, r.URL.EscapedPath(), canonicalV4Query(res.query), lines, names, hash)
	sig := s.signature(t, creq)
	r.Header.Set("Authorization", v4Algorithm+" Credential="+s.accessKey+"/"+s.scope(t)+
		", SignedHeaders="+names+", Signature="+sig)
}

// presign returns the query of a presigned URL for u: the parameters of
// res.query and X-Amz-Algorithm, -Credential, -Date, -Expires,
// -SignedHeaders (host and the headers of h), -Security-Token and
// -Signature, sorted as in the canonical request with the signature last.
// An expiry in the past is encoded as a one-second window that ended at
// expires, so the URL is refused.
func (s v4Signer) presign(method string, h http.Header, res resource, u *url.URL, now, expires time.Time) (string, error) {
	t, secs, err := v4Validity(now, expires)
	if err != nil {
		return "", err
	}
	q := url.Values{}
	for name, vals := range res.query {
		q[name] = slices.Clone(vals)
	}
	names, lines := canonicalV4Headers(h, u.Host)
	q.Set("X-Amz-Algorithm", v4Algorithm)
	q.Set("X-Amz-Credential", s.accessKey+"/"+s.scope(t))
	q.Set("X-Amz-Date", t.Format(v4TimeFormat))
	q.Set("X-Amz-Expires", strconv.FormatInt(secs, 10))
	q.Set("X-Amz-SignedHeaders", names)
	if s.securityToken != "" {
		q.Set("X-Amz-Security-Token", s.securityToken)
	}
	query := canonicalV4Query(q)
	creq := canonicalV4Request(method, u.EscapedPath(), query, lines, names, unsignedPayload)
	return query + "&X-Amz-Signature=" + s.signature(t, creq), nil
}

// v4Validity returns the signing time and X-Amz-Expires of a presigned URL
// valid from now until expires.
func v4Validity(now, expires time.Time) (time.Time, int64, error) {
	now, expires = now.UTC().Truncate(time.Second), expires.UTC().Truncate(time.Second)
	switch d := expires.Sub(now); {
	case d > maxV4PresignExpiry:
		return time.Time{}, 0, fmt.Errorf("expiry %s is more than %s away, the SigV4 limit", expires.Format(time.RFC3339), maxV4PresignExpiry)
	case d < time.Second:
		return expires.Add(-time.Second), 1, nil
	default:
		return now, int64(d / time.Second), nil
	}
}

// scope is the credential scope "yyyymmdd/region/s3/aws4_request".
func (s v4Signer) scope(t time.Time) string {
	return t.Format(v4DateFormat) + "/" + s.region + "/" + v4Service + "/" + v4Terminator
}

// signature returns the hex HMAC-SHA256 of the string to sign for the
// canonical request creq at t, with the key derived for t's date.
func (s v4Signer) signature(t time.Time, creq string) string {
	key := v4SigningKey(s.secretKey, t.Format(v4DateFormat), s.region, v4Service)
	return hex.EncodeToString(hmacSHA256(key, v4StringToSign(t, s.scope(t), creq)))
}

// v4StringToSign is "AWS4-HMAC-SHA256\n<time>\n<scope>\n<hex sha256(creq)>".
func v4StringToSign(t time.Time, scope, creq string) string {
	sum := sha256.Sum256([]byte(creq))
	return v4Algorithm + "\n" + t.Format(v4TimeFormat) + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
}

// v4SigningKey derives HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region),
// service), "aws4_request").
func v4SigningKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, v4Terminator)
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// canonicalV4Request joins method, canonical URI, canonical query,
// canonical header lines, signed header names and payload hash with "\n".
func canonicalV4Request(method, path, query string, headerLines []string, signedNames, payloadHash string) string {
	var b strings.Builder
	b.WriteString(method)
	b.WriteByte('\n')
	b.WriteString(path)
	b.WriteByte('\n')
	b.WriteString(query)
	b.WriteByte('\n')
	for _, line := range headerLines {
		b.WriteString(line)
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(signedNames)
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

// canonicalV4Query renders every parameter of q as encoded name "="
// encoded value (RFC 3986 unreserved characters kept), sorted by name and
// then value; a parameter without a value is "name=".
func canonicalV4Query(q url.Values) string {
	pairs := make([]string, 0, len(q))
	for name, vals := range q {
		for _, v := range vals {
			pairs = append(pairs, encodeQueryValue(name)+"="+encodeQueryValue(v))
		}
	}
	// "=" sorts before every encoded character, so sorting whole pairs
	// orders by name first and value second.
	slices.Sort(pairs)
	return strings.Join(pairs, "&")
}

// unsignedV4Headers are sent but never signed: the transport or a proxy
// may set or rewrite them.
func unsignedV4Header(lower string) bool {
	switch lower {
	case "authorization", "user-agent", "expect", "content-length", "transfer-encoding",
		"connection", "accept-encoding", "x-amzn-trace-id":
		return true
	}
	return false
}

// canonicalV4Headers returns the ";"-joined signed header names and the
// "name:value" lines of host and every header of h that is signed: names
// lower-cased, values trimmed with inner runs of spaces collapsed, several
// values joined by ",", sorted by name.
func canonicalV4Headers(h http.Header, host string) (string, []string) {
	values := map[string][]string{"host": {host}}
	// Visit names in order, so that values of names differing only in
	// case are joined in a stable order.
	for _, name := range slices.Sorted(maps.Keys(h)) {
		lower := strings.ToLower(name)
		if unsignedV4Header(lower) || lower == "host" {
			continue
		}
		for _, v := range h[name] {
			values[lower] = append(values[lower], collapseSpaces(v))
		}
	}
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	slices.Sort(names)
	lines := make([]string, len(names))
	for i, name := range names {
		lines[i] = name + ":" + strings.Join(values[name], ",")
	}
	return strings.Join(names, ";"), lines
}

// collapseSpaces trims v and turns every run of white space inside it into
// one space, as SigV4 canonical header values are written.
func collapseSpaces(v string) string {
	return strings.Join(strings.Fields(v), " ")
}

// payloadHash returns the x-amz-content-sha256 of an attempt: the hex
// SHA-256 of an in-memory body, of the empty body when there is none, and
// UNSIGNED-PAYLOAD for streamed bodies.
func payloadHash(r *http.Request, res resource) (string, error) {
	switch {
	case res.payload != nil:
		h := sha256.New()
		if _, err := io.Copy(h, io.NewSectionReader(res.payload, 0, res.payload.Size())); err != nil {
			return "", fmt.Errorf("hash request body: %w", err)
		}
		return hex.EncodeToString(h.Sum(nil)), nil
	case r.Body == nil || r.Body == http.NoBody:
		return emptySHA256, nil
	}
	return unsignedPayload, nil
}

// inMemoryPayload returns a reader over body when it is a small document
// held in memory (the XML bodies of ACL, bucket, multi-delete and complete
// requests are *bytes.Reader values), which a signer may hash without
// disturbing the attempt; streamed bodies yield nil and are never read
// twice.
func inMemoryPayload(body io.ReadSeeker, size int64) *io.SectionReader {
	br, ok := body.(*bytes.Reader)
	if !ok || size > maxHashedPayload {
		return nil
	}
	return io.NewSectionReader(br, 0, size)
}

// amzDialect renames, in place, the x-kss-* request headers that KS3 also
// accepts with the x-amz- prefix, which is the only spelling other S3
// services know: user metadata, canned ACL and grants, storage class, copy
// source and its range, metadata directive, and the STS token. Names are
// stored lower-case, so user metadata names stay lower-case on the wire.
func amzDialect(h http.Header) {
	for name, vals := range h {
		lower := strings.ToLower(name)
		amz, ok := amzHeaderName(lower)
		if !ok {
			continue
		}
		delete(h, name)
		h[amz] = append(h[amz], vals...)
	}
}

// amzHeaderName returns the x-amz- spelling of the lower-case KS3 header
// name, and whether it has one.
func amzHeaderName(lower string) (string, bool) {
	rest, ok := strings.CutPrefix(lower, kssHeaderPrefix)
	if !ok {
		return "", false
	}
	switch {
	case strings.HasPrefix(rest, "meta-"), strings.HasPrefix(rest, "grant-"):
	case rest == "acl", rest == "storage-class", rest == "copy-source", rest == "copy-source-range",
		rest == "metadata-directive", rest == "security-token":
	default:
		return "", false
	}
	return amzHeaderPrefix + rest, true
}
