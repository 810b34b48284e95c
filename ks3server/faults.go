package ks3server

import (
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"
)

// Fault makes the server fail matching requests on purpose, for tests.
// Faults are checked after routing and before authentication, in the order
// they were injected; the first that fires decides.
//
// A fault fires on the next Count matching requests and is then removed;
// with Fraction > 0 only that fraction of matching requests counts (drawn
// from a generator with a fixed seed, so runs repeat). Count 0 means no
// limit: with Fraction > 0 it fires on that fraction forever, without it on
// every matching request until ClearFaults.
//
// When it fires: with ResetAfter > 0 the server reads that many request body
// bytes and drops the connection without answering. Otherwise, with Status
// set (or with neither Status nor SlowBytesPerSec set, meaning 500) it
// answers that status with a KS3 error document. SlowBytesPerSec alone
// serves the request normally with the response body throttled; together
// with Status it throttles the error document.
type Fault struct {
	// Op is the operation to fail (OpGetObject, …); "" matches any.
	Op string
	// Count is how many matching requests fail; 0 means no limit.
	Count int
	// Fraction, when > 0, fails only this fraction of matching requests.
	Fraction float64
	// Status is the HTTP status to answer, e.g. 500 or 503.
	Status int
	// Code is the KS3 error code; "" chooses one from Status: 500
	// InternalError, 503 SlowDown, and so on.
	Code string
	// ResetAfter, when > 0, reads this many body bytes and then drops the
	// connection without a response.
	ResetAfter int64
	// SlowBytesPerSec, when > 0, throttles the response body to this rate.
	SlowBytesPerSec int64
}

// faultSeed seeds the generator deciding Fraction faults.
const faultSeed = 0x6b7333

// faultSet holds the active faults.
type faultSet struct {
	mu     sync.Mutex
	active []*activeFault
	rng    *rand.Rand
}

type activeFault struct {
	Fault
	remaining int // with Count > 0: firings left
}

func newFaultSet() faultSet {
	return faultSet{rng: rand.New(rand.NewPCG(faultSeed, faultSeed))}
}

// InjectFault adds a fault; several may be active at once.
func (s *Server) InjectFault(f Fault) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.active = append(s.faults.active, &activeFault{Fault: f, remaining: f.Count})
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.active = nil
}

// match returns the first fault that fires for op, consuming one of its
// firings.
func (fs *faultSet) match(op string) (Fault, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, f := range fs.active {
		if f.Op != "" && f.Op != op {
			continue
		}
		if f.Fraction > 0 && fs.rng.Float64() >= f.Fraction {
			continue
		}
		if f.Count > 0 {
			if f.remaining--; f.remaining == 0 {
				fs.active = append(fs.active[:i:i], fs.active[i+1:]...)
			}
		}
		return f.Fault, true
	}
	return Fault{}, false
}

// applyFault carries out fault f. It returns the writer to answer with and
// whether the request has been dealt with.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f Fault, rt *route, id string) (http.ResponseWriter, bool) {
	if f.ResetAfter > 0 {
		io.CopyN(io.Discard, r.Body, f.ResetAfter)
		dropConnection(w)
		return w, true
	}
	if f.SlowBytesPerSec > 0 {
		w = &slowWriter{ResponseWriter: w, rate: f.SlowBytesPerSec, done: r.Context().Done()}
	}
	if f.Status == 0 && f.SlowBytesPerSec > 0 {
		return w, false
	}
	e := apiError{Status: f.Status, Code: f.Code, Message: "Injected fault."}
	if e.Status == 0 {
		e.Status = http.StatusInternalServerError
	}
	if e.Code == "" {
		e.Code = faultCode(e.Status)
	}
	writeError(w, r, e, rt.resource, id)
	return w, true
}

// faultCode is the KS3 error code that goes with an injected status.
func faultCode(status int) string {
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
