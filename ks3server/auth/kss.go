package auth

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ks3sync/ks3sync/ks3server/apierr"
)

// v2Scheme verifies HMAC-SHA1 "version 2" signatures: KS3's own KSS
// scheme ("Authorization: KSS AK:SIG", presigned KSSAccessKeyId/Expires/
// Signature), and its AWS twin ("Authorization: AWS AK:SIG", presigned
// AWSAccessKeyId), which KS3 also accepts and which the KS3 fork of
// aws-sdk-go and s3cmd send. The two differ only in names, see v2Dialect.
//
// It is written from the protocol description, independently of any client
// code, so that a signing bug in a client cannot hide behind shared code.
type v2Scheme struct {
	credentialChecker
	v2Dialect
}

var _ scheme = v2Scheme{}

// v2Dialect is what distinguishes the KSS and AWS flavours.
type v2Dialect struct {
	authPrefix   string   // Authorization header prefix, with its space
	headerPrefix string   // headers that are signed
	dateHeader   string   // a header that replaces Date, which then signs as ""
	keyParams    []string // presigned query parameters naming the access key
}

var (
	kssDialect = v2Dialect{authPrefix: "KSS ", headerPrefix: "x-kss-", keyParams: []string{"KSSAccessKeyId", "AccessKeyId"}}
	awsDialect = v2Dialect{authPrefix: "AWS ", headerPrefix: "x-amz-", dateHeader: "x-amz-date", keyParams: []string{"AWSAccessKeyId"}}
)

// v2Subresources are the query parameters that are part of the signed
// resource. Every other parameter (prefix, marker, max-keys, …) is unsigned.
var v2Subresources = map[string]bool{
	"acl": true, "cors": true, "delete": true, "lifecycle": true, "location": true,
	"logging": true, "notification": true, "partNumber": true, "policy": true,
	"requestPayment": true, "restore": true, "tagging": true, "torrent": true,
	"uploadId": true, "uploads": true, "versionId": true, "versioning": true,
	"versions": true, "website": true, "security-token": true,
	"response-cache-control": true, "response-content-disposition": true,
	"response-content-encoding": true, "response-content-language": true,
	"response-content-type": true, "response-expires": true,
}

func (v v2Scheme) detect(r *http.Request, t *Target) bool {
	if auth := r.Header.Get("Authorization"); auth != "" {
		return strings.HasPrefix(auth, v.authPrefix)
	}
	return t.Query.Has("Signature") && v.presignedKey(t.Query) != ""
}

// presignedKey returns the access key of a presigned query, "" if none.
func (v v2Scheme) presignedKey(q url.Values) string {
	for _, name := range v.keyParams {
		if ak := q.Get(name); ak != "" {
			return ak
		}
	}
	return ""
}

func (v v2Scheme) verify(r *http.Request, t *Target, now time.Time) (string, error) {
	if r.Header.Get("Authorization") != "" {
		return v.verifyHeader(r, t, now)
	}
	return v.verifyPresigned(r, t, now)
}

// verifyHeader checks "Authorization: PREFIX AK:SIG" and the request date.
func (v v2Scheme) verifyHeader(r *http.Request, t *Target, now time.Time) (string, error) {
	creds := strings.TrimPrefix(r.Header.Get("Authorization"), v.authPrefix)
	accessKey, signature, ok := strings.Cut(creds, ":")
	if !ok || accessKey == "" || signature == "" || strings.ContainsAny(creds, " \t") {
		return "", apierr.InvalidAuthorization.WithMessage("The Authorization header must be %q.", v.authPrefix+"AccessKeyId:Signature")
	}
	secret, err := v.secret(accessKey)
	if err != nil {
		return "", err
	}
	date, dateSlots := r.Header.Get("Date"), []string{r.Header.Get("Date")}
	if v.dateHeader != "" && r.Header.Get(v.dateHeader) != "" {
		// The date header is signed among the canonical headers and
		// replaces Date, whose line is then empty (boto, s3cmd); a client
		// that also sends Date may have signed it on that line.
		date = r.Header.Get(v.dateHeader)
		dateSlots = []string{"", r.Header.Get("Date")}
	}
	requestTime, err := parseDate(date)
	if err != nil {
		return "", apierr.AccessDenied.WithMessage("Signature version 2 requires a valid Date header.")
	}
	if !v.signatureMatches(signature, secret, r, t, dateSlots) {
		return "", apierr.SignatureDoesNotMatch
	}
	if err := v.checkSkew(requestTime, now); err != nil {
		return "", err
	}
	return accessKey, nil
}

