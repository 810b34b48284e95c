package ks3server

import (
	"bytes"
	"fmt"
	"sync/atomic"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/ks3sync/ks3sync/bench/harness"
	"github.com/ks3sync/ks3sync/ks3"
)

// putCPUWorkers is the number of concurrent PUTs, as a sync tool with 16
// transfers sends them.
const putCPUWorkers = 16

// BenchmarkPutCPU measures the CPU time the server process spends per small
// PUT (1 to 4 KiB, 16 in flight), with the durable defaults. The server
// runs in a child process so that the client's CPU is not counted; its CPU
// time comes from /proc, as bench/harness reads it. Run it with
// -benchtime=10000x: the server-cpu-s/10k metric is then directly the
// figure BENCHMARKS.md records.
func BenchmarkPutCPU(b *testing.B) {
	cmd, url := startChild(b, b.TempDir())
	pid := cmd.Process.Pid
	c, err := ks3.New(ks3.Options{Endpoint: url, AccessKey: testAK, SecretKey: testSK})
	if err != nil {
		b.Fatal(err)
	}
	if err := c.CreateBucket(b.Context(), "bench", ks3.CreateBucketOptions{}); err != nil {
		b.Fatal(err)
	}
	before, err := harness.ProcessCPU(pid)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var next atomic.Int64
	g, ctx := errgroup.WithContext(b.Context())
	for range putCPUWorkers {
		g.Go(func() error {
			for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
				body := bytes.Repeat([]byte{byte(i)}, 1024+int(i%4)*1024)
				if _, err := c.PutObject(ctx, "bench", fmt.Sprintf("d%02d/f%06d", i%50, i), bytes.NewReader(body), int64(len(body)), ks3.PutOptions{}); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	after, err := harness.ProcessCPU(pid)
	if err != nil {
		b.Fatal(err)
	}
	cpu := (after - before).Seconds()
	b.ReportMetric(cpu*10000/float64(b.N), "server-cpu-s/10k")
	b.ReportMetric(cpu*1e6/float64(b.N), "server-cpu-µs/put")
}
