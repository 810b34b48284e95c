package notify

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// hook is a webhook that answers the statuses in turn (200 after the last)
// and records the bodies it received.
type hook struct {
	mu       sync.Mutex
	statuses []int
	bodies   []Message
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var m Message
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil || r.Header.Get("Content-Type") != "application/json" {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.bodies = append(h.bodies, m)
	status := http.StatusOK
	if len(h.statuses) > 0 {
		status, h.statuses = h.statuses[0], h.statuses[1:]
	}
	w.WriteHeader(status)
}

func (h *hook) received() []Message {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Message(nil), h.bodies...)
}

func newTest(t *testing.T, opts Options) (*Notifier, *strings.Builder) {
	t.Helper()
	var logs strings.Builder
	opts.Backoff = time.Millisecond
	opts.Host = "host1"
	opts.Logger = zerolog.New(&logs)
	n, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return n, &logs
}

// deliverAll runs n until its queue is empty and every message handled.
func deliverAll(n *Notifier) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n.Run(ctx) // a done context: drains the queue, then returns
}

// A webhook that fails with 5xx is retried with backoff until it accepts;
// a 4xx is final.
func TestWebhookRetries(t *testing.T) {
	h := &hook{statuses: []int{503, 500}}
	srv := httptest.NewServer(h)
	defer srv.Close()
	n, logs := newTest(t, Options{Webhook: srv.URL})
	n.Notify(Message{Event: Failure, Pair: "docs", Error: "connection refused", ConsecutiveFailures: 3})
	deliverAll(n)
	got := h.received()
	if len(got) != 3 || got[2].Event != Failure || got[2].Pair != "docs" || got[2].Host != "host1" || got[2].Time.IsZero() {
		t.Fatalf("received %+v, want the failure three times", got)
	}
	if strings.Contains(logs.String(), "not delivered") {
		t.Fatalf("logged a failure: %s", logs)
	}

	h.statuses = []int{404}
	n.Notify(Message{Event: Recovery, Pair: "docs"})
	deliverAll(n)
	if len(h.received()) != 4 || !strings.Contains(logs.String(), "404") {
		t.Fatalf("a 404 was retried or not logged: %d bodies, logs %s", len(h.received()), logs)
	}
}

// Retries are bounded: a webhook that keeps failing gets Attempts tries.
func TestWebhookGivesUp(t *testing.T) {
	h := &hook{statuses: []int{500, 500, 500, 500, 500}}
	srv := httptest.NewServer(h)
	defer srv.Close()
	n, logs := newTest(t, Options{Webhook: srv.URL, Attempts: 3})
	n.Notify(Message{Event: Conflict, Pair: "docs", Path: "a.txt"})
	deliverAll(n)
	if len(h.received()) != 3 || !strings.Contains(logs.String(), "after 3 attempts") {
		t.Fatalf("%d attempts, logs %s", len(h.received()), logs)
	}
}

// The command gets the message on stdin and the event in its environment.
func TestCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	n, logs := newTest(t, Options{Command: []string{"sh", "-c", `{ echo "$KS3SYNC_EVENT $KS3SYNC_PAIR"; cat; } > "$0"`, out}})
	n.Notify(Message{Event: Refused, Pair: "docs", Proceed: "ks3sync run --pair docs --max-delete 3"})
	deliverAll(n)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("%v; logs %s", err, logs)
	}
	first, body, _ := strings.Cut(string(b), "\n")
	var m Message
	if first != "refused docs" || json.Unmarshal([]byte(body), &m) != nil || m.Proceed == "" {
		t.Fatalf("the command got %q", b)
	}

	failing, logs := newTest(t, Options{Command: []string{"sh", "-c", "echo no route >&2; exit 3"}, Attempts: 2})
	failing.Notify(Message{Event: Failure})
	deliverAll(failing)
	if !strings.Contains(logs.String(), "exit status 3: no route") {
		t.Fatalf("logs %s", logs)
	}
}

// Notify never blocks: past the queue's size, messages are dropped with a
// log line.
func TestNotifyDropsWhenFull(t *testing.T) {
	n, logs := newTest(t, Options{Webhook: "http://127.0.0.1:1/", QueueSize: 2})
	for range 5 {
		n.Notify(Message{Event: Conflict, Pair: "docs"})
	}
	if got := strings.Count(logs.String(), "notification dropped"); got != 3 {
		t.Fatalf("%d dropped, want 3; logs %s", got, logs)
	}
}

func TestNewChecksTargets(t *testing.T) {
	for _, opts := range []Options{{}, {Webhook: "ftp://x"}, {Webhook: "not a url"}} {
		if _, err := New(opts); err == nil {
			t.Errorf("New(%+v) succeeded", opts)
		}
	}
}

var _ io.Writer = (*strings.Builder)(nil)
