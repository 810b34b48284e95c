package webui

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/rs/zerolog"

	"github.com/ks3sync/ks3sync/daemon"
)

// Controller is what the page's actions need of the daemon. Errors match
// daemon.ErrUnknownPair, daemon.ErrPaused and daemon.ErrNotRunning.
type Controller interface {
	SyncNow(pair string) error
	Pause(pair string) error
	Resume(pair string) error
}

var _ Controller = (*daemon.Control)(nil)

// Options configure the handler.
type Options struct {
	// API serves the status endpoints (/healthz, /readyz, /metrics,
	// /api/status): daemon.Monitor.Handler.
	API http.Handler
	// Control carries out the actions.
	Control Controller
	// Token authorises actions; required.
	Token string
	// Loopback says the listener is reachable from this machine only. A
	// request naming another host is then refused: a web page elsewhere
	// must not reach the daemon through a host name that resolves to
	// 127.0.0.1 (DNS rebinding).
	Loopback bool
	Logger   zerolog.Logger
}

// Handler returns the handler of the daemon's listener:
//
//	GET  /                           the status page
//	GET  /assets/...                 its script, stylesheet and icon
//	POST /api/pairs/{pair}/sync      a full reconcile now: 202
//	POST /api/pairs/{pair}/pause     pause the pair: 200
//	POST /api/pairs/{pair}/resume    resume it: 200
//	anything else                    Options.API
//
// Actions answer 403 without the token or from another origin, 404 for an
// unknown pair, 409 for "sync now" of a paused pair.
func Handler(opts Options) (http.Handler, error) {
	if opts.Token == "" || opts.API == nil || opts.Control == nil {
		return nil, errors.New("webui: a token, the status API and a controller are required")
	}
	a := &actions{control: opts.Control, token: opts.Token, log: opts.Logger.With().Str("component", "http").Logger()}
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusForbidden, "cross-origin requests may not act on the daemon")
	}))
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", page())
	mux.Handle("GET /assets/", assets())
	mux.Handle("POST /api/pairs/{pair}/{action}", csrf.Handler(a))
	mux.HandleFunc("/api/pairs/{pair}/{action}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, "actions are POST requests")
	})
	mux.Handle("/", opts.API)
	var h http.Handler = mux
	if opts.Loopback {
		h = loopbackOnly(h)
	}
	return secure(h), nil
}

// Serve serves h on ln until ctx is done, then shuts down within two
// seconds.
func Serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: time.Minute}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
