package ks3server

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
)

// kssScheme verifies KS3's own signature: the "Authorization: KSS AK:SIG"
// header and presigned URLs with KSSAccessKeyId, Expires and Signature.
//
// It is written from the protocol description, independently of any client
// code, so that a signing bug in a client cannot hide behind shared code.
type kssScheme struct {
	credentialChecker
}

var _ authScheme = kssScheme{}

// kssSubresources are the query parameters that are part of the signed
// resource. Every other parameter (prefix, marker, max-keys, …) is unsigned.
var kssSubresources = map[string]bool{
	"acl": true, "cors": true, "delete": true, "lifecycle": true, "location": true,
	"logging": true, "notification": true, "partNumber": true, "policy": true,
	"requestPayment": true, "restore": true, "tagging": true, "uploadId": true,
	"uploads": true, "versionId": true, "versioning": true, "versions": true,
	"website": true, "security-token": true,
	"response-cache-control": true, "response-content-disposition": true,
	"response-content-encoding": true, "response-content-language": true,
	"response-content-type": true, "response-expires": true,
}

func (kssScheme) detect(r *http.Request, rt *route) bool {
	if auth := r.Header.Get("Authorization"); auth != "" {
		return strings.HasPrefix(auth, "KSS ")
	}
	return rt.query.Has("Signature") && (rt.query.Has("KSSAccessKeyId") || rt.query.Has("AccessKeyId"))
}

func (k kssScheme) verify(r *http.Request, rt *route, now time.Time) (string, error) {
	if r.Header.Get("Authorization") != "" {
		return k.verifyHeader(r, rt, now)
	}
	return k.verifyPresigned(r, rt, now)
}

// verifyHeader checks "Authorization: KSS AK:SIG" and the Date header.
func (k kssScheme) verifyHeader(r *http.Request, rt *route, now time.Time) (string, error) {
	creds := strings.TrimPrefix(r.Header.Get("Authorization"), "KSS ")
	accessKey, signature, ok := strings.Cut(creds, ":")
	if !ok || accessKey == "" || signature == "" || strings.ContainsAny(creds, " \t") {
		return "", errInvalidAuthorization.withMessage("The Authorization header must be \"KSS AccessKeyId:Signature\".")
	}
	secret, err := k.secret(accessKey)
	if err != nil {
		return "", err
	}
	date := r.Header.Get("Date")
	if date == "" {
		return "", errAccessDenied.withMessage("KSS authentication requires a valid Date header.")
	}
	requestTime, err := http.ParseTime(date)
	if err != nil {
		return "", errAccessDenied.withMessage("KSS authentication requires a valid Date header.")
	}
	want := kssSignature(secret, kssStringToSign(r, rt, date, nil))
	if !hmac.Equal([]byte(signature), []byte(want)) {
		return "", errSignatureDoesNotMatch
	}
	if err := k.checkSkew(requestTime, now); err != nil {
		return "", err
	}
	return accessKey, nil
}

// verifyPresigned checks a presigned URL: the Date slot of the string to
// sign holds the decimal Expires value.
func (k kssScheme) verifyPresigned(r *http.Request, rt *route, now time.Time) (string, error) {
	q := rt.query
	accessKey := q.Get("KSSAccessKeyId")
	if accessKey == "" {
		accessKey = q.Get("AccessKeyId")
	}
	expires := q.Get("Expires")
	expiresAt, err := strconv.ParseInt(expires, 10, 64)
	if err != nil {
		return "", errAccessDenied.withMessage("Presigned URLs need an integer Expires parameter.")
	}
	secret, err := k.secret(accessKey)
	if err != nil {
		return "", err
	}
	want := kssSignature(secret, kssStringToSign(r, rt, expires, q))
	if !hmac.Equal([]byte(q.Get("Signature")), []byte(want)) {
		return "", errSignatureDoesNotMatch
	}
	if now.Unix() > expiresAt {
		return "", errAccessDenied.withMessage("Request has expired")
	}
	return accessKey, nil
}

// kssSignature is base64(HMAC-SHA1(secret, stringToSign)).
func kssSignature(secret, stringToSign string) string {
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// kssStringToSign builds
//
//	VERB \n Content-MD5 \n Content-Type \n Date \n [x-kss-headers \n] resource
//
// from the request as received. dateSlot is the Date header, or Expires for
// presigned URLs; presignQuery, when not nil, may carry x-kss-* values that
// a presigning client put in the URL instead of sending them as headers.
func kssStringToSign(r *http.Request, rt *route, dateSlot string, presignQuery url.Values) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(r.Header.Get("Content-MD5"))
	b.WriteByte('\n')
	b.WriteString(r.Header.Get("Content-Type"))
	b.WriteByte('\n')
	b.WriteString(dateSlot)
	b.WriteByte('\n')
	for _, h := range kssCanonicalHeaders(r.Header, presignQuery) {
		b.WriteString(h)
		b.WriteByte('\n')
	}
	b.WriteString(kssCanonicalResource(rt))
	return b.String()
}

// kssCanonicalHeaders returns "name:value" for every x-kss-* header, names
// lower-cased, values as sent, sorted by name.
func kssCanonicalHeaders(h http.Header, presignQuery url.Values) []string {
	values := make(map[string]string)
	for name, v := range h {
		lower := strings.ToLower(name)
		if strings.HasPrefix(lower, "x-kss-") && len(v) > 0 {
			values[lower] = v[0]
		}
	}
	for name, v := range presignQuery {
		lower := strings.ToLower(name)
		if _, sent := values[lower]; strings.HasPrefix(lower, "x-kss-") && !sent && len(v) > 0 {
			values[lower] = v[0]
		}
	}
	lines := make([]string, 0, len(values))
	for name, v := range values {
		lines = append(lines, name+":"+v)
	}
	sort.Slice(lines, func(i, j int) bool {
		ni, _, _ := strings.Cut(lines[i], ":")
		nj, _, _ := strings.Cut(lines[j], ":")
		return ni < nj
	})
	return lines
}

// kssCanonicalResource is "/" for the service, otherwise "/bucket/" plus the
// raw key path as received with "//" written as "/%2F", plus the signed
// sub-resources sorted by name with their decoded values.
func kssCanonicalResource(rt *route) string {
	var b strings.Builder
	b.WriteByte('/')
	if rt.bucket != "" {
		b.WriteString(rt.bucket)
		b.WriteByte('/')
		b.WriteString(rt.rawKey)
	}
	resource := strings.ReplaceAll(b.String(), "//", "/%2F")
	var subs []string
	for name, v := range rt.query {
		if !kssSubresources[name] {
			continue
		}
		if len(v) == 0 || v[0] == "" {
			subs = append(subs, name)
		} else {
			subs = append(subs, name+"="+v[0])
		}
	}
	if len(subs) == 0 {
		return resource
	}
	sort.Slice(subs, func(i, j int) bool {
		ni, _, _ := strings.Cut(subs[i], "=")
		nj, _, _ := strings.Cut(subs[j], "=")
		return ni < nj
	})
	return resource + "?" + strings.Join(subs, "&")
}
