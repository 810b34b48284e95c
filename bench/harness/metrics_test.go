package harness

import (
	"maps"
	"strings"
	"testing"
)

// A scrape as `ks3sync watch` serves it (daemon/metrics.go), trimmed.
const sampleMetrics = `# HELP ks3sync_passes_total Passes by outcome (ok, partial, failed, refused, interrupted).
# TYPE ks3sync_passes_total counter
ks3sync_passes_total{outcome="failed",pair="bench"} 1
ks3sync_passes_total{outcome="interrupted",pair="bench"} 0
ks3sync_passes_total{outcome="ok",pair="bench"} 17
ks3sync_passes_total{outcome="partial",pair="bench"} 0
ks3sync_passes_total{outcome="refused",pair="bench"} 0
# HELP ks3sync_queue_depth Local changes waiting to be synced.
# TYPE ks3sync_queue_depth gauge
ks3sync_queue_depth{pair="bench"} 3
# HELP ks3sync_transfers_in_flight Transfers in progress.
# TYPE ks3sync_transfers_in_flight gauge
ks3sync_transfers_in_flight{pair="bench"} 2
# HELP ks3sync_bytes_transferred_total Bytes of finished transfers, by direction (up, down).
# TYPE ks3sync_bytes_transferred_total counter
ks3sync_bytes_transferred_total{direction="up",pair="bench"} 1.2345e+06
go_goroutines 42
`

func TestParseMetrics(t *testing.T) {
	m, err := parseMetrics(strings.NewReader(sampleMetrics))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"failed": 1, "interrupted": 0, "ok": 17, "partial": 0, "refused": 0}
	if !maps.Equal(m.Passes, want) {
		t.Errorf("passes = %v, want %v", m.Passes, want)
	}
	if passCount(m.Passes) != 18 {
		t.Errorf("pass count = %d, want 18", passCount(m.Passes))
	}
	if m.Queue != 3 || m.InFlight != 2 {
		t.Errorf("queue %v, in flight %v; want 3, 2", m.Queue, m.InFlight)
	}
}

func TestParseMetricsRejectsBadValue(t *testing.T) {
	_, err := parseMetrics(strings.NewReader(`ks3sync_passes_total{outcome="ok",pair="bench"} many` + "\n"))
	if err == nil {
		t.Fatal("no error for a value that is not a number")
	}
}
