package webui_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"

	"github.com/ks3sync/ks3sync/daemon"
	"github.com/ks3sync/ks3sync/webui"
)

const testToken = "0123456789abcdef0123456789abcdef"

// controller records the actions it is asked for; the pair "paused" is
// paused.
type controller struct {
	mu    sync.Mutex
	calls []string
}

var _ webui.Controller = (*controller)(nil)

func (c *controller) record(action, pair string) error {
	if pair != "docs" && pair != "paused" {
		return fmt.Errorf("pair %q: %w", pair, daemon.ErrUnknownPair)
	}
	if action == "sync" && pair == "paused" {
		return daemon.ErrPaused
	}
	c.mu.Lock()
	c.calls = append(c.calls, action+" "+pair)
	c.mu.Unlock()
	return nil
}

func (c *controller) SyncNow(pair string) error { return c.record("sync", pair) }
func (c *controller) Pause(pair string) error   { return c.record("pause", pair) }
func (c *controller) Resume(pair string) error  { return c.record("resume", pair) }

func (c *controller) got() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.calls)
}

// newHandler returns the handler over a controller and a stand-in status
// API.
func newHandler(t *testing.T, loopback bool) (http.Handler, *controller) {
	t.Helper()
	c := &controller{}
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "api %s %s", r.Method, r.URL.Path)
	})
	h, err := webui.Handler(webui.Options{API: api, Control: c, Token: testToken, Loopback: loopback, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	return h, c
}

// request serves one request; headers are "Name: value" strings.
func request(h http.Handler, method, target string, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	req.Host = "127.0.0.1:9101"
	for _, hv := range headers {
		k, v, _ := strings.Cut(hv, ": ")
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// The page and its files are served with a content policy that allows
// nothing from elsewhere; folder listings are not; other paths reach the
// status API.
func TestPageAndAssets(t *testing.T) {
	h, _ := newHandler(t, true)
	for path, want := range map[string]string{
		"/":                 "text/html",
		"/assets/app.js":    "text/javascript",
		"/assets/style.css": "text/css",
		"/assets/icon.svg":  "image/svg+xml",
	} {
		rec := request(h, "GET", path)
		if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), want) {
			t.Errorf("GET %s: %d %s", path, rec.Code, rec.Header().Get("Content-Type"))
		}
		if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("GET %s: content policy %q", path, csp)
		}
		if rec.Header().Get("X-Frame-Options") != "DENY" || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: headers %v", path, rec.Header())
		}
	}
	if rec := request(h, "GET", "/"); !strings.Contains(rec.Body.String(), `<script src="/assets/app.js" defer></script>`) {
		t.Errorf("the page does not load its script:\n%s", rec.Body)
	}
	for _, path := range []string{"/assets/", "/assets/missing.js"} {
		if rec := request(h, "GET", path); rec.Code != 404 {
			t.Errorf("GET %s: %d, want 404", path, rec.Code)
		}
	}
	if rec := request(h, "GET", "/api/status"); rec.Body.String() != "api GET /api/status" {
		t.Errorf("GET /api/status reached %q", rec.Body)
	}
}

// The script builds the page from text only and loads nothing from
// elsewhere.
func TestScriptIsPlain(t *testing.T) {
	h, _ := newHandler(t, true)
	for _, path := range []string{"/assets/app.js", "/", "/assets/style.css"} {
		body := request(h, "GET", path).Body.String()
		for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "http://", "https://", "style=\"", "onclick"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s contains %q", path, bad)
			}
		}
	}
}

// An action needs the token as a bearer credential and a same-origin
// request; it is a POST; it answers what happened.
func TestActions(t *testing.T) {
	h, c := newHandler(t, true)
	auth := "Authorization: Bearer " + testToken
	for _, tc := range []struct {
		method, path string
		headers      []string
		code         int
		body         string
	}{
		{"POST", "/api/pairs/docs/sync", []string{auth}, 202, `{"pair":"docs","action":"sync"}`},
		{"POST", "/api/pairs/docs/pause", []string{auth, "Sec-Fetch-Site: same-origin"}, 200, `{"pair":"docs","action":"pause"}`},
		{"POST", "/api/pairs/docs/resume", []string{auth, "Origin: http://127.0.0.1:9101"}, 200, `"action":"resume"`},
		{"POST", "/api/pairs/docs/sync", nil, 403, "needs the daemon's token"},
		{"POST", "/api/pairs/docs/sync", []string{"Authorization: Bearer wrong-token-0123456789"}, 403, "needs the daemon's token"},
		{"POST", "/api/pairs/docs/sync", []string{"Authorization: " + testToken}, 403, "needs the daemon's token"},
		{"POST", "/api/pairs/docs/sync", []string{auth, "Sec-Fetch-Site: cross-site"}, 403, "cross-origin"},
		{"POST", "/api/pairs/docs/sync", []string{auth, "Origin: http://evil.example"}, 403, "cross-origin"},
		{"GET", "/api/pairs/docs/sync", []string{auth}, 405, ""},
		{"POST", "/api/pairs/nope/sync", []string{auth}, 404, `pair \"nope\": no such pair`},
		{"POST", "/api/pairs/paused/sync", []string{auth}, 409, "the pair is paused"},
		{"POST", "/api/pairs/docs/delete", []string{auth}, 404, "no such action"},
	} {
		rec := request(h, tc.method, tc.path, tc.headers...)
		if rec.Code != tc.code || !strings.Contains(rec.Body.String(), tc.body) {
			t.Errorf("%s %s %q: %d %s, want %d with %s", tc.method, tc.path, tc.headers, rec.Code, rec.Body, tc.code, tc.body)
		}
	}
	if got, want := c.got(), []string{"sync docs", "pause docs", "resume docs"}; !slices.Equal(got, want) {
		t.Fatalf("actions carried out %q, want %q", got, want)
	}
}

// On a loopback listener, a request naming another host is refused before
// anything else, whatever it asks.
func TestLoopbackHosts(t *testing.T) {
	h, c := newHandler(t, true)
	for host, want := range map[string]int{
		"127.0.0.1:9101": 200, "localhost:9101": 200, "LOCALHOST": 200, "[::1]:9101": 200, "127.2.3.4": 200,
		"evil.example:9101": 421, "192.0.2.1:9101": 421, "localhost.evil.example": 421, "": 421,
	} {
		if rec := request(h, "GET", "/api/status", "Host: "+host); rec.Code != want {
			t.Errorf("Host %q: %d, want %d", host, rec.Code, want)
		}
	}
	if rec := request(h, "POST", "/api/pairs/docs/sync", "Host: rebound.example", "Authorization: Bearer "+testToken); rec.Code != 421 || len(c.got()) != 0 {
		t.Fatalf("an action through a foreign host: %d, %q", rec.Code, c.got())
	}
	open, _ := newHandler(t, false)
	if rec := request(open, "GET", "/api/status", "Host: ks3sync.example:9101"); rec.Code != 200 {
		t.Fatalf("a host name on a listener open to the network: %d", rec.Code)
	}
}

func TestHandlerNeedsToken(t *testing.T) {
	_, err := webui.Handler(webui.Options{API: http.NotFoundHandler(), Control: &controller{}})
	if err == nil {
		t.Fatal("a handler without a token")
	}
}

// Serve answers until its context ends.
func TestServe(t *testing.T) {
	h, _ := newHandler(t, false)
	srv := httptest.NewUnstartedServer(nil)
	ln := srv.Listener
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- webui.Serve(ctx, ln, h) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/api/status")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "api GET /api/status" {
		t.Fatalf("served %q", body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve after cancel = %v", err)
	}
}
