// Package apierr defines the failures ks3server answers with and writes them
// as KS3 error documents. Every other package of the server that answers a
// client (request verification, the handlers, fault injection) returns or
// writes these values; the store has errors of its own, which the handlers
// map to these in one place.
package apierr

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
)

// Error is a failure answered to the client as a KS3 error document:
//
//	<Error>
//	  <Code>NoSuchKey</Code>
//	  <Message>The specified key does not exist.</Message>
//	  <Resource>/bucket/key</Resource>
//	  <RequestId>7f3a…</RequestId>
//	</Error>
type Error struct {
	Status  int
	Code    string
	Message string
}

// Error implements error.
func (e Error) Error() string {
	return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message)
}

// WithMessage returns a copy of e with a more specific message.
func (e Error) WithMessage(format string, args ...any) Error {
	e.Message = fmt.Sprintf(format, args...)
	return e
}

// Document is the XML body of an error response.
type Document struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	Resource  string   `xml:"Resource"`
	RequestID string   `xml:"RequestId"`
}

// Write answers e for resource (/bucket/key); HEAD responses carry the
// status but no body.
func Write(w http.ResponseWriter, r *http.Request, e Error, resource, requestID string) {
	if r.Method == http.MethodHead {
		w.WriteHeader(e.Status)
		return
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	// A document of plain strings always encodes.
	_ = xml.NewEncoder(&buf).Encode(Document{Code: e.Code, Message: e.Message, Resource: resource, RequestID: requestID})
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(e.Status)
	w.Write(buf.Bytes())
}