func (v v2Scheme) signatureMatches(signature, secret string, r *http.Request, t *Target, dateSlots []string) bool {
	for _, slot := range dateSlots {
		want := v2Signature(secret, v.stringToSign(r, t, slot, nil))
		if hmac.Equal([]byte(signature), []byte(want)) {
			return true
		}
	}
	return false
}

// verifyPresigned checks a presigned URL: the Date line of the string to
// sign holds the decimal Expires value.
func (v v2Scheme) verifyPresigned(r *http.Request, t *Target, now time.Time) (string, error) {
	q := t.Query
	expires := q.Get("Expires")
	expiresAt, err := strconv.ParseInt(expires, 10, 64)
	if err != nil {
		return "", apierr.AccessDenied.WithMessage("Presigned URLs need an integer Expires parameter.")
	}
	accessKey := v.presignedKey(q)
	secret, err := v.secret(accessKey)
	if err != nil {
		return "", err
	}
	want := v2Signature(secret, v.stringToSign(r, t, expires, q))
	if !hmac.Equal([]byte(q.Get("Signature")), []byte(want)) {
		return "", apierr.SignatureDoesNotMatch
	}
	if now.Unix() > expiresAt {
		return "", apierr.AccessDenied.WithMessage("Request has expired")
	}
	return accessKey, nil
}

// parseDate reads an HTTP date: RFC 1123 with GMT as HTTP prescribes, or
// with a numeric zone as some clients send it, RFC 850 or ANSI C.
func parseDate(v string) (time.Time, error) {
	t, err := http.ParseTime(v)
	if err == nil {
		return t, nil
	}
	if t, zerr := time.Parse(time.RFC1123Z, v); zerr == nil {
		return t, nil
	}
	return t, err
}

// v2Signature is base64(HMAC-SHA1(secret, stringToSign)).
func v2Signature(secret, stringToSign string) string {
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// stringToSign builds
//
//	VERB \n Content-MD5 \n Content-Type \n Date \n [prefixed headers \n] resource
//
// from the request as received. dateSlot is the Date line (Expires for
// presigned URLs); presignQuery, when not nil, may carry prefixed header
// values that a presigning client put in the URL instead of the headers.
func (v v2Scheme) stringToSign(r *http.Request, t *Target, dateSlot string, presignQuery url.Values) string {
	var b strings.Builder
	for _, line := range []string{r.Method, r.Header.Get("Content-MD5"), r.Header.Get("Content-Type"), dateSlot} {
		b.WriteString(line)
		b.WriteByte('\n')
	}
	for _, h := range canonicalHeaders(v.headerPrefix, r.Header, presignQuery) {
		b.WriteString(h)
		b.WriteByte('\n')
	}
	b.WriteString(canonicalResource(t))
	return b.String()
}

// canonicalHeaders returns "name:value" for every header whose name starts
// with prefix, names lower-cased, values as sent, sorted by name.
func canonicalHeaders(prefix string, h http.Header, presignQuery url.Values) []string {
	values := make(map[string]string)
	for name, v := range h {
		lower := strings.ToLower(name)
		if strings.HasPrefix(lower, prefix) && len(v) > 0 {
			values[lower] = v[0]
		}
	}
	for name, v := range presignQuery {
		lower := strings.ToLower(name)
		if _, sent := values[lower]; strings.HasPrefix(lower, prefix) && !sent && len(v) > 0 {
			values[lower] = v[0]
		}
	}
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	sort.Strings(names)
	lines := make([]string, len(names))
	for i, name := range names {
		lines[i] = name + ":" + values[name]
	}
	return lines
}

// canonicalResource is "/" for the service, otherwise "/bucket/" plus the
// raw key path as received with "//" written as "/%2F", plus the signed
// sub-resources sorted by name with their decoded values.
func canonicalResource(t *Target) string {
	resource := "/"
	if t.Bucket != "" {
		resource = strings.ReplaceAll("/"+t.Bucket+"/"+t.RawKey, "//", "/%2F")
	}
	var names []string
	for name := range t.Query {
		if v2Subresources[name] {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return resource
	}
	sort.Strings(names)
	subs := make([]string, len(names))
	for i, name := range names {
		subs[i] = name
		if v := t.Query.Get(name); v != "" {
			subs[i] += "=" + v
		}
	}
	return resource + "?" + strings.Join(subs, "&")
}
