// Package ks3servertest starts a ks3server for tests of other packages: on a
// loopback port, over a fresh temporary directory, with fixed fake
// credentials, stopped when the test ends.
package ks3servertest

import (
	"testing"

	"github.com/ks3sync/ks3sync/ks3server"
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
}

// Start starts a server on 127.0.0.1 with a fresh t.TempDir() root that
// accepts AccessKey/SecretKey, and closes it when the test ends. It does not
// fsync object data (Options.NoSync): a test store survives the crash of a
// process, which is all tests can cause, and thousands of uploads stay fast.
func Start(t testing.TB) *Harness {
	t.Helper()
	return StartWith(t, ks3server.Options{NoSync: true})
}

// StartWith is Start with more options: Root and Credentials are filled in
// when empty, the rest is passed through as given (a Now clock, a
// CallbackTimeout, NoSync…).
func StartWith(t testing.TB, opts ks3server.Options) *Harness {
	t.Helper()
	if opts.Root == "" {
		opts.Root = t.TempDir()
	}
	if len(opts.Credentials) == 0 {
		opts.Credentials = map[string]string{AccessKey: SecretKey}
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
	return &Harness{Running: r, Root: opts.Root}
}
