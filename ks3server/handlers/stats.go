package handlers

import (
	"io"
	"net/http"
	"sync"
	"sync/atomic"
)

// Stats counts what a server has answered since it started or since
// ResetStats.
type Stats struct {
	// Requests counts requests by operation name (OpGetObject, …),
	// including requests that failed or hit an injected fault.
	Requests map[string]int64
	// BytesIn counts request body bytes read.
	BytesIn int64
	// BytesOut counts response body bytes written.
	BytesOut int64
}

// statsCounter accumulates Stats.
type statsCounter struct {
	mu sync.Mutex
	s  Stats
}

func (c *statsCounter) addRequest(op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.s.Requests == nil {
		c.s.Requests = make(map[string]int64)
	}
	c.s.Requests[op]++
}

func (c *statsCounter) addBytes(in, out int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.s.BytesIn += in
	c.s.BytesOut += out
}

// Stats returns a copy of the counters.
func (h *Handler) Stats() Stats {
	h.stats.mu.Lock()
	defer h.stats.mu.Unlock()
	out := h.stats.s
	out.Requests = make(map[string]int64, len(h.stats.s.Requests))
	for op, n := range h.stats.s.Requests {
		out.Requests[op] = n
	}
	return out
}

// ResetStats sets every counter to zero.
func (h *Handler) ResetStats() {
	h.stats.mu.Lock()
	defer h.stats.mu.Unlock()
	h.stats.s = Stats{}
}

// countingReader counts the bytes read from a request body.
type countingReader struct {
	r io.ReadCloser
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingReader) Close() error { return c.r.Close() }

// countingWriter counts the body bytes of a response and remembers its
// status.
type countingWriter struct {
	http.ResponseWriter
	status int
	n      int64
}

func (c *countingWriter) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	n, err := c.ResponseWriter.Write(p)
	c.n += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (c *countingWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// started reports whether the status line has been sent.
func (c *countingWriter) started() bool { return c.status != 0 }

// statusCode is the status answered, 0 if none (a dropped connection).
func (c *countingWriter) statusCode() int { return c.status }

// responseStarted reports whether w, or a writer it wraps, has sent its
// status line.
func responseStarted(w http.ResponseWriter) bool {
	for {
		if c, ok := w.(*countingWriter); ok {
			return c.started()
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return false
		}
		w = u.Unwrap()
	}
}
