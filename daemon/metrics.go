package daemon

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ks3sync/ks3sync/state"
	"github.com/ks3sync/ks3sync/syncer"
)

// Metrics exposes the daemon's health in the Prometheus format.
type Metrics struct {
	reg      *prometheus.Registry
	objects  *prometheus.CounterVec
	bytes    *prometheus.CounterVec
	errors   *prometheus.CounterVec
	mu       sync.Mutex
	lastFull map[string]time.Time
	now      func() time.Time
}

// NewMetrics registers ks3sync's metrics. Queue depth and the age of the
// oldest pending change are read from db at scrape time.
func NewMetrics(db *state.DB, now func() time.Time) *Metrics {
	if now == nil {
		now = time.Now
	}
	m := &Metrics{
		reg:      prometheus.NewRegistry(),
		lastFull: make(map[string]time.Time),
		now:      now,
		objects: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ks3sync_objects_transferred_total", Help: "Objects uploaded, downloaded or deleted.",
		}, []string{"pair", "action"}),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ks3sync_bytes_transferred_total", Help: "Bytes of finished uploads and downloads.",
		}, []string{"pair", "direction"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ks3sync_errors_total", Help: "Items that failed.",
		}, []string{"pair"}),
	}
	m.reg.MustRegister(m.objects, m.bytes, m.errors)
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "ks3sync_queue_depth", Help: "Local changes waiting to be synced.",
	}, func() float64 {
		n, _, err := db.DirtyStats(context.Background(), "")
		if err != nil {
			return -1
		}
		return float64(n)
	}))
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "ks3sync_oldest_pending_seconds", Help: "Age of the oldest change waiting to be synced (0 when none).",
	}, func() float64 {
		n, oldest, err := db.DirtyStats(context.Background(), "")
		if err != nil || n == 0 {
			return 0
		}
		return m.now().Sub(oldest).Seconds()
	}))
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "ks3sync_seconds_since_full_reconcile", Help: "Seconds since the oldest of the pairs' last full reconcile (-1 before the first).",
	}, m.sinceFull))
	m.reg.MustRegister(prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

func (m *Metrics) sinceFull() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.lastFull) == 0 {
		return -1
	}
	oldest := m.now()
	for _, t := range m.lastFull {
		if t.Before(oldest) {
			oldest = t
		}
	}
	return m.now().Sub(oldest).Seconds()
}

func (m *Metrics) reconciled(pair string, at time.Time) {
	m.mu.Lock()
	m.lastFull[pair] = at
	m.mu.Unlock()
}

// Observe counts a syncer event; chain it into syncer.Options.Report.
func (m *Metrics) Observe(ev syncer.Event) {
	switch ev.Kind {
	case syncer.EventUpload:
		m.objects.WithLabelValues(ev.Pair, "upload").Inc()
		m.bytes.WithLabelValues(ev.Pair, "up").Add(float64(ev.Size))
	case syncer.EventDownload, syncer.EventConflict:
		m.objects.WithLabelValues(ev.Pair, "download").Inc()
		m.bytes.WithLabelValues(ev.Pair, "down").Add(float64(ev.Size))
	case syncer.EventDeleteRemote, syncer.EventDeleteLocal:
		m.objects.WithLabelValues(ev.Pair, "delete").Inc()
	case syncer.EventError:
		m.errors.WithLabelValues(ev.Pair).Inc()
	}
}

// Handler serves /metrics and /healthz.
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	return mux
}

// Serve serves the metrics on ln until ctx is done.
func (m *Metrics) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: m.Handler(), ReadHeaderTimeout: 5 * time.Second}
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
