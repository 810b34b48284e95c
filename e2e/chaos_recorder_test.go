//go:build linux

package e2e

import (
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/ks3server"
	"github.com/ks3sync/ks3sync/ks3server/faults"
	"github.com/ks3sync/ks3sync/ks3server/handlers"
	"github.com/ks3sync/ks3sync/ks3server/ks3servertest"
)

// recorder is the campaign's eye inside the test server, installed as its
// interceptor. It logs every request of the binary (operation, upload id,
// part number, the status answered), fires the faults of a
// faults.Injector and a few of its own at the binary's requests only, and
// counts them, and can call a function at the binary's n-th request (the
// kill -9 points).
type recorder struct {
	faults *faults.Injector

	mu      sync.Mutex
	log     []*exchange
	epoch   int        // stamped on each exchange: kills so far
	own     []ownFault // the recorder's own faults, tried before faults
	rng     *rand.Rand // draws the own faults' fractions
	trigger *trigger
	onOK    *okTrigger
}

var _ handlers.Interceptor = (*recorder)(nil)

// exchange is one request of the binary and how it was answered.
type exchange struct {
	op       string
	resource string // /bucket/key
	rangeHdr string // the Range header of a GET
	uploadID string
	part     int
	epoch    int
	injected bool         // a fault fired
	status   atomic.Int32 // 0 until answered; stays 0 for a dropped connection
	sent     atomic.Int64 // response body bytes written
}

// trigger calls fire once, delay after the binary's at-th request since it
// was armed.
type trigger struct {
	at, seen int
	delay    time.Duration
	fire     func()
}

// okTrigger calls fire when the server is about to answer 200 to the n-th
// request of op since it was armed: the server has done the work, and the
// binary has not heard of it yet.
type okTrigger struct {
	op   string
	n    int
	fire func()
}

// armOnOK makes the server's n-th 200 answer to op call fire before the
// answer leaves.
func (rec *recorder) armOnOK(op string, n int, fire func()) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.onOK = &okTrigger{op: op, n: n, fire: fire}
}

// answered runs the 200 trigger if x is its request.
func (rec *recorder) answered(x *exchange) {
	rec.mu.Lock()
	tr := rec.onOK
	fire := tr != nil && tr.op == x.op
	if fire {
		if tr.n--; tr.n > 0 {
			fire = false
		} else {
			rec.onOK = nil
		}
	}
	rec.mu.Unlock()
	if fire {
		tr.fire()
	}
}

// startRecorded starts an in-process test server with a recorder.
func startRecorded(t *testing.T) (*ks3servertest.Harness, *recorder) {
	t.Helper()
	rec := &recorder{faults: faults.New()}
	t.Cleanup(func() { rec.faults.Close() })
	h := ks3servertest.StartWith(t, ks3server.Options{NoSync: true, Interceptor: rec})
	return h, rec
}

// checkClient is a client for the test's own checks, with few retries and a
// user agent the recorder does not confuse with the binary's.
func checkClient(t *testing.T, url, access, secret string) *ks3.Client {
	t.Helper()
	c, err := ks3.New(ks3.Options{
		Endpoint: url, AccessKey: access, SecretKey: secret, UserAgent: "ks3sync-campaign-check",
		Retry: ks3.RetryPolicy{MaxAttempts: 3, BaseDelay: 10 * time.Millisecond, MaxDelay: 100 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// newRecordedEnv is newEnv over a recorded server.
func newRecordedEnv(t *testing.T) (*env, *recorder) {
	t.Helper()
	srv, rec := startRecorded(t)
	c := checkClient(t, srv.URL, ks3servertest.AccessKey, ks3servertest.SecretKey)
	return &env{t: t, srv: srv, dir: t.TempDir(), client: c}, rec
}

// fromBinary tells the binary's requests (user agent ks3sync/VERSION) from
// the test's own.
func fromBinary(r *http.Request) bool { return strings.HasPrefix(r.UserAgent(), "ks3sync/") }

// Intercept implements handlers.Interceptor.
func (rec *recorder) Intercept(w http.ResponseWriter, r *http.Request, op, resource, requestID string) (http.ResponseWriter, bool) {
	if !fromBinary(r) {
		return w, false
	}
	x := &exchange{op: op, resource: resource, rangeHdr: r.Header.Get("Range")}
	if op == handlers.OpUploadPart {
		q := r.URL.Query()
		x.uploadID = q.Get("uploadId")
		x.part, _ = strconv.Atoi(q.Get("partNumber"))
	}
	rec.admit(x)
	sw := &statusWriter{ResponseWriter: w, x: x, rec: rec}
	if k, ok := rec.ownFault(op); ok {
		x.injected = true
		return k.apply(sw, r)
	}
	out, handled := rec.faults.Intercept(sw, r, op, resource, requestID)
	if handled || out != http.ResponseWriter(sw) {
		x.injected = true
	}
	return out, handled
}

// admit logs x and fires the trigger when x is its request.
func (rec *recorder) admit(x *exchange) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	x.epoch = rec.epoch
	rec.log = append(rec.log, x)
	if tr := rec.trigger; tr != nil {
		if tr.seen++; tr.seen == tr.at {
			rec.trigger = nil
			time.AfterFunc(tr.delay, tr.fire)
		}
	}
}

// arm makes the binary's at-th request from now call fire after delay.
func (rec *recorder) arm(at int, delay time.Duration, fire func()) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.trigger = &trigger{at: at, delay: delay, fire: fire}
}

// disarm cancels the triggers that have not fired.
func (rec *recorder) disarm() {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.trigger, rec.onOK = nil, nil
}

// setEpoch stamps the exchanges from now on.
func (rec *recorder) setEpoch(n int) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.epoch = n
}

// exchanges returns the log so far.
func (rec *recorder) exchanges() []*exchange {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return slices.Clone(rec.log)
}

// since returns the binary's requests logged after the first n.
func (rec *recorder) since(n int) []*exchange {
	return rec.exchanges()[n:]
}

// injected counts the requests of xs that a fault failed.
func injected(xs []*exchange) int {
	n := 0
	for _, x := range xs {
		if x.injected {
			n++
		}
	}
	return n
}

// statusWriter remembers the status a request was answered with, and
// runs the recorder's 200 trigger before the answer leaves.
type statusWriter struct {
	http.ResponseWriter
	x   *exchange
	rec *recorder
}

func (s *statusWriter) WriteHeader(status int) {
	s.answer(status)
	s.ResponseWriter.WriteHeader(status)
}

func (s *statusWriter) Write(p []byte) (int, error) {
	s.answer(http.StatusOK)
	n, err := s.ResponseWriter.Write(p)
	s.x.sent.Add(int64(n))
	return n, err
}

func (s *statusWriter) answer(status int) {
	if s.x.status.CompareAndSwap(0, int32(status)) && status == http.StatusOK {
		s.rec.answered(s.x)
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
