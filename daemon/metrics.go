package daemon

import (
	"maps"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ks3sync/ks3sync/syncer"
)

// metric descriptions, all per pair.
var (
	descPasses = prometheus.NewDesc("ks3sync_passes_total",
		"Passes by outcome (ok, partial, failed, refused, interrupted).", []string{"pair", "outcome"}, nil)
	descTransferErrors = prometheus.NewDesc("ks3sync_transfer_errors_total",
		"Items that failed, by kind of error.", []string{"pair", "kind"}, nil)
	descLastSuccess = prometheus.NewDesc("ks3sync_last_success_timestamp_seconds",
		"When the last pass that ran to its end finished (Unix time; 0 before the first).", []string{"pair"}, nil)
	descLastFull = prometheus.NewDesc("ks3sync_last_full_reconcile_timestamp_seconds",
		"When the last successful full reconcile finished (Unix time; 0 before the first).", []string{"pair"}, nil)
	descSinceFull = prometheus.NewDesc("ks3sync_seconds_since_full_reconcile",
		"Seconds since the last successful full reconcile (-1 before the first).", []string{"pair"}, nil)
	descConflicts = prometheus.NewDesc("ks3sync_conflicts_total",
		"Files changed on both sides, kept as two copies.", []string{"pair"}, nil)
	descObjects = prometheus.NewDesc("ks3sync_objects_transferred_total",
		"Files transferred, by direction (up, down).", []string{"pair", "direction"}, nil)
	descBytes = prometheus.NewDesc("ks3sync_bytes_transferred_total",
		"Bytes of finished transfers, by direction (up, down).", []string{"pair", "direction"}, nil)
	descDeleted = prometheus.NewDesc("ks3sync_objects_deleted_total",
		"Files deleted, by side (remote, local).", []string{"pair", "side"}, nil)
	descQueue = prometheus.NewDesc("ks3sync_queue_depth",
		"Local changes waiting to be synced.", []string{"pair"}, nil)
	descOldest = prometheus.NewDesc("ks3sync_oldest_pending_seconds",
		"Age of the oldest change waiting to be synced (0 when none).", []string{"pair"}, nil)
	descResumed = prometheus.NewDesc("ks3sync_resumed_parts_total",
		"Parts of interrupted uploads that did not have to be sent again.", []string{"pair"}, nil)
	descFailing = prometheus.NewDesc("ks3sync_consecutive_failures",
		"Failed or refused passes since the last success.", []string{"pair"}, nil)
	descHealthy = prometheus.NewDesc("ks3sync_healthy",
		"1 when the pair is healthy (see /healthz), else 0.", []string{"pair"}, nil)
	descInFlight = prometheus.NewDesc("ks3sync_transfers_in_flight",
		"Transfers in progress.", []string{"pair"}, nil)
	descPaused = prometheus.NewDesc("ks3sync_paused",
		"1 while the pair is paused from the status page, else 0.", []string{"pair"}, nil)
)

// collector exposes the monitor's snapshots to Prometheus.
type collector struct{ m *Monitor }

var _ prometheus.Collector = collector{}

// Describe implements prometheus.Collector.
func (collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descPasses, descTransferErrors, descLastSuccess, descLastFull, descSinceFull,
		descConflicts, descObjects, descBytes, descDeleted, descQueue, descOldest, descResumed, descFailing, descHealthy, descInFlight, descPaused} {
		ch <- d
	}
}

// Collect implements prometheus.Collector from the latest snapshot.
func (c collector) Collect(ch chan<- prometheus.Metric) {
	s := c.m.Snapshot()
	for i := range s.Pairs {
		collectPair(ch, &s.Pairs[i], s.GeneratedAt)
	}
}

var outcomes = []syncer.Outcome{syncer.OutcomeOK, syncer.OutcomePartial, syncer.OutcomeFailed, syncer.OutcomeRefused, syncer.OutcomeInterrupted}

func collectPair(ch chan<- prometheus.Metric, p *PairStatus, now time.Time) {
	counter := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, append([]string{p.Name}, labels...)...)
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, append([]string{p.Name}, labels...)...)
	}
	t := p.Totals
	for _, o := range outcomes {
		counter(descPasses, float64(t.Passes[o]), string(o))
	}
	kinds := slices.Sorted(maps.Keys(t.TransferErrors))
	for _, k := range kinds {
		counter(descTransferErrors, float64(t.TransferErrors[k]), k)
	}
	counter(descConflicts, float64(t.Conflicts))
	counter(descObjects, float64(t.UploadedFiles), "up")
	counter(descObjects, float64(t.DownloadedFiles), "down")
	counter(descBytes, float64(t.UploadedBytes), "up")
	counter(descBytes, float64(t.DownloadedBytes), "down")
	counter(descDeleted, float64(t.DeletedRemote), "remote")
	counter(descDeleted, float64(t.DeletedLocal), "local")
	counter(descResumed, float64(t.ResumedParts))
	gauge(descLastSuccess, unixOrZero(p.LastSuccessAt))
	gauge(descLastFull, unixOrZero(p.LastFullAt))
	since := -1.0
	if p.LastFullAt != nil {
		since = now.Sub(*p.LastFullAt).Seconds()
	}
	gauge(descSinceFull, since)
	gauge(descQueue, float64(p.Queue.Depth))
	oldest := 0.0
	if p.Queue.OldestAt != nil {
		oldest = now.Sub(*p.Queue.OldestAt).Seconds()
	}
	gauge(descOldest, oldest)
	gauge(descFailing, float64(p.ConsecutiveFailures))
	gauge(descHealthy, boolFloat(p.Health.Healthy))
	gauge(descInFlight, float64(len(p.InFlight)))
	gauge(descPaused, boolFloat(p.Paused))
}

func unixOrZero(t *time.Time) float64 {
	if t == nil {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
