//go:build linux

package e2e

import (
	"math/rand/v2"
	"net/http"
	"slices"
)

// ownFault is a failure the faults package does not offer, fired by the
// recorder: a response body cut or stalled part-way.
type ownFault struct {
	ops      []string // none: every operation
	count    int      // failures left; 0 means no limit
	fraction float64  // in (0, 1): this share of matching requests; 0: all
	kind     bodyFault
}

// bodyFault serves after bytes of the response body, then either drops the
// connection (a reset mid-body) or, with stall, sends nothing more until
// the client gives up (a stalled transfer).
type bodyFault struct {
	after int64
	stall bool
}

// inject adds an own fault; rng draws its fraction.
func (rec *recorder) inject(f ownFault, rng *rand.Rand) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.own = append(rec.own, f)
	rec.rng = rng
}

// clearOwn removes the recorder's own faults.
func (rec *recorder) clearOwn() {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.own = nil
}

// ownFault returns the fault to fire for op, if any, consuming one of its
// failures.
func (rec *recorder) ownFault(op string) (bodyFault, bool) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for i := range rec.own {
		f := &rec.own[i]
		if len(f.ops) > 0 && !slices.Contains(f.ops, op) {
			continue
		}
		if f.fraction > 0 && f.fraction < 1 && rec.rng.Float64() >= f.fraction {
			continue
		}
		if f.count > 0 {
			if f.count--; f.count == 0 {
				rec.own = slices.Delete(rec.own, i, i+1)
			}
		}
		return f.kind, true
	}
	return bodyFault{}, false
}

// apply serves the request through a writer that cuts or stalls its body.
func (k bodyFault) apply(w http.ResponseWriter, r *http.Request) (http.ResponseWriter, bool) {
	return &cutWriter{ResponseWriter: w, left: k.after, stall: k.stall, done: r.Context().Done()}, false
}

// cutWriter passes left bytes of a body through, then drops the connection
// or stalls until the client goes away.
type cutWriter struct {
	http.ResponseWriter
	left  int64
	stall bool
	done  <-chan struct{}
}

func (c *cutWriter) Write(p []byte) (int, error) {
	if int64(len(p)) <= c.left {
		c.left -= int64(len(p))
		return c.ResponseWriter.Write(p)
	}
	n, err := c.ResponseWriter.Write(p[:c.left])
	c.left = 0
	if err != nil {
		return n, err
	}
	http.NewResponseController(c.ResponseWriter).Flush()
	if c.stall {
		<-c.done
	}
	// Aborting the handler makes net/http drop the connection.
	panic(http.ErrAbortHandler)
}

// Unwrap lets http.ResponseController reach the connection.
func (c *cutWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
