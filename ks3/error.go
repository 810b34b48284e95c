package ks3

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Error is an error answered by the service. KS3 describes errors with an
// XML body such as
//
//	<Error>
//	  <Code>NoSuchKey</Code>
//	  <Message>The specified key does not exist.</Message>
//	  <Resource>/example-bucket/photos/cat.jpg</Resource>
//	  <RequestId>a1b2c3d4e5f6</RequestId>
//	</Error>
//
// Responses without a body (HEAD, some redirects) get a Code derived from
// the status: NoSuchKey for a missing object, NoSuchBucket for a missing
// bucket, otherwise NotFound, AccessDenied, InvalidArgument or
// MethodNotAllowed, and "" for other statuses. Copy and Complete Multipart
// Upload may answer 200 with an <Error> body; that is an Error with
// StatusCode 200.
type Error struct {
	StatusCode int
	Code       string
	Message    string
	Resource   string
	RequestID  string
	HostID     string
	// Endpoint is the endpoint the bucket lives on, sent with wrong-region
	// errors.
	Endpoint string
}

// Error reads like "NoSuchKey: The specified key does not exist. (status
// 404, request id abc)".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Code)
	if e.Code == "" {
		b.WriteString(http.StatusText(e.StatusCode))
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	b.WriteString(" (status ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	if e.RequestID != "" {
		b.WriteString(", request id ")
		b.WriteString(e.RequestID)
	}
	if e.Endpoint != "" {
		b.WriteString(", endpoint ")
		b.WriteString(e.Endpoint)
	}
	b.WriteByte(')')
	return b.String()
}

// IsNotFound reports whether err says that the bucket, object or multipart
// upload does not exist (status 404, or code NoSuchKey, NoSuchBucket,
// NotFound or NoSuchUpload).
func IsNotFound(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code {
	case "NoSuchKey", "NoSuchBucket", "NotFound", "NoSuchUpload":
		return true
	}
	return e.StatusCode == http.StatusNotFound
}

// IsRetryable reports whether repeating the request that failed with err
// may succeed: transport failures (connection refused or reset, unexpected
// EOF, timeouts, a *StallError), statuses 5xx, 408 and 429, and the codes
// SlowDown, RequestTimeout, InternalError and ServiceUnavailable. Other
// service errors, certificate errors, context cancellation and an open
// circuit breaker (*CircuitOpenError) are not retryable.
func IsRetryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var open *CircuitOpenError
	if errors.As(err, &open) {
		return false
	}
	var e *Error
	if errors.As(err, &e) {
		switch e.Code {
		case "SlowDown", "RequestTimeout", "InternalError", "ServiceUnavailable":
			return true
		}
		return e.StatusCode >= 500 || e.StatusCode == http.StatusRequestTimeout ||
			e.StatusCode == http.StatusTooManyRequests
	}
	var te *transportError
	if !errors.As(err, &te) {
		return false
	}
	var (
		unknownAuthority x509.UnknownAuthorityError
		hostname         x509.HostnameError
		invalid          x509.CertificateInvalidError
		verify           *tls.CertificateVerificationError
	)
	return !errors.As(err, &unknownAuthority) && !errors.As(err, &hostname) &&
		!errors.As(err, &invalid) && !errors.As(err, &verify)
}

// ErrorCode returns the service error code carried by err ("NoSuchKey",
// "SlowDown", ...), or "" when err is not an *Error.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// transportError marks a failure to exchange a request with the server
// (as opposed to a local error such as an unreadable upload body). Its text
// is that of the underlying error.
type transportError struct{ err error }

func (e *transportError) Error() string { return e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 64 << 10

// xmlError is the <Error> document.
type xmlError struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	Resource  string   `xml:"Resource"`
	RequestID string   `xml:"RequestId"`
	HostID    string   `xml:"HostId"`
	Endpoint  string   `xml:"Endpoint"`
}

// responseError builds the Error for resp, a response with a status of 300
// or more, reading (part of) its body. notFoundCode is the code to use for
// a 404 without a body.
func responseError(resp *http.Response, notFoundCode string) error {
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if err != nil && len(body) == 0 {
		return &transportError{err: err}
	}
	e := parseErrorBody(resp.StatusCode, body)
	if e.RequestID == "" {
		e.RequestID = resp.Header.Get("X-Kss-Request-Id")
	}
	if e.Code == "" {
		e.Code = fallbackCode(resp.StatusCode, notFoundCode)
	}
	return e
}

// parseErrorBody parses an <Error> document; a body that is not one ends up
// (shortened) in Message.
func parseErrorBody(status int, body []byte) *Error {
	e := &Error{StatusCode: status}
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return e
	}
	var x xmlError
	if err := xml.Unmarshal(body, &x); err != nil {
		const limit = 256
		if len(body) > limit {
			body = body[:limit]
		}
		e.Message = strings.ToValidUTF8(string(body), "?")
		return e
	}
	e.Code, e.Message, e.Resource = x.Code, x.Message, x.Resource
	e.RequestID, e.HostID, e.Endpoint = x.RequestID, x.HostID, x.Endpoint
	return e
}

// fallbackCode names an error whose response carried no code.
func fallbackCode(status int, notFoundCode string) string {
	switch status {
	case http.StatusBadRequest:
		return "InvalidArgument"
	case http.StatusForbidden:
		return "AccessDenied"
	case http.StatusNotFound:
		if notFoundCode != "" {
			return notFoundCode
		}
		return "NotFound"
	case http.StatusMethodNotAllowed:
		return "MethodNotAllowed"
	}
	return ""
}
