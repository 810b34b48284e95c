package handlers

import (
	"crypto/md5"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ks3sync/ks3sync/ks3server/apierr"
	"github.com/ks3sync/ks3sync/ks3server/store"
)

// Object property limits.
const (
	maxMetaSize        = 2 << 10 // user metadata names and values, in bytes
	maxObjectSize      = 5 << 30 // single PUT
	maxPartSize        = 5 << 30
	defaultMIMEType    = "application/octet-stream"
	defaultStorage     = "STANDARD"
	metaPrefix         = "x-kss-meta-"
	amzMetaPrefix      = "x-amz-meta-"
	storageClassHdr    = "X-Kss-Storage-Class"
	amzStorageClassHdr = "X-Amz-Storage-Class"
	maxPartNumber      = 10000
	minPartSize        = 100 << 10 // every part but the last
	defaultListLimit   = 1000
)

// storageClasses are the storage classes objects may have.
var storageClasses = map[string]bool{
	"STANDARD": true, "STANDARD_IA": true, "DEEP_IA": true,
	"ARCHIVE": true, "COLD_ARCHIVE": true, "DEEP_COLD_ARCHIVE": true,
}

// attrsFromRequest reads the properties of a new object or upload from the
// request headers: content headers, x-kss-meta-* (or x-amz-meta-*) user
// metadata, storage class and canned ACL.
func attrsFromRequest(h http.Header) (store.Attrs, error) {
	a := store.Attrs{
		ContentType:        h.Get("Content-Type"),
		CacheControl:       h.Get("Cache-Control"),
		ContentDisposition: h.Get("Content-Disposition"),
		ContentEncoding:    h.Get("Content-Encoding"),
		ContentLanguage:    h.Get("Content-Language"),
		Expires:            h.Get("Expires"),
	}
	if a.ContentType == "" {
		a.ContentType = defaultMIMEType
	}
	var err error
	if a.Meta, err = metaFromHeader(h); err != nil {
		return a, err
	}
	if a.StorageClass, err = storageClassFromHeader(h); err != nil {
		return a, err
	}
	if a.ACL, err = parseCannedACL(headerValue(h, "acl"), true, ""); err != nil {
		return a, err
	}
	return a, nil
}

// metaFromHeader collects user metadata by lower-case name.
func metaFromHeader(h http.Header) (map[string]string, error) {
	meta := make(map[string]string)
	size := 0
	for name, values := range h {
		lower := strings.ToLower(name)
		var suffix string
		switch {
		case strings.HasPrefix(lower, metaPrefix):
			suffix = lower[len(metaPrefix):]
		case strings.HasPrefix(lower, amzMetaPrefix):
			suffix = lower[len(amzMetaPrefix):]
		default:
			continue
		}
		if suffix == "" {
			continue
		}
		value := strings.Join(values, ",")
		meta[suffix] = value
		size += len(suffix) + len(value)
	}
	if size > maxMetaSize {
		return nil, apierr.MetadataTooLarge
	}
	return meta, nil
}

// storageClassFromHeader validates x-kss-storage-class, STANDARD if absent.
func storageClassFromHeader(h http.Header) (string, error) {
	class := headerValue(h, "storage-class")
	if class == "" {
		return defaultStorage, nil
	}
	if !storageClasses[class] {
		return "", apierr.InvalidStorageClass.WithMessage("The storage class %q is not valid.", class)
	}
	return class, nil
}

// contentMD5 decodes the Content-MD5 header; ok is false when there is none.
func contentMD5(h http.Header) (digest [md5.Size]byte, ok bool, err error) {
	v := h.Get("Content-MD5")
	if v == "" {
		return digest, false, nil
	}
	raw, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(raw) != md5.Size {
		return digest, false, apierr.InvalidDigest
	}
	copy(digest[:], raw)
	return digest, true, nil
}

// responseOverrides maps response-* query parameters to the headers they
// replace on GET.
var responseOverrides = []struct{ param, header string }{
	{"response-content-type", "Content-Type"},
	{"response-content-language", "Content-Language"},
	{"response-expires", "Expires"},
	{"response-cache-control", "Cache-Control"},
	{"response-content-disposition", "Content-Disposition"},
	{"response-content-encoding", "Content-Encoding"},
}

// setObjectHeaders writes an object's headers for HEAD and GET, user
// metadata and storage class in both the x-kss- and the x-amz- spelling. User
// metadata names go into the header map verbatim in lower case, because the
// official Python SDK matches them case-sensitively.
func setObjectHeaders(h http.Header, o store.Object, query url.Values) {
	h.Set("Content-Type", o.Attrs.ContentType)
	h.Set("ETag", quoteETag(o.ETag))
	h.Set("Last-Modified", o.Modified.UTC().Format(http.TimeFormat))
	h.Set("Accept-Ranges", "bytes")
	h.Set(storageClassHdr, o.Attrs.StorageClass)
	for _, kv := range []struct{ name, value string }{
		{"Cache-Control", o.Attrs.CacheControl},
		{"Content-Disposition", o.Attrs.ContentDisposition},
		{"Content-Encoding", o.Attrs.ContentEncoding},
		{"Content-Language", o.Attrs.ContentLanguage},
		{"Expires", o.Attrs.Expires},
	} {
		if kv.value != "" {
			h.Set(kv.name, kv.value)
		}
	}
	// S3 clients (boto3, the AWS CLI, rclone) know only the x-amz-
	// spellings, so metadata and storage class go out in both.
	h.Set(amzStorageClassHdr, o.Attrs.StorageClass)
	for name, value := range o.Attrs.Meta {
		h[metaPrefix+name] = []string{value}
		h[amzMetaPrefix+name] = []string{value}
	}
	for _, o := range responseOverrides {
		if v := query.Get(o.param); v != "" {
			h.Set(o.header, v)
		}
	}
}

// setContentLength sets Content-Length.
func setContentLength(h http.Header, n int64) {
	h.Set("Content-Length", strconv.FormatInt(n, 10))
}
