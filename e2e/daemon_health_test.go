package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3server"
	"github.com/ks3sync/ks3sync/ks3server/ks3servertest"
)

// webhook is a notification receiver on loopback that records the events.
type webhook struct {
	*httptest.Server
	mu     sync.Mutex
	events []map[string]any
}

func newWebhook(t *testing.T) *webhook {
	w := &webhook{}
	w.Server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		var m map[string]any
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			http.Error(rw, err.Error(), http.StatusBadRequest)
			return
		}
		w.mu.Lock()
		w.events = append(w.events, m)
		w.mu.Unlock()
	}))
	t.Cleanup(w.Close)
	return w
}

// got returns the notified events as "event pair".
func (w *webhook) got() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, m := range w.events {
		out = append(out, fmt.Sprint(m["event"], " ", m["pair"]))
	}
	return out
}

// metric returns the value of one series on /metrics, or -1.
func metric(t *testing.T, addr, series string) float64 {
	t.Helper()
	_, body := httpGet(t, "http://"+addr+"/metrics")
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(body)
	if m == nil {
		return -1
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

// healthz returns /healthz's status and decoded body.
func healthz(t *testing.T, addr string) (int, map[string]any) {
	t.Helper()
	code, body := httpGet(t, "http://"+addr+"/healthz")
	var m map[string]any
	json.Unmarshal([]byte(body), &m)
	return code, m
}

// unhealthyReason returns the reason /healthz gives for pair, or "".
func unhealthyReason(m map[string]any, pair string) (string, string) {
	list, _ := m["unhealthy"].([]any)
	for _, u := range list {
		u, _ := u.(map[string]any)
		if u["pair"] == pair {
			return fmt.Sprint(u["reason"]), fmt.Sprint(u["message"])
		}
	}
	return "", ""
}

// The endpoint goes away under a running watch: /healthz turns 503 naming
// the pair and why, the failure metric rises, the webhook hears of the
// failure; when the endpoint is back, the retry succeeds, /healthz is 200
// again and the webhook hears of the recovery.
func TestDaemonHealthWhenEndpointStops(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("bkt")
	local := filepath.Join(e.dir, "w")
	tree{"a.txt": []byte("a")}.write(t, local)
	addr, hook := freeAddr(t), newWebhook(t)
	cfg := e.writeConfig("h.yaml", fmt.Sprintf(`http: "%s"
notify: {webhook: "%s", after_failures: 1}
pairs:
  - name: w
    local: %s
    bucket: bkt
    watch: {delay: 100ms, max_delay: 1s, rescan: 1h}
`, addr, hook.URL, local))
	e.startWatch(cfg)
	waitFor(t, 30*time.Second, "/readyz and /healthz 200", func() (bool, string) {
		rc, body := httpGet(t, "http://"+addr+"/readyz")
		hc, _ := healthz(t, addr)
		return rc == 200 && hc == 200, body
	})
	// status --json is the daemon's /api/status while it runs.
	var doc struct {
		Source string `json:"source"`
		Pairs  []struct {
			Name string `json:"name"`
		} `json:"pairs"`
	}
	st := e.mustRun(0, "status", "--config", cfg, "--json")
	if err := json.Unmarshal([]byte(st.stdout), &doc); err != nil || doc.Source != "daemon" || len(doc.Pairs) != 1 || doc.Pairs[0].Name != "w" {
		t.Errorf("status --json while the daemon runs: %v, %+v\n%s", err, doc, st)
	}
	_, api := httpGet(t, "http://"+addr+"/api/status")
	var served struct {
		Source string `json:"source"`
		Pairs  []struct {
			Name string `json:"name"`
		} `json:"pairs"`
	}
	if err := json.Unmarshal([]byte(api), &served); err != nil || served.Source != doc.Source || len(served.Pairs) != len(doc.Pairs) {
		t.Errorf("/api/status differs from status --json: %v\n%s", err, api)
	}

	root, srvAddr := e.srv.Root, e.srv.Addr
	if err := e.srv.Close(); err != nil {
		t.Fatal(err)
	}
	writeFile(t, local, "b.txt", []byte("b"))
	waitFor(t, 60*time.Second, "/healthz 503 naming the pair", func() (bool, string) {
		code, m := healthz(t, addr)
		reason, msg := unhealthyReason(m, "w")
		return code == 503 && reason == "endpoint_unreachable" && strings.Contains(msg, "endpoint unreachable"), fmt.Sprint(code, m)
	})
	if v := metric(t, addr, `ks3sync_passes_total{outcome="failed",pair="w"}`); v < 1 {
		t.Errorf("failed passes metric = %v, want at least 1", v)
	}
	if v := metric(t, addr, `ks3sync_healthy{pair="w"}`); v != 0 {
		t.Errorf("healthy metric = %v, want 0", v)
	}
	waitFor(t, 30*time.Second, "the failure notification", func() (bool, string) {
		return slices.Contains(hook.got(), "failure w"), fmt.Sprint(hook.got())
	})

	back, err := ks3server.Start(ks3server.Options{Root: root, NoSync: true,
		Credentials: map[string]string{ks3servertest.AccessKey: ks3servertest.SecretKey}}, srvAddr)
	if err != nil {
		t.Fatalf("restart the server on %s: %v", srvAddr, err)
	}
	t.Cleanup(func() { back.Close() })
	waitFor(t, 90*time.Second, "/healthz 200 again", func() (bool, string) {
		code, m := healthz(t, addr)
		return code == 200, fmt.Sprint(m)
	})
	waitFor(t, 30*time.Second, "the recovery notification", func() (bool, string) {
		return slices.Contains(hook.got(), "recovery w"), fmt.Sprint(hook.got())
	})
	if got, _ := io.ReadAll(strings.NewReader(fmt.Sprint(hook.got()))); strings.Count(string(got), "failure w") != 1 {
		t.Errorf("notifications %s, want one failure", got)
	}
	data, _ := os.ReadFile(filepath.Join(local, "b.txt"))
	if obj, _ := e.getObject("bkt", "b.txt"); string(obj) != string(data) {
		t.Errorf("b.txt was not uploaded after the recovery")
	}
}
