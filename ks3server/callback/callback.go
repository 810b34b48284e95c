// Package callback runs the upload callbacks of KS3: a PUT Object or
// Complete Multipart Upload request with x-kss-callbackurl and
// x-kss-callbackbody makes the server, once the data is stored, POST the
// callback body to that URL and keep the object only if the application
// answers {"result":true}.
//
// The body template has the form "name=${var}&name2=value"; it is sent as a
// JSON object with one string member per pair ({"name":"…","name2":"value"}),
// which is why values may not contain '=' or '&'. Variables: ${bucket},
// ${key}, ${etag} (base64 of the MD5 for a single PUT, the multipart ETag
// otherwise), ${objectSize}, ${mimeType}, ${createTime} (Unix seconds), and
// ${kss-NAME}, taken from the request header kss-NAME.
//
// {"result":false}, any other answer, or a non-2xx status fails the request
// with 400 CallbackFail. No answer within the callback timeout, three times
// in a row, fails it with 400 CallbackTimeout. Either way the new object is
// not kept and a previous object under the key stays.
//
// A server must not become a way into the network it runs in: the poster
// refuses to connect to loopback, private, link-local, unspecified and
// multicast addresses (checked on the address actually dialled, after name
// resolution and on every redirect) unless Options.AllowPrivate says so,
// and it never goes through a proxy.
package callback

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ks3sync/ks3sync/ks3server/apierr"
)

// Spec is a callback requested by an upload.
type Spec struct {
	url      string
	template string
	header   http.Header // the request's headers, for ${kss-NAME}
}

// Vars are the values of the magic callback variables.
type Vars struct {
	Bucket, Key, ETag, MIMEType string
	Size                        int64
	Created                     time.Time
}

// FromHeader returns the callback an upload asks for, or nil. A malformed
// request is apierr.InvalidArgument.
func FromHeader(h http.Header) (*Spec, error) {
	cbURL, body := h.Get("x-kss-callbackurl"), h.Get("x-kss-callbackbody")
	if cbURL == "" && body == "" {
		return nil, nil
	}
	if cbURL == "" || body == "" {
		return nil, apierr.InvalidArgument.WithMessage("x-kss-callbackurl and x-kss-callbackbody go together.")
	}
	u, err := url.Parse(cbURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, apierr.InvalidArgument.WithMessage("x-kss-callbackurl must be an http or https URL.")
	}
	return &Spec{url: cbURL, template: body, header: h}, nil
}

// render turns the template into the JSON document to post.
func (c *Spec) render(v Vars) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, pair := range strings.Split(c.template, "&") {
		name, value, _ := strings.Cut(pair, "=")
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(&b, name)
		b.WriteByte(':')
		writeJSONString(&b, c.substitute(value, v))
	}
	b.WriteByte('}')
	return b.Bytes()
}

func writeJSONString(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s) // strings always encode
	b.Write(enc)
}

// substitute replaces the ${…} variables of value.
func (c *Spec) substitute(value string, v Vars) string {
	var b strings.Builder
	for {
		start := strings.Index(value, "${")
		if start < 0 {
			break
		}
		end := strings.IndexByte(value[start:], '}')
		if end < 0 {
			break
		}
		b.WriteString(value[:start])
		name := value[start+2 : start+end]
		if s, ok := c.variable(name, v); ok {
			b.WriteString(s)
		} else {
			b.WriteString(value[start : start+end+1])
		}
		value = value[start+end+1:]
	}
	b.WriteString(value)
	return b.String()
}

// variable returns the value of callback variable name.
func (c *Spec) variable(name string, v Vars) (string, bool) {
	switch name {
	case "bucket":
		return v.Bucket, true
	case "key":
		return v.Key, true
	case "etag":
		return v.ETag, true
	case "objectSize":
		return strconv.FormatInt(v.Size, 10), true
	case "mimeType":
		return v.MIMEType, true
	case "createTime":
		return strconv.FormatInt(v.Created.Unix(), 10), true
	}
	if strings.HasPrefix(name, "kss-") {
		return c.header.Get(name), true
	}
	return "", false
}
