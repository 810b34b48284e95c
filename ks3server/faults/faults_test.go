package faults

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// serve runs a handler that answers 200 "ok" unless in intercepts.
func serve(t *testing.T, in *Injector) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out, handled := in.Intercept(w, r, r.URL.Query().Get("op"), r.URL.Path, "id")
		if !handled {
			io.WriteString(out, "ok")
		}
	}))
	t.Cleanup(func() { in.Close(); srv.Close() })
	return srv
}

// get requests op and returns the status, or 0 for a dropped connection.
func get(t *testing.T, c *http.Client, base, op string) int {
	t.Helper()
	resp, err := c.Get(base + "/b/k?op=" + op)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestKindsMix(t *testing.T) {
	in := New(Fault{Ops: []string{"GetObject"}, Kinds: []Kind{Status(500), Error(503, ""), Reset(0)}})
	srv := serve(t, in)
	seen := map[int]int{}
	for range 60 {
		seen[get(t, srv.Client(), srv.URL, "GetObject")]++
	}
	if seen[500] == 0 || seen[503] == 0 || seen[0] == 0 || seen[200] != 0 {
		t.Errorf("answers to 60 failing requests: %v, want a mix of 500, 503 and dropped connections", seen)
	}
	if got := get(t, srv.Client(), srv.URL, "PutObject"); got != 200 {
		t.Errorf("an operation the fault does not name: %d", got)
	}
}

func TestHangUntilClose(t *testing.T) {
	in := New(Fault{Kinds: []Kind{Hang()}})
	srv := serve(t, in)
	done := make(chan int, 1)
	go func() { done <- get(t, srv.Client(), srv.URL, "GetObject") }()
	select {
	case got := <-done:
		t.Fatalf("a hung request was answered: %d", got)
	case <-time.After(200 * time.Millisecond):
	}
	in.Close()
	select {
	case got := <-done:
		if got != 0 {
			t.Errorf("a released hung request got status %d, want a dropped connection", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not release a hung request")
	}
}

func TestErrorDocument(t *testing.T) {
	in := New(Fault{Count: 1, Kinds: []Kind{Error(http.StatusServiceUnavailable, "")}})
	srv := serve(t, in)
	resp, err := srv.Client().Get(srv.URL + "/b/k")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 503 || !strings.Contains(string(body), "<Code>SlowDown</Code>") || !strings.Contains(string(body), "<Resource>/b/k</Resource>") {
		t.Errorf("status %d, body %s", resp.StatusCode, body)
	}
	if got := get(t, srv.Client(), srv.URL, ""); got != 200 {
		t.Errorf("after its one failure the fault still fires: %d", got)
	}
}
