package ks3

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"
	"testing"
)

func TestErrorString(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{&Error{StatusCode: 404, Code: "NoSuchKey", Message: "The specified key does not exist.", RequestID: "abc"},
			"NoSuchKey: The specified key does not exist. (status 404, request id abc)"},
		{&Error{StatusCode: 404, Code: "NoSuchKey"}, "NoSuchKey (status 404)"},
		{&Error{StatusCode: 502}, "Bad Gateway (status 502)"},
		{&Error{StatusCode: 301, Code: "PermanentRedirect", Endpoint: "ks3-cn-shanghai.ksyuncs.com"},
			"PermanentRedirect (status 301, endpoint ks3-cn-shanghai.ksyuncs.com)"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestErrorClassification(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("op: %w", err) }
	tests := []struct {
		name            string
		err             error
		notFound, retry bool
		code            string
	}{
		{"nil", nil, false, false, ""},
		{"NoSuchKey", wrap(&Error{StatusCode: 404, Code: "NoSuchKey"}), true, false, "NoSuchKey"},
		{"NoSuchBucket", &Error{StatusCode: 404, Code: "NoSuchBucket"}, true, false, "NoSuchBucket"},
		{"NoSuchUpload", &Error{StatusCode: 404, Code: "NoSuchUpload"}, true, false, "NoSuchUpload"},
		{"NotFound", &Error{StatusCode: 404, Code: "NotFound"}, true, false, "NotFound"},
		{"bare 404", &Error{StatusCode: 404}, true, false, ""},
		{"AccessDenied", &Error{StatusCode: 403, Code: "AccessDenied"}, false, false, "AccessDenied"},
		{"SignatureDoesNotMatch", &Error{StatusCode: 403, Code: "SignatureDoesNotMatch"}, false, false, "SignatureDoesNotMatch"},
		{"500", &Error{StatusCode: 500, Code: "InternalError"}, false, true, "InternalError"},
		{"503", &Error{StatusCode: 503}, false, true, ""},
		{"408", &Error{StatusCode: 408}, false, true, ""},
		{"429", &Error{StatusCode: 429}, false, true, ""},
		{"RequestTimeout 400", &Error{StatusCode: 400, Code: "RequestTimeout"}, false, true, "RequestTimeout"},
		{"SlowDown in 200", &Error{StatusCode: 200, Code: "SlowDown"}, false, true, "SlowDown"},
		{"InternalError in 200", &Error{StatusCode: 200, Code: "InternalError"}, false, true, "InternalError"},
		{"ServiceUnavailable", &Error{StatusCode: 503, Code: "ServiceUnavailable"}, false, true, "ServiceUnavailable"},
		{"reset", wrap(&transportError{err: syscall.ECONNRESET}), false, true, ""},
		{"unexpected EOF", &transportError{err: io.ErrUnexpectedEOF}, false, true, ""},
		{"bad certificate", &transportError{err: x509.UnknownAuthorityError{}}, false, false, ""},
		{"local error", errors.New("read upload body: disk on fire"), false, false, ""},
		{"canceled", context.Canceled, false, false, ""},
		{"deadline", wrap(context.DeadlineExceeded), false, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsNotFound(tt.err); got != tt.notFound {
				t.Errorf("IsNotFound = %v, want %v", got, tt.notFound)
			}
			if got := IsRetryable(tt.err); got != tt.retry {
				t.Errorf("IsRetryable = %v, want %v", got, tt.retry)
			}
			if got := ErrorCode(tt.err); got != tt.code {
				t.Errorf("ErrorCode = %q, want %q", got, tt.code)
			}
		})
	}
}

func TestErrorResponses(t *testing.T) {
	tests := []struct {
		name   string
		status int
		header map[string]string
		body   string
		call   func(*Client) error
		want   Error
	}{
		{
			name: "object HEAD 404 without body", status: 404, header: map[string]string{"x-kss-request-id": "r404"},
			call: func(c *Client) error { _, err := c.HeadObject(context.Background(), "b", "k"); return err },
			want: Error{StatusCode: 404, Code: "NoSuchKey", RequestID: "r404"},
		},
		{
			name: "bucket HEAD 404 without body", status: 404,
			call: func(c *Client) error { return c.HeadBucket(context.Background(), "b") },
			want: Error{StatusCode: 404, Code: "NoSuchBucket"},
		},
		{
			name: "403 without body", status: 403,
			call: func(c *Client) error { _, err := c.HeadObject(context.Background(), "b", "k"); return err },
			want: Error{StatusCode: 403, Code: "AccessDenied"},
		},
		{
			name: "XML error", status: 404,
			body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist.</Message>` +
				`<Resource>/nb/k</Resource><RequestId>r1</RequestId><HostId>h1</HostId></Error>`,
			call: func(c *Client) error {
				_, err := c.GetObject(context.Background(), "nb", "k", GetOptions{})
				return err
			},
			want: Error{StatusCode: 404, Code: "NoSuchBucket", Message: "The specified bucket does not exist.",
				Resource: "/nb/k", RequestID: "r1", HostID: "h1"},
		},
		{
			name: "wrong region redirect", status: 301,
			body:   `<Error><Code>PermanentRedirect</Code><Message>use the right endpoint</Message><Endpoint>ks3-cn-shanghai.ksyuncs.com</Endpoint></Error>`,
			header: map[string]string{"Location": "http://b.ks3-cn-shanghai.ksyuncs.com/k"},
			call:   func(c *Client) error { _, err := c.GetObject(context.Background(), "b", "k", GetOptions{}); return err },
			want:   Error{StatusCode: 301, Code: "PermanentRedirect", Message: "use the right endpoint", Endpoint: "ks3-cn-shanghai.ksyuncs.com"},
		},
		{
			name: "non-XML body", status: 400, body: "<html>bad gateway config</html>",
			call: func(c *Client) error { return c.DeleteObject(context.Background(), "b", "k") },
			want: Error{StatusCode: 400, Code: "InvalidArgument", Message: "<html>bad gateway config</html>"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, answer(tt.status, tt.header, tt.body))
			err := tt.call(newTestClient(t, s))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an *Error", err)
			}
			if *e != tt.want {
				t.Errorf("error = %+v, want %+v", *e, tt.want)
			}
			if strings.Contains(err.Error(), vecSK) || strings.Contains(err.Error(), "Authorization") {
				t.Errorf("error text leaks credentials: %v", err)
			}
		})
	}
}

func TestErrorsNameTheOperation(t *testing.T) {
	s := newTestServer(t, answer(404, nil, ""))
	c := newTestClient(t, s)
	_, err := c.HeadObject(t.Context(), "b", "dir/k")
	if want := `head object "ks3://b/dir/k": NoSuchKey (status 404)`; err == nil || err.Error() != want {
		t.Errorf("HeadObject = %v, want %s", err, want)
	}
	if !IsNotFound(err) {
		t.Error("IsNotFound = false")
	}
}
