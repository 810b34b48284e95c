package harness

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// daemonMetrics are the figures of a `ks3sync watch` daemon's /metrics
// that the watch case reads, summed over its pairs.
type daemonMetrics struct {
	// Passes counts the passes that ended, by outcome (ok, partial, ...):
	// ks3sync_passes_total.
	Passes map[string]int
	// Queue is ks3sync_queue_depth, InFlight ks3sync_transfers_in_flight.
	Queue, InFlight float64
}

// passCount is the number of passes of every outcome.
func passCount(byOutcome map[string]int) int {
	n := 0
	for _, v := range byOutcome {
		n += v
	}
	return n
}

// scrapeMetrics reads the daemon's metrics from url (http://ADDR/metrics).
func scrapeMetrics(ctx context.Context, url string) (daemonMetrics, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return daemonMetrics{}, fmt.Errorf("scrape %s: %w", url, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return daemonMetrics{}, fmt.Errorf("scrape %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return daemonMetrics{}, fmt.Errorf("scrape %s: %s", url, resp.Status)
	}
	m, err := parseMetrics(resp.Body)
	if err != nil {
		return daemonMetrics{}, fmt.Errorf("scrape %s: %w", url, err)
	}
	return m, nil
}

var outcomeLabel = regexp.MustCompile(`outcome="([^"]*)"`)

// parseMetrics reads the Prometheus text format, keeping the series
// daemonMetrics holds.
func parseMetrics(r io.Reader) (daemonMetrics, error) {
	m := daemonMetrics{Passes: map[string]int{}}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		sep := strings.LastIndexByte(line, ' ')
		if sep < 0 {
			return m, fmt.Errorf("metrics line %q: no value", line)
		}
		series, value := line[:sep], line[sep+1:]
		name, labels, _ := strings.Cut(series, "{")
		switch name {
		case "ks3sync_passes_total", "ks3sync_queue_depth", "ks3sync_transfers_in_flight":
		default:
			continue
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return m, fmt.Errorf("metrics line %q: %w", line, err)
		}
		switch name {
		case "ks3sync_passes_total":
			o := outcomeLabel.FindStringSubmatch(labels)
			if o == nil {
				return m, fmt.Errorf("metrics line %q: no outcome", line)
			}
			m.Passes[o[1]] += int(v)
		case "ks3sync_queue_depth":
			m.Queue += v
		case "ks3sync_transfers_in_flight":
			m.InFlight += v
		}
	}
	return m, sc.Err()
}
