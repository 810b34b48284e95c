// Package faults makes a ks3server fail on purpose, so that clients can be
// tested, and users can rehearse, against error answers, dropped
// connections, slow bodies and a server that never answers. An Injector is
// installed as the server's handlers.Interceptor only when asked for (the
// --faults option of `ks3sync serve`, or a test harness); a production
// server has none.
//
// Faults are checked after routing and before authentication, in the order
// they were injected; the first that fires decides. A fault fires on a
// Fraction of the requests its Op matches (drawn from a generator with a
// fixed seed, so runs repeat), Count times or without limit, and each time
// fails the request in one of its Kinds, chosen at random.
package faults

import (
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
)

// Fault makes matching requests fail.
type Fault struct {
	// Ops are the operations to fail (handlers.OpGetObject, …); none
	// means every operation.
	Ops []string
	// Count is how many requests fail before the fault is removed; 0
	// means no limit.
	Count int
	// Fraction, when in (0, 1), fails only this share of the matching
	// requests; 0 fails every one.
	Fraction float64
	// Kinds are the ways a request fails, one chosen at random each time;
	// none means Status(500).
	Kinds []Kind
}

// seed seeds the generator deciding Fraction and Kinds.
const seed = 0x6b7333

// Injector fails requests as its faults say. It implements
// handlers.Interceptor and is safe for concurrent use.
type Injector struct {
	mu     sync.Mutex
	active []*activeFault
	rng    *rand.Rand

	stop     chan struct{} // closed by Close: hung requests end
	stopOnce sync.Once
}

type activeFault struct {
	Fault
	remaining int // with Count > 0: failures left
}

// New returns an injector with the given faults active.
func New(faults ...Fault) *Injector {
	in := &Injector{rng: rand.New(rand.NewPCG(seed, seed)), stop: make(chan struct{})}
	for _, f := range faults {
		in.Inject(f)
	}
	return in
}

// Inject adds a fault; several may be active at once.
func (in *Injector) Inject(f Fault) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.active = append(in.active, &activeFault{Fault: f, remaining: f.Count})
}

// Clear removes every fault.
func (in *Injector) Clear() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.active = nil
}

// Close ends the requests that hang faults hold (their connections are
// dropped) and makes later hang faults drop their connections at once.
func (in *Injector) Close() error {
	in.stopOnce.Do(func() { close(in.stop) })
	return nil
}

// Intercept fails the request if a fault fires for op. It returns the
// writer to answer with and whether the request has been dealt with.
func (in *Injector) Intercept(w http.ResponseWriter, r *http.Request, op, resource, requestID string) (http.ResponseWriter, bool) {
	k, ok := in.match(op)
	if !ok {
		return w, false
	}
	return k.apply(w, r, resource, requestID, in.stop)
}

// match returns the kind of failure for op, if a fault fires, consuming
// one of that fault's failures.
func (in *Injector) match(op string) (Kind, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	for i, f := range in.active {
		if len(f.Ops) > 0 && !slices.Contains(f.Ops, op) {
			continue
		}
		if f.Fraction > 0 && f.Fraction < 1 && in.rng.Float64() >= f.Fraction {
			continue
		}
		if f.Count > 0 {
			if f.remaining--; f.remaining == 0 {
				in.active = append(in.active[:i:i], in.active[i+1:]...)
			}
		}
		if len(f.Kinds) == 0 {
			return Status(http.StatusInternalServerError), true
		}
		return f.Kinds[in.rng.IntN(len(f.Kinds))], true
	}
	return Kind{}, false
}
