//go:build linux

package e2e

import (
	"context"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3server/faults"
	"github.com/ks3sync/ks3sync/ks3server/handlers"
)

// stallTimeouts is the config of the client's timeouts: no response
// headers within response_header, or no byte of a body moving for stall,
// cancels the request (which is then retried).
const stallTimeouts = "timeouts: {stall: 5s, response_header: 5s}\n"

// hangBound is how long a run against a server that never answers may
// take to give up: the 5 s timeouts, retries with backoff and the circuit
// breaker that ends the pass.
const hangBound = 60 * time.Second

// timeoutError is how a run says that the server did not answer in time.
var timeoutError = regexp.MustCompile(`(?i)time(d)?[ -]?out|stall|no (response|progress)|not respond|deadline`)

// TestChaosHungServer runs against servers that stop answering: every run
// must end, a run that cannot do its job within hangBound with a non-zero
// exit and an error that says the server did not answer, and a run where
// one request hangs must retry it and succeed.
func TestChaosHungServer(t *testing.T) {
	cases := []struct {
		name  string
		quick bool
		run   func(t *testing.T)
	}{
		{"every request hangs (serve with KS3SYNC_FAULTS)", true, hangEveryRequest},
		{"the server accepts and never answers", false, hangSilentListener},
		{"a tool command against a silent server", false, hangToolCommand},
		{"one download never answered", true, hangOnce(pullMode(), faults.Fault{Ops: []string{handlers.OpGetObject}, Count: 1, Kinds: []faults.Kind{faults.Hang()}}, nil)},
		{"one download stalls mid-body", false, hangOnce(pullMode(), faults.Fault{}, &ownFault{ops: []string{handlers.OpGetObject}, count: 1, kind: bodyFault{after: 64 << 10, stall: true}})},
		{"one part upload never answered", false, hangOnce(pushMode(), faults.Fault{Ops: []string{handlers.OpUploadPart}, Count: 1, Kinds: []faults.Kind{faults.Hang()}}, nil)},
		{"watch: one upload never answered", false, hangWatch},
	}
	for _, c := range cases {
		if !c.quick && !campaignScale().full {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			figures.count(t, rowHang)
			c.run(t)
		})
	}
}

// hangConfig writes a push config against endpoint with the stall
// timeouts, over a folder with one file.
func hangConfig(e *env, endpoint string) string {
	local := filepath.Join(e.dir, "src")
	writeFile(e.t, local, "a.txt", []byte("a"))
	path := filepath.Join(e.dir, "hang.yaml")
	doc := fmt.Sprintf("endpoint: %s\nstate: %s\n%spairs:\n  - name: h\n    local: %s\n    bucket: bkt\n", endpoint, filepath.Join(e.dir, "hang.db"), stallTimeouts, local)
	writeFile(e.t, e.dir, "hang.yaml", []byte(doc))
	return path
}

// wantGivesUp runs args and checks that the run ends within hangBound,
// fails, and says why.
func wantGivesUp(t *testing.T, e *env, args ...string) {
	t.Helper()
	start := time.Now()
	r := e.invoke(invocation{args: args, timeout: hangBound + 30*time.Second})
	took := time.Since(start)
	switch {
	case r.code == exitTimedOut:
		t.Fatalf("still running after %s against a server that never answers:\n%s", took.Round(time.Second), r)
	case r.code != 1:
		t.Fatalf("want exit 1 (could not sync) against a server that never answers, got:\n%s", r)
	case took > hangBound:
		t.Errorf("gave up after %s, more than %s", took.Round(time.Second), hangBound)
	}
	if !timeoutError.MatchString(r.text()) {
		t.Errorf("the error does not say that the server did not answer:\n%s", r)
	}
	t.Logf("gave up after %s with exit %d", took.Round(100*time.Millisecond), r.code)
}

func hangEveryRequest(t *testing.T) {
	e := newEnv(t)
	s := startServeProc(t, e, []string{"KS3SYNC_FAULTS=kinds=hang"}, "--root", filepath.Join(e.dir, "store"), "--no-fsync")
	wantGivesUp(t, e, "run", "--config", hangConfig(e, s.url()), "--no-progress")
}

func hangSilentListener(t *testing.T) {
	e := newEnv(t)
	wantGivesUp(t, e, "run", "--config", hangConfig(e, silentServer(t)), "--no-progress")
}

func hangToolCommand(t *testing.T) {
	e := newEnv(t)
	wantGivesUp(t, e, "ls", "ks3://bkt", "--config", hangConfig(e, silentServer(t)))
}

// silentServer listens on loopback, accepts connections and never answers
// (nor closes them) until the test ends; it returns its URL.
func silentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go io.Copy(io.Discard, c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String()
}

// hangOnce syncs a pair mode while one request hangs (a fault of the
// faults package, or one of the recorder's own): the run must retry it
// and succeed.
func hangOnce(m pairMode, f faults.Fault, own *ownFault) func(t *testing.T) {
	return func(t *testing.T) {
		k := newRigWith(t, m, stallTimeouts)
		if own != nil {
			k.rec.inject(*own, k.rng)
		} else {
			k.rec.faults.Inject(f)
		}
		start := time.Now()
		r := k.e.invoke(invocation{args: []string{"run", "--config", k.cfg, "--no-progress"}, timeout: hangBound + 30*time.Second})
		took := time.Since(start)
		if r.code != 0 {
			t.Fatalf("one hung request made the run fail (after %s):\n%s", took.Round(time.Second), r)
		}
		if took > hangBound {
			t.Errorf("the run took %s, more than %s", took.Round(time.Second), hangBound)
		}
		if !k.sidesEqualWant() {
			t.Errorf("the run succeeded without syncing everything")
		}
		t.Logf("recovered in %s", took.Round(100*time.Millisecond))
	}
}

// hangWatch runs the daemon while its first upload hangs: the file must
// still reach the bucket.
func hangWatch(t *testing.T) {
	e, rec := newRecordedEnv(t)
	e.mkBucket("bkt")
	local := filepath.Join(e.dir, "w")
	writeFile(t, local, "first.txt", []byte("before the hang"))
	rec.faults.Inject(faults.Fault{Ops: []string{handlers.OpPutObject}, Count: 1, Kinds: []faults.Kind{faults.Hang()}})
	cfg := e.writeConfig("w.yaml", stallTimeouts+fmt.Sprintf(`pairs:
  - name: w
    local: %s
    bucket: bkt
    prefix: w/
    watch: {delay: 200ms, max_delay: 2s, rescan: 1h}
`, local))
	d := e.startWatch(cfg)
	waitFor(t, hangBound, "the file to reach the bucket past the hung upload", func() (bool, string) {
		select {
		case err := <-d.done:
			d.done <- err // for the cleanup
			t.Fatalf("watch stopped: %v", err)
		default:
		}
		_, err := e.client.HeadObject(context.Background(), "bkt", "w/first.txt")
		return err == nil, fmt.Sprint(err)
	})
}
