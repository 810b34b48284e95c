package ks3server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// Shutdown grace periods: how long in-flight requests may take to finish.
const (
	serveGrace   = 10 * time.Second
	runningGrace = time.Second
)

// DefaultAddr is where Start listens when given no address: loopback only.
const DefaultAddr = "127.0.0.1:0"

// maxHeaderBytes bounds the request line and headers; larger requests are
// answered 431 before any handler runs. KS3 itself allows 8 KiB of user
// metadata and S3 tools send a few KiB of headers.
const maxHeaderBytes = 64 << 10

// Serve answers requests on ln until ctx is done, then shuts down
// gracefully, letting in-flight requests finish for a few seconds. It does
// not close the Server.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	return s.serveUntil(ctx, ln, serveGrace)
}

func (s *Server) serveUntil(ctx context.Context, ln net.Listener, grace time.Duration) error {
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: time.Minute,
		IdleTimeout:       5 * time.Minute,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          newHTTPErrorLog(s.log),
	}
	if c, ok := s.interceptor.(io.Closer); ok {
		srv.RegisterOnShutdown(func() { c.Close() })
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = srv.Close()
	}
	if serveErr := <-done; !errors.Is(serveErr, http.ErrServerClosed) && err == nil {
		err = serveErr
	}
	if err != nil {
		return fmt.Errorf("shut down %s: %w", ln.Addr(), err)
	}
	return nil
}

// Running is a Server listening on a loopback port, for tests and tools.
type Running struct {
	*Server
	// URL is the base URL, http://127.0.0.1:PORT.
	URL string
	// Addr is the listening address, 127.0.0.1:PORT.
	Addr string

	cancel context.CancelFunc
	done   chan error
}

// Start creates a server and serves it on addr ("" means 127.0.0.1 on a
// free port) in a goroutine until Close.
func Start(opts Options, addr string) (*Running, error) {
	if addr == "" {
		addr = DefaultAddr
	}
	s, err := New(opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("start ks3 server: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &Running{
		Server: s,
		URL:    "http://" + ln.Addr().String(),
		Addr:   ln.Addr().String(),
		cancel: cancel,
		done:   make(chan error, 1),
	}
	go func() { r.done <- s.serveUntil(ctx, ln, runningGrace) }()
	return r, nil
}

// Close stops listening, gives in-flight requests a short grace period and
// closes the store.
func (r *Running) Close() error {
	r.cancel()
	err := <-r.done
	r.done <- err // a second Close sees the same result
	if cerr := r.Server.Close(); err == nil {
		err = cerr
	}
	return err
}
