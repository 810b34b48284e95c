package e2e

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// BenchmarkDeviceLatency measures, through the real binary, how long a
// file written on one device takes to arrive on another, with two watch
// daemons on one prefix (direction both) and the default settings
// (remote_poll 30s, the default watch delays). Each change is made at a
// random moment of the other device's poll cycle. It reports the median
// and the 95th percentile in seconds.
//
//	go test ./e2e -run XXX -bench DeviceLatency -benchtime 20x -timeout 30m
func BenchmarkDeviceLatency(b *testing.B) {
	e := newEnv(b)
	e.mkBucket("bkt")
	roots := make([]string, 2)
	for i := range roots {
		roots[i] = filepath.Join(e.dir, fmt.Sprintf("dev%d", i))
		os.MkdirAll(roots[i], 0o755)
		cfg := e.writeConfig(fmt.Sprintf("dev%d.yaml", i), fmt.Sprintf(`device: dev%d
pairs:
  - name: m
    local: %s
    bucket: bkt
    prefix: m/
    direction: both
    delete: propagate
`, i, roots[i]))
		e.startWatch(cfg)
	}
	time.Sleep(2 * time.Second) // both daemons past their first pass
	var took []float64
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		time.Sleep(time.Duration(rand.Int64N(int64(30 * time.Second))))
		b.StartTimer()
		rel := fmt.Sprintf("f%03d.txt", i)
		want := fmt.Sprintf("change %d", i)
		start := time.Now()
		if err := os.WriteFile(filepath.Join(roots[0], rel), []byte(want), 0o644); err != nil {
			b.Fatal(err)
		}
		for {
			if data, err := os.ReadFile(filepath.Join(roots[1], rel)); err == nil && string(data) == want {
				break
			}
			if time.Since(start) > 5*time.Minute {
				b.Fatalf("%s never arrived on the other device", rel)
			}
			time.Sleep(20 * time.Millisecond)
		}
		took = append(took, time.Since(start).Seconds())
	}
	b.StopTimer()
	slices.Sort(took)
	b.ReportMetric(took[len(took)/2], "p50-s")
	b.ReportMetric(took[(len(took)*95+99)/100-1], "p95-s")
	b.ReportMetric(took[len(took)-1], "max-s")
}
