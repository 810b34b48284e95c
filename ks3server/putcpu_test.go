package ks3server

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/ks3sync/ks3sync/bench/harness"
	"github.com/ks3sync/ks3sync/ks3"
)

// benchChildEnv names the root a child process serves, with the durable
// defaults and the real clock, when the test binary runs as the server of
// BenchmarkPutCPU.
const benchChildEnv = "KS3SERVER_BENCH_CHILD_ROOT"

// runBenchChild serves root with fsync on, prints its address and serves
// until killed.
func runBenchChild(root string) {
	r, err := Start(Options{Root: root, Credentials: map[string]string{testAK: testSK}}, "")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Printf("listening %s\n", r.Addr)
	select {}
}

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
	pid, url := startBenchChild(b)
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

// startBenchChild runs the test binary as a server over a fresh root and
// returns its pid and URL; the child is killed when b ends.
func startBenchChild(b *testing.B) (int, string) {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), benchChildEnv+"="+b.TempDir())
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Fatalf("child did not report its address: %v", err)
	}
	return cmd.Process.Pid, "http://" + strings.TrimSpace(strings.TrimPrefix(line, "listening "))
}
