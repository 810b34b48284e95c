package ks3server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Upload callbacks: a PUT Object or Complete Multipart Upload request with
// x-kss-callbackurl and x-kss-callbackbody makes the server, once the data
// is stored, POST the callback body to that URL and keep the object only if
// the application answers {"result":true}.
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

// callbackAttempts is how often an unanswered callback is tried.
const callbackAttempts = 3

// maxCallbackAnswer bounds how much of the application's answer is read.
const maxCallbackAnswer = 64 << 10

// callbackSpec is a callback requested by an upload.
type callbackSpec struct {
	url      string
	template string
	header   http.Header // the request's headers, for ${kss-NAME}
}

// callbackVars are the values of the magic callback variables.
type callbackVars struct {
	bucket, key, etag, mimeType string
	size                        int64
	created                     time.Time
}

// callbackFromRequest returns the callback an upload asks for, or nil.
func callbackFromRequest(h http.Header) (*callbackSpec, error) {
	cbURL, body := h.Get("x-kss-callbackurl"), h.Get("x-kss-callbackbody")
	if cbURL == "" && body == "" {
		return nil, nil
	}
	if cbURL == "" || body == "" {
		return nil, errInvalidArgument.withMessage("x-kss-callbackurl and x-kss-callbackbody go together.")
	}
	u, err := url.Parse(cbURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errInvalidArgument.withMessage("x-kss-callbackurl must be an http or https URL.")
	}
	return &callbackSpec{url: cbURL, template: body, header: h}, nil
}

// render turns the template into the JSON document to post.
func (c *callbackSpec) render(v callbackVars) []byte {
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
func (c *callbackSpec) substitute(value string, v callbackVars) string {
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
func (c *callbackSpec) variable(name string, v callbackVars) (string, bool) {
	switch name {
	case "bucket":
		return v.bucket, true
	case "key":
		return v.key, true
	case "etag":
		return v.etag, true
	case "objectSize":
		return strconv.FormatInt(v.size, 10), true
	case "mimeType":
		return v.mimeType, true
	case "createTime":
		return strconv.FormatInt(v.created.Unix(), 10), true
	}
	if strings.HasPrefix(name, "kss-") {
		return c.header.Get(name), true
	}
	return "", false
}

// callbackPoster posts callbacks to application servers.
type callbackPoster struct {
	client  *http.Client
	timeout time.Duration
}

func newCallbackPoster(client *http.Client, timeout time.Duration) callbackPoster {
	if client == nil {
		client = &http.Client{Timeout: timeout}
	}
	return callbackPoster{client: client, timeout: timeout}
}

// run posts the callback until the application answers, at most
// callbackAttempts times, and returns nil only for {"result":true}.
func (p callbackPoster) run(ctx context.Context, c *callbackSpec, v callbackVars) error {
	body := c.render(v)
	var lastErr error
	for range callbackAttempts {
		accepted, err := p.post(ctx, c.url, body)
		if err == nil {
			if !accepted {
				return errCallbackFail
			}
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("upload callback: %w", ctx.Err())
		}
		lastErr = err
	}
	var netErr interface{ Timeout() bool }
	if errors.Is(lastErr, context.DeadlineExceeded) || (errors.As(lastErr, &netErr) && netErr.Timeout()) {
		return errCallbackTimeout
	}
	return errCallbackFail.withMessage("The callback server could not be reached: %v.", lastErr)
}

// post makes one attempt. It returns an error only when no answer came.
func (p callbackPoster) post(ctx context.Context, target string, body []byte) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.client.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxCallbackAnswer))
	if err != nil {
		return false, err
	}
	if resp.StatusCode/100 != 2 {
		return false, nil
	}
	var result struct {
		Result bool `json:"result"`
	}
	if err := json.Unmarshal(answer, &result); err != nil {
		return false, nil
	}
	return result.Result, nil
}
