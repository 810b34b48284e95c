package ks3

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
)

// Header names used by more than one operation.
const (
	metaPrefix          = "x-kss-meta-"
	headerACL           = "x-kss-acl"
	headerStorageClass  = "x-kss-storage-class"
	headerCallbackURL   = "x-kss-callbackurl"
	headerCallbackBody  = "x-kss-callbackbody"
	callbackVarPrefix   = "kss-"
	headerRequestID     = "X-Kss-Request-Id"
	headerCRC64         = "X-Kss-Checksum-Crc64ecma"
	storageClassDefault = "STANDARD"
)

// PutOptions are the optional attributes of a new object (PutObject,
// InitiateMultipartUpload, and CopyObject with MetadataDirective REPLACE).
type PutOptions struct {
	ContentType string
	// ContentMD5 is the raw 16-byte MD5 of the body; nil sends none.
	ContentMD5 []byte
	// Metadata is user metadata, names without the "x-kss-meta-" prefix.
	// Names are sent lower-case.
	Metadata     map[string]string
	StorageClass string // e.g. "STANDARD", "STANDARD_IA"; "" = bucket default
	ACL          string // canned ACL: "private", "public-read", ...
	// CallbackURL and CallbackBody ask the service to POST to an
	// application server once the object is stored. CallbackVars are the
	// custom ${kss-NAME} variables of the body template, sent as
	// "kss-NAME: value" headers; names may be given with or without the
	// "kss-" prefix.
	CallbackURL, CallbackBody string
	CallbackVars              map[string]string
	CacheControl              string
	ContentDisposition        string
	ContentEncoding           string
}

// setHeaders adds the headers for o to h.
func (o PutOptions) setHeaders(h http.Header) error {
	if o.ContentMD5 != nil {
		if len(o.ContentMD5) != 16 {
			return fmt.Errorf("ContentMD5 has %d bytes, want 16", len(o.ContentMD5))
		}
		h.Set("Content-MD5", base64.StdEncoding.EncodeToString(o.ContentMD5))
	}
	if err := o.setContentHeaders(h); err != nil {
		return err
	}
	if err := setRaw(h, headerStorageClass, o.StorageClass); err != nil {
		return err
	}
	if err := setRaw(h, headerACL, o.ACL); err != nil {
		return err
	}
	return setCallbackHeaders(h, o.CallbackURL, o.CallbackBody, o.CallbackVars)
}

// setContentHeaders adds the content and metadata headers of o to h: the
// attributes that a COPY directive takes from the source object.
func (o PutOptions) setContentHeaders(h http.Header) error {
	for name, v := range map[string]string{
		"Content-Type": o.ContentType, "Cache-Control": o.CacheControl,
		"Content-Disposition": o.ContentDisposition, "Content-Encoding": o.ContentEncoding,
	} {
		if err := setRaw(h, name, v); err != nil {
			return err
		}
	}
	return setPrefixed(h, metaPrefix, o.Metadata, "Metadata")
}

// hasContentHeaders reports whether o sets any attribute that
// setContentHeaders sends.
func (o PutOptions) hasContentHeaders() bool {
	return o.ContentType != "" || o.CacheControl != "" || o.ContentDisposition != "" ||
		o.ContentEncoding != "" || len(o.Metadata) > 0
}

// setCallbackHeaders adds the upload callback headers.
func setCallbackHeaders(h http.Header, url, body string, vars map[string]string) error {
	if err := setRaw(h, headerCallbackURL, url); err != nil {
		return err
	}
	if err := setRaw(h, headerCallbackBody, body); err != nil {
		return err
	}
	trimmed := make(map[string]string, len(vars))
	for name, v := range vars {
		trimmed[strings.TrimPrefix(strings.ToLower(name), callbackVarPrefix)] = v
	}
	return setPrefixed(h, callbackVarPrefix, trimmed, "CallbackVars")
}

// setPrefixed adds "prefix+lower(name): value" for each entry of m; field
// names the option in errors.
func setPrefixed(h http.Header, prefix string, m map[string]string, field string) error {
	for name, v := range m {
		if !validHeaderName(name) {
			return fmt.Errorf("%s name %q is not a valid header name", field, name)
		}
		full := prefix + strings.ToLower(name)
		if _, dup := h[full]; dup {
			return fmt.Errorf("%s name %q appears twice (names are case-insensitive)", field, name)
		}
		if err := checkHeaderValue(full, v); err != nil {
			return err
		}
		h[full] = []string{v}
	}
	return nil
}

// setRaw sets h[name] = value (name kept as given) when value is not empty.
func setRaw(h http.Header, name, value string) error {
	if value == "" {
		return nil
	}
	if err := checkHeaderValue(name, value); err != nil {
		return err
	}
	h[name] = []string{value}
	return nil
}

// checkHeaderValue rejects values that HTTP cannot carry verbatim: control
// characters, and leading or trailing white space, which the HTTP stack
// trims after the value was signed.
func checkHeaderValue(name, v string) error {
	if strings.TrimSpace(v) != v {
		return fmt.Errorf("header %s: value %q has leading or trailing white space", name, v)
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return fmt.Errorf("header %s: value %q contains a control character", name, v)
		}
	}
	return nil
}

// validHeaderName reports whether name is a non-empty RFC 9110 token.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 {
			continue
		}
		return false
	}
	return true
}
