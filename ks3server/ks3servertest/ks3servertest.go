// Package ks3servertest starts a ks3server for tests of other packages: on a
// loopback port, over a fresh temporary directory, with fixed fake
// credentials and a fault injector, stopped when the test ends.
package ks3servertest

import (
	"testing"

	"github.com/ks3sync/ks3sync/ks3server"
	"github.com/ks3sync/ks3sync/ks3server/faults"
)

// Fake credentials the harness server accepts. They are not secret and
// work nowhere else.
const (
	AccessKey = "AKLTLOCALTESTKEY0001"
	SecretKey = "LOCALtestSECRETkey0000000000000000000000"
)

// Harness is a running server for one test.
type Harness struct {
	*ks3server.Running
	// Root is the server's data directory.
	Root string
	// Faults fails requests on purpose when told to; it starts empty. It
	// is nil when StartWith was given an Interceptor of its own.
	Faults *faults.Injector
}

// Start starts a server on 127.0.0.1 with a fresh t.TempDir() root that
// accepts AccessKey/SecretKey, and closes it when the test ends. It does not
// sync (Options.NoSync): a test store survives the crash of a process,
// which is all tests can cause, and thousands of uploads stay fast.
// Upload callbacks may reach loopback, where tests run their applications.
func Start(t testing.TB) *Harness {
	t.Helper()
	return StartWith(t, ks3server.Options{NoSync: true, AllowPrivateCallbacks: true})
}

// StartWith is Start with more options: Root and Credentials are filled in
// when empty, an Interceptor when none is given, and the rest is passed
// through as given (a Now clock, a CallbackTimeout, NoSync…).
func StartWith(t testing.TB, opts ks3server.Options) *Harness {
	t.Helper()
	if opts.Root == "" {
		opts.Root = t.TempDir()
	}
	if len(opts.Credentials) == 0 {
		opts.Credentials = map[string]string{AccessKey: SecretKey}
	}
	h := &Harness{Root: opts.Root}
	if opts.Interceptor == nil {
		h.Faults = faults.New()
		opts.Interceptor = h.Faults
	}
	r, err := ks3server.Start(opts, "")
	if err != nil {
		t.Fatalf("start ks3 server: %v", err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("close ks3 server: %v", err)
		}
	})
	h.Running = r
	return h
}

// InjectFault adds a fault to the harness's injector (see Faults).
func (h *Harness) InjectFault(f faults.Fault) { h.Faults.Inject(f) }

// ClearFaults removes every fault.
func (h *Harness) ClearFaults() { h.Faults.Clear() }
