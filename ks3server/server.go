// Package ks3server is a KS3-compatible object storage server over a local
// directory. It backs `ks3sync serve`, the embedded local store, and every
// end-to-end test.
//
// This package assembles the server from its parts and runs it on a
// listener:
//
//   - store: buckets, objects and uploads under the root directory, durable
//     once acknowledged, with concurrent writes committed in groups;
//   - auth: request verification (KSS and AWS signatures, presigned URLs,
//     Date skew, self-verifying bodies);
//   - handlers: routing and the KS3 operations, with their answers and
//     errors;
//   - callback: upload callbacks, which never reach private addresses
//     unless allowed;
//   - faults: failures on purpose, installed only when asked for through
//     Options.Interceptor;
//   - importer: bulk import of a local folder as a bucket (Server.Import).
//
// ks3servertest starts a server for the tests of other packages.
package ks3server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/rs/zerolog"

	"github.com/ks3sync/ks3sync/ks3server/auth"
	"github.com/ks3sync/ks3sync/ks3server/callback"
	"github.com/ks3sync/ks3sync/ks3server/handlers"
	"github.com/ks3sync/ks3sync/ks3server/importer"
	"github.com/ks3sync/ks3sync/ks3server/store"
)

// Options configure a Server. Zero values mean the documented defaults.
type Options struct {
	// Root is the directory holding the store; it is created if missing.
	// Two servers cannot use the same root at once.
	Root string
	// Credentials maps access keys to secret keys; at least one is required.
	// Every access key acts as the single owner of all buckets.
	Credentials map[string]string
	// Logger receives one debug line per request, and errors; the zero
	// value discards.
	Logger zerolog.Logger
	// Now is the clock used for signature skew, expiry and timestamps;
	// nil means time.Now.
	Now func() time.Time
	// MaxSkew is how far a request's Date may be from Now; 0 means 15
	// minutes.
	MaxSkew time.Duration
	// CallbackTimeout bounds each attempt to reach an upload callback URL;
	// 0 means 3 seconds.
	CallbackTimeout time.Duration
	// AllowPrivateCallbacks lets upload callbacks reach loopback, private
	// and link-local addresses, which they are refused by default.
	AllowPrivateCallbacks bool
	// NoSync neither syncs object data nor commits metadata synchronously:
	// acknowledged uploads survive a crash of the process, not of the
	// machine. For tests and scratch stores.
	NoSync bool
	// Domain is an optional base host name for virtual-host addressing:
	// requests to BUCKET.<Domain> address BUCKET. BUCKET.localhost and
	// BUCKET.<IPv4 address> work without it.
	Domain string
	// Interceptor, when set, sees every routed request before it is
	// authenticated and may answer it: the fault injection of package
	// faults. If it has a Close method, Serve calls it when shutting down.
	Interceptor handlers.Interceptor
}

// Server answers KS3 requests from a store under a root directory. It is
// safe for concurrent use. Create it with New and release it with Close.
type Server struct {
	*handlers.Handler
	store       *store.Store
	log         zerolog.Logger
	now         func() time.Time
	interceptor handlers.Interceptor
}

// New opens the store under opts.Root and returns a server for it.
func New(opts Options) (*Server, error) {
	if opts.Root == "" {
		return nil, errors.New("new ks3 server: no root directory")
	}
	if len(opts.Credentials) == 0 {
		return nil, errors.New("new ks3 server: no credentials")
	}
	log := opts.Logger.With().Str("component", "ks3server").Logger()
	st, err := store.Open(context.Background(), store.Options{Root: opts.Root, NoSync: opts.NoSync, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("new ks3 server: %w", err)
	}
	h := handlers.New(handlers.Options{
		Store:       st,
		Verifier:    auth.NewVerifier(auth.Options{Credentials: opts.Credentials, MaxSkew: opts.MaxSkew, Now: opts.Now}),
		Callbacks:   callback.NewPoster(callback.Options{Timeout: opts.CallbackTimeout, AllowPrivate: opts.AllowPrivateCallbacks}),
		Logger:      log,
		Now:         opts.Now,
		Domain:      opts.Domain,
		Interceptor: opts.Interceptor,
	})
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Server{Handler: h, store: st, log: log, now: now, interceptor: opts.Interceptor}, nil
}

// Close closes the store. Requests still in flight fail.
func (s *Server) Close() error { return s.store.Close() }

// Import loads the folder tree under dir into bucket, creating the bucket
// (private) if it does not exist; see package importer.
func (s *Server) Import(ctx context.Context, bucket, dir string) (importer.Summary, error) {
	if !handlers.ValidBucketName(bucket) {
		return importer.Summary{}, fmt.Errorf("import %s: %q is not a valid bucket name", dir, bucket)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return importer.Summary{}, fmt.Errorf("import %s: not a folder", dir)
	}
	b := store.Bucket{Name: bucket, Created: s.now(), ACL: "private", Type: "NORMAL"}
	if err := s.store.CreateBucket(ctx, b); err != nil && !errors.Is(err, store.ErrBucketExists) {
		return importer.Summary{}, fmt.Errorf("import %s: %w", dir, err)
	}
	return importer.Import(ctx, s.store, bucket, dir, importer.Options{Now: s.now})
}
