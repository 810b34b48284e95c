package ks3

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// maxXMLBody bounds the size of an XML response (a 1000-key listing of
// 1024-byte keys is about 1.3 MB).
const maxXMLBody = 32 << 20

// xmlTime parses the timestamps of KS3 XML documents: RFC 3339 with or
// without fractional seconds and with a "Z" or a numeric offset such as
// "+08:00"; a timestamp without a zone is taken as UTC.
type xmlTime struct{ time.Time }

// UnmarshalText implements encoding.TextUnmarshaler.
func (t *xmlTime) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "" {
		t.Time = time.Time{}
		return nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", http.TimeFormat} {
		if v, err := time.Parse(layout, s); err == nil {
			t.Time = v
			return nil
		}
	}
	return fmt.Errorf("parse time %q: not RFC 3339", s)
}

// decodeListingNames decodes, in place, names of a listing answered with
// encoding-type=url: percent-encoded, '+' for a space (as S3 and its SDKs
// read them). A listing without an encoding type is left as it is, since
// a service may ignore the request for one.
func decodeListingNames(encodingType string, names ...*string) error {
	if encodingType == "" {
		return nil
	}
	if encodingType != "url" {
		return fmt.Errorf("decode listing: unknown encoding type %q", encodingType)
	}
	for _, n := range names {
		v, err := url.QueryUnescape(*n)
		if err != nil {
			return fmt.Errorf("decode listing name %q: %w", *n, err)
		}
		*n = v
	}
	return nil
}

// trimETag removes the double quotes that may surround an ETag.
func trimETag(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

// decodeXMLResponse reads and closes resp's body and decodes it into v. A
// document whose root is <Error> (Copy and Complete can answer 200 with
// one) becomes an *Error.
func decodeXMLResponse(resp *http.Response, v any) error {
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxXMLBody))
	if err != nil {
		return &transportError{err: err}
	}
	if rootElement(body) == "Error" {
		e := parseErrorBody(resp.StatusCode, body)
		if e.RequestID == "" {
			e.RequestID = resp.Header.Get("X-Kss-Request-Id")
		}
		return e
	}
	if f, ok := v.(fastDecoder); ok && f.decodeFast(body) {
		return nil
	}
	if err := xml.Unmarshal(body, v); err != nil {
		return fmt.Errorf("decode response: %w", err)
	}
	return nil
}

// fastDecoder is an answer type with a decoder of its own for the common
// shape of its document (see parseListing). decodeFast leaves the value
// untouched when it reports false, and encoding/xml decodes it instead.
type fastDecoder interface {
	decodeFast(body []byte) bool
}

// rootElement returns the local name of the document's root element, or ""
// if there is none.
func rootElement(body []byte) string {
	d := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := d.Token()
		if err != nil {
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local
		}
	}
}

// xmlBody marshals v as an XML request body and sets its Content-MD5 and
// Content-Type in header.
func xmlBody(header http.Header, v any) (*bytes.Reader, int64, error) {
	b, err := xml.Marshal(v)
	if err != nil {
		return nil, 0, fmt.Errorf("encode request: %w", err)
	}
	r, n := rawXMLBody(header, b)
	return r, n, nil
}

// rawXMLBody returns b as an XML request body and sets its Content-MD5 and
// Content-Type in header.
func rawXMLBody(header http.Header, b []byte) (*bytes.Reader, int64) {
	sum := md5.Sum(b)
	header.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
	header.Set("Content-Type", "application/xml")
	return bytes.NewReader(b), int64(len(b))
}

// checkXMLText fails for strings that XML 1.0 cannot carry (invalid UTF-8
// and control characters other than tab, newline and carriage return);
// encoding/xml would silently replace them.
func checkXMLText(s string) error {
	if !utf8.ValidString(s) {
		return errors.New("not valid UTF-8")
	}
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF {
			return fmt.Errorf("character %U cannot be sent in XML", r)
		}
	}
	return nil
}
