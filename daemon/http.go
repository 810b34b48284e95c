package daemon

import (
	"encoding/json"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Handler serves the monitor over HTTP:
//
//	/healthz     200 {"status":"ok"} when every pair is healthy, else 503
//	             {"status":"unhealthy","unhealthy":[{"pair","reason","message"}]}
//	/readyz      200 {"status":"ready"} once every pair's first reconcile
//	             succeeded, else 503 {"status":"starting","waiting":[pairs]}
//	/metrics     Prometheus metrics per pair
//	/api/status  the Status document
func (m *Monitor) Handler() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collector{m}, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", m.serveHealth)
	mux.HandleFunc("GET /readyz", m.serveReady)
	mux.HandleFunc("GET /api/status", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, m.Snapshot())
	})
	return mux
}

// healthBody is the body of /healthz.
type healthBody struct {
	Status    string          `json:"status"`
	Unhealthy []unhealthyPair `json:"unhealthy,omitempty"`
}

type unhealthyPair struct {
	Pair    string `json:"pair"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

func (m *Monitor) serveHealth(w http.ResponseWriter, _ *http.Request) {
	s := m.Snapshot()
	if s.Healthy {
		writeJSON(w, http.StatusOK, healthBody{Status: "ok"})
		return
	}
	body := healthBody{Status: "unhealthy", Unhealthy: []unhealthyPair{}}
	for _, p := range s.Pairs {
		if !p.Health.Healthy {
			body.Unhealthy = append(body.Unhealthy, unhealthyPair{Pair: p.Name, Reason: p.Health.Reason, Message: p.Health.Message})
		}
	}
	writeJSON(w, http.StatusServiceUnavailable, body)
}

// readyBody is the body of /readyz.
type readyBody struct {
	Status  string   `json:"status"`
	Waiting []string `json:"waiting,omitempty"`
}

func (m *Monitor) serveReady(w http.ResponseWriter, _ *http.Request) {
	s := m.Snapshot()
	if s.Ready {
		writeJSON(w, http.StatusOK, readyBody{Status: "ready"})
		return
	}
	body := readyBody{Status: "starting", Waiting: []string{}}
	for _, p := range s.Pairs {
		if p.LastFullAt == nil {
			body.Waiting = append(body.Waiting, p.Name)
		}
	}
	writeJSON(w, http.StatusServiceUnavailable, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}
