package faults

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/ks3sync/ks3sync/ks3server/apierr"
)

// action is what a Kind does.
type action int

const (
	actError action = iota // answer an error document
	actReset               // drop the connection without an answer
	actSlow                // serve the answer with a throttled body
	actHang                // never answer
)

// Kind is one way of failing a request. Build it with Status, Error,
// Reset, Slow or Hang.
type Kind struct {
	act    action
	status int
	code   string
	bytes  int64 // Reset: body bytes read first; Slow: bytes per second
}

// DefaultSlowRate is the body rate of Slow(0): 64 KiB per second.
const DefaultSlowRate = 64 << 10

// Status answers status with a KS3 error document whose code goes with the
// status: 503 and 429 SlowDown, 501 NotImplemented, 408 RequestTimeout,
// other 5xx InternalError, other 4xx InvalidRequest.
func Status(status int) Kind { return Error(status, "") }

// Error answers status with a KS3 error document of the given code; ""
// chooses the code as Status does.
func Error(status int, code string) Kind {
	if code == "" {
		code = statusCode(status)
	}
	return Kind{act: actError, status: status, code: code}
}

// Reset reads up to after bytes of the request body and then drops the
// connection without an answer (with a TCP reset where possible).
func Reset(after int64) Kind { return Kind{act: actReset, bytes: after} }

// Slow serves the request normally with its response body throttled to
// bytesPerSec (DefaultSlowRate when 0).
func Slow(bytesPerSec int64) Kind {
	if bytesPerSec <= 0 {
		bytesPerSec = DefaultSlowRate
	}
	return Kind{act: actSlow, bytes: bytesPerSec}
}

// Hang reads the request and never answers, until the client gives up or
// the injector is closed; the connection is then dropped.
func Hang() Kind { return Kind{act: actHang} }

// String describes the kind the way Parse reads it.
func (k Kind) String() string {
	switch k.act {
	case actReset:
		return "reset:" + strconv.FormatInt(k.bytes, 10)
	case actSlow:
		return "slow:" + strconv.FormatInt(k.bytes, 10)
	case actHang:
		return "hang"
	}
	return strconv.Itoa(k.status) + ":" + k.code
}

// statusCode is the KS3 error code that goes with an injected status.
func statusCode(status int) string {
	switch status {
	case http.StatusServiceUnavailable, http.StatusTooManyRequests:
		return "SlowDown"
	case http.StatusNotImplemented:
		return "NotImplemented"
	case http.StatusRequestTimeout:
		return "RequestTimeout"
	}
	if status >= 500 {
		return "InternalError"
	}
	return "InvalidRequest"
}

// apply carries out k. It returns the writer to answer with and whether
// the request has been dealt with.
func (k Kind) apply(w http.ResponseWriter, r *http.Request, resource, requestID string, stop <-chan struct{}) (http.ResponseWriter, bool) {
	switch k.act {
	case actReset:
		io.CopyN(io.Discard, r.Body, k.bytes)
		dropConnection(w)
		return w, true
	case actSlow:
		return &slowWriter{ResponseWriter: w, rate: k.bytes, done: r.Context().Done()}, false
	case actHang:
		// Reading the whole body lets net/http notice when the client
		// closes the connection.
		io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-stop:
		}
		dropConnection(w)
		return w, true
	}
	e := apierr.Error{Status: k.status, Code: k.code, Message: "Injected fault."}
	apierr.Write(w, r, e, resource, requestID)
	return w, true
}

// dropConnection closes the client connection without a response, with a
// TCP reset where possible.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Not hijackable (HTTP/2, a recorder): abort the handler, which
		// makes net/http drop the stream or connection.
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		tcp.SetLinger(0)
	}
	conn.Close()
}

// slowWriter throttles a response body to rate bytes per second.
type slowWriter struct {
	http.ResponseWriter
	rate int64
	done <-chan struct{}
}

// errClientGone stops a throttled write whose client went away.
var errClientGone = errors.New("client went away")

// slowChunks is how many writes per second a slowWriter makes.
const slowChunks = 20

func (s *slowWriter) Write(p []byte) (int, error) {
	chunk := max(int(s.rate/slowChunks), 1)
	written := 0
	for written < len(p) {
		n := min(chunk, len(p)-written)
		m, err := s.ResponseWriter.Write(p[written : written+n])
		written += m
		if err != nil {
			return written, err
		}
		http.NewResponseController(s.ResponseWriter).Flush()
		select {
		case <-time.After(time.Duration(n) * time.Second / time.Duration(s.rate)):
		case <-s.done:
			return written, errClientGone
		}
	}
	return written, nil
}

// Unwrap lets http.ResponseController reach the connection.
func (s *slowWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
