package handlers

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/ks3sync/ks3sync/ks3server/apierr"
	"github.com/ks3sync/ks3sync/ks3server/auth"
)

// maxKeyLength is the longest object key KS3 accepts, in bytes of UTF-8.
const maxKeyLength = 1024

// route is what a request addresses, parsed from its Host, raw path and query.
type route struct {
	op     string
	bucket string
	key    string
	// rawPath is the path of the request target exactly as received.
	rawPath string
	// rawKey is the key part of the path exactly as received (still
	// percent-encoded); the signature covers these bytes.
	rawKey string
	query  url.Values
	// resource names the target in error documents: /bucket/key.
	resource string
	// virtualHost is set when the bucket came from the Host header.
	virtualHost bool
}

// unsupportedSubresources are bucket or object sub-resources of KS3 that this
// server does not implement; naming one never falls through to another
// operation (PUT ?lifecycle must not create a bucket).
var unsupportedSubresources = []string{
	"cors", "lifecycle", "logging", "policy", "website", "tagging", "versioning",
	"versions", "replication", "notification", "requestPayment", "restore",
	"encryption", "inventory", "mirror", "crr", "retention", "append", "adp",
}

// parseRoute finds bucket, key and operation of r. domain is the optional
// base host name for virtual-host addressing.
func parseRoute(r *http.Request, domain string) (*route, error) {
	rawPath, rawQuery := splitRequestURI(r.RequestURI)
	query, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, apierr.InvalidURI.WithMessage("Couldn't parse the query string: %v.", err)
	}
	rt := &route{query: query, rawPath: rawPath}
	if b, ok := virtualBucket(r.Host, domain); ok {
		rt.bucket, rt.rawKey, rt.virtualHost = b, strings.TrimPrefix(rawPath, "/"), true
	} else {
		rest := strings.TrimPrefix(rawPath, "/")
		// Bucket names never need escaping; an escaped one stays invalid.
		rt.bucket, rt.rawKey, _ = strings.Cut(rest, "/")
	}
	if rt.key, err = decodeKey(rt.rawKey); err != nil {
		return nil, err
	}
	rt.resource = "/" + rt.bucket
	if rt.key != "" {
		rt.resource += "/" + rt.key
	}
	rt.op = operation(r.Method, r.Header, rt)
	return rt, nil
}

// splitRequestURI returns the raw path and query of a request target,
// accepting the absolute form that proxies send.
func splitRequestURI(uri string) (path, query string) {
	if i := strings.Index(uri, "://"); i >= 0 && !strings.HasPrefix(uri, "/") {
		uri = uri[i+3:]
		if j := strings.IndexByte(uri, '/'); j >= 0 {
			uri = uri[j:]
		} else {
			uri = "/"
		}
	}
	path, query, _ = strings.Cut(uri, "?")
	return path, query
}

// decodeKey percent-decodes a raw key path, reading '+' as a space the way
// the Python SDK encodes it (a literal '+' arrives as %2B).
func decodeKey(raw string) (string, error) {
	key, err := url.QueryUnescape(raw)
	if err != nil {
		return "", apierr.InvalidURI.WithMessage("Couldn't decode the object key: %v.", err)
	}
	if len(key) > maxKeyLength {
		return "", apierr.KeyTooLong
	}
	if !utf8.ValidString(key) {
		return "", apierr.InvalidKey.WithMessage("Object keys must be valid UTF-8.")
	}
	return key, nil
}

// virtualBucket extracts the bucket from a virtual-host style Host header:
// BUCKET.localhost, BUCKET.<IPv4 address> or BUCKET.<domain>, with or without
// a port. Any other host means path-style addressing.
func virtualBucket(host, domain string) (string, bool) {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if domain != "" {
		if b, ok := strings.CutSuffix(host, "."+strings.ToLower(domain)); ok && b != "" {
			return b, true
		}
	}
	if b, ok := strings.CutSuffix(host, ".localhost"); ok && b != "" {
		return b, true
	}
	labels := strings.Split(host, ".")
	if n := len(labels); n > 4 {
		ip := net.ParseIP(strings.Join(labels[n-4:], "."))
		if ip != nil && ip.To4() != nil {
			return strings.Join(labels[:n-4], "."), true
		}
	}
	return "", false
}

// operation names the operation a request asks for.
func operation(method string, h http.Header, rt *route) string {
	for _, name := range unsupportedSubresources {
		if rt.query.Has(name) {
			return OpUnsupported
		}
	}
	switch {
	case rt.bucket == "":
		if method == http.MethodGet {
			return OpListBuckets
		}
		return OpInvalid
	case rt.key == "":
		return bucketOperation(method, rt.query)
	default:
		return objectOperation(method, h, rt.query)
	}
}

func bucketOperation(method string, q url.Values) string {
	switch method {
	case http.MethodGet:
		switch {
		case q.Has("acl"):
			return OpGetBucketACL
		case q.Has("location"):
			return OpGetBucketLocation
		case q.Has("uploads"):
			return OpListMultipartUploads
		case q.Get("list-type") == "2":
			return OpListObjectsV2
		}
		return OpListObjects
	case http.MethodHead:
		return OpHeadBucket
	case http.MethodPut:
		if q.Has("acl") {
			return OpPutBucketACL
		}
		return OpCreateBucket
	case http.MethodDelete:
		return OpDeleteBucket
	case http.MethodPost:
		if q.Has("delete") {
			return OpDeleteObjects
		}
	}
	return OpInvalid
}

func objectOperation(method string, h http.Header, q url.Values) string {
	switch method {
	case http.MethodGet:
		switch {
		case q.Has("acl"):
			return OpGetObjectACL
		case q.Has("uploadId"):
			return OpListParts
		}
		return OpGetObject
	case http.MethodHead:
		return OpHeadObject
	case http.MethodPut:
		copySource := headerValue(h, "copy-source") != ""
		switch {
		case q.Has("acl"):
			return OpPutObjectACL
		case q.Has("uploadId") && copySource:
			return OpUploadPartCopy
		case q.Has("uploadId"):
			return OpUploadPart
		case copySource:
			return OpCopyObject
		}
		return OpPutObject
	case http.MethodPost:
		switch {
		case q.Has("uploads"):
			return OpInitiateMultipartUpload
		case q.Has("uploadId"):
			return OpCompleteMultipartUpload
		}
	case http.MethodDelete:
		if q.Has("uploadId") {
			return OpAbortMultipartUpload
		}
		return OpDeleteObject
	}
	return OpInvalid
}

// headerValue returns the x-kss-NAME header, or its x-amz-NAME spelling,
// which KS3 accepts as well.
func headerValue(h http.Header, name string) string {
	if v := h.Get("x-kss-" + name); v != "" {
		return v
	}
	return h.Get("x-amz-" + name)
}

// target is what the request's signature covers.
func (rt *route) target() *auth.Target {
	return &auth.Target{
		RawPath: rt.rawPath, Bucket: rt.bucket, RawKey: rt.rawKey, Query: rt.query,
		ChecksumDescribesObject: rt.op == OpCompleteMultipartUpload,
	}
}
