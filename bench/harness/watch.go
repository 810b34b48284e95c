package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/ks3sync/ks3sync/ks3"
)

// WatchPlan configures WatchLatency.
type WatchPlan struct {
	Bin  string
	Work string
	// Files are written one at a time, Spacing apart, into a folder that
	// exists before the daemon starts, and each is timed from its close to
	// the moment its object answers a HEAD.
	Files   int
	Spacing time.Duration
	// NewDirFiles are then written the same way into a folder created by
	// the first of them, which the watcher first reports as a whole.
	NewDirFiles int
	// Burst files are then written as fast as possible into new folders two
	// levels below a new folder, 100 to a folder; all must arrive.
	Burst int
	// Delay and MaxDelay are the pair's watch settings.
	Delay, MaxDelay time.Duration
}

// WatchResult is the outcome of WatchLatency.
type WatchResult struct {
	Latencies []time.Duration
	P50, P95  time.Duration
	Max       time.Duration
	// NewDir are the latencies of the files written into a new folder.
	NewDir    []time.Duration
	NewDirP50 time.Duration
	NewDirP95 time.Duration
	NewDirMax time.Duration
	// BurstSeen is how many of the burst's objects appeared, and BurstTime
	// how long after the last close the last of them appeared.
	Burst, BurstSeen int
	BurstTime        time.Duration
	// BurstFolders is the number of new folders the burst wrote into.
	BurstFolders int
	// BurstPasses counts, by outcome, the passes the daemon ended between
	// the moment it was idle before the burst and the moment it was idle
	// again after it (ks3sync_passes_total on its http listener).
	BurstPasses map[string]int
}

// BurstPassCount is the number of passes of every outcome the burst took.
func (r WatchResult) BurstPassCount() int { return passCount(r.BurstPasses) }

// watchPrefix is where the watch benchmark's objects go.
const watchPrefix = "watch/"

// WatchLatency runs `ks3sync watch` on an empty folder and measures how
// long a closed file takes to become an object, then whether a burst of
// files all arrive.
func WatchLatency(ctx context.Context, env Env, p WatchPlan) (WatchResult, error) {
	c, err := NewClient(env)
	if err != nil {
		return WatchResult{}, err
	}
	if err := EnsureBucket(ctx, c, Bucket); err != nil {
		return WatchResult{}, err
	}
	if err := DeletePrefix(ctx, c, Bucket, watchPrefix); err != nil {
		return WatchResult{}, err
	}
	local := filepath.Join(p.Work, "watch", "local")
	if err := os.RemoveAll(filepath.Dir(local)); err != nil {
		return WatchResult{}, fmt.Errorf("watch benchmark: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(local, "lat"), 0o755); err != nil {
		return WatchResult{}, fmt.Errorf("watch benchmark: %w", err)
	}
	addr, err := freeLoopbackAddr()
	if err != nil {
		return WatchResult{}, fmt.Errorf("watch benchmark: %w", err)
	}
	stop, err := startWatch(env, p, local, addr)
	if err != nil {
		return WatchResult{}, err
	}
	defer stop()
	w := &watchRun{plan: p, client: c, local: local, metrics: "http://" + addr + "/metrics"}
	if _, err := w.writeAndWait(ctx, "ready.bin"); err != nil {
		return WatchResult{}, fmt.Errorf("watch benchmark: daemon not syncing: %w", err)
	}
	return w.measure(ctx)
}

// startWatch starts the daemon, with its status endpoints on httpAddr, and
// returns a function that stops it.
func startWatch(env Env, p WatchPlan, local, httpAddr string) (func(), error) {
	scratch := filepath.Join(p.Work, "watch")
	j := Job{Setting: Default, Local: local, Bucket: Bucket, Prefix: watchPrefix, Scratch: scratch, HTTP: httpAddr}
	cfg, err := writeKS3SyncConfig(env, j, "push", fmt.Sprintf("{delay: %s, max_delay: %s}", p.Delay, p.MaxDelay))
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(p.Work, "logs", env.Server+"-watch.log"))
	if err != nil {
		return nil, fmt.Errorf("start watch: %w", err)
	}
	cmd := exec.Command(p.Bin, "watch", "--config", cfg)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start watch: %w", err)
	}
	return func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		logf.Close()
	}, nil
}

// watchRun is one WatchLatency measurement in progress.
type watchRun struct {
	plan   WatchPlan
	client *ks3.Client
	local  string
	// metrics is the daemon's /metrics URL.
	metrics string
}

// measure times the spaced files, those in a new folder, then the burst.
func (w *watchRun) measure(ctx context.Context) (WatchResult, error) {
	res := WatchResult{Burst: w.plan.Burst}
	var err error
	if res.Latencies, err = w.spaced(ctx, "lat/", w.plan.Files); err != nil {
		return res, err
	}
	res.P50, res.P95, res.Max = Percentile(res.Latencies, 50), Percentile(res.Latencies, 95), Percentile(res.Latencies, 100)
	if res.NewDir, err = w.spaced(ctx, "new/", w.plan.NewDirFiles); err != nil {
		return res, err
	}
	res.NewDirP50, res.NewDirP95, res.NewDirMax = Percentile(res.NewDir, 50), Percentile(res.NewDir, 95), Percentile(res.NewDir, 100)
	before, err := w.settle(ctx)
	if err != nil {
		return res, err
	}
	res.BurstFolders = burstFolders(w.plan.Burst)
	seen, took, err := w.burst(ctx)
	res.BurstSeen, res.BurstTime = seen, took
	if err != nil {
		return res, err
	}
	after, err := w.settle(ctx)
	if err != nil {
		return res, err
	}
	res.BurstPasses = map[string]int{}
	for o, n := range after {
		if d := n - before[o]; d != 0 {
			res.BurstPasses[o] = d
		}
	}
	return res, nil
}

// settle waits until the daemon is idle — nothing queued, no transfer in
// flight and no pass ended for MaxDelay plus a second — and returns its
// pass counts by outcome then.
func (w *watchRun) settle(ctx context.Context) (map[string]int, error) {
	quiet := w.plan.MaxDelay + time.Second
	deadline := time.Now().Add(2 * time.Minute)
	var last daemonMetrics
	var since time.Time
	for {
		m, err := scrapeMetrics(ctx, w.metrics)
		if err != nil {
			return nil, fmt.Errorf("watch benchmark: %w", err)
		}
		now := time.Now()
		if m.Queue > 0 || m.InFlight > 0 || since.IsZero() || passCount(m.Passes) != passCount(last.Passes) {
			since = now
		} else if now.Sub(since) >= quiet {
			return m.Passes, nil
		}
		last = m
		if now.After(deadline) {
			return nil, fmt.Errorf("watch benchmark: daemon not idle after 2 minutes (queue %v, in flight %v)", m.Queue, m.InFlight)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// burstPath is the path of file i of the burst: burst/dNN/eNN/fNNNNN.bin,
// 100 files to a folder two levels below burst/, 10 of them to a folder
// one level below.
func burstPath(i int) string {
	return fmt.Sprintf("burst/d%02d/e%02d/f%05d.bin", i/1000, i/100%10, i)
}

// burstFolders is the number of folders a burst of n files creates, burst/
// itself included.
func burstFolders(n int) int {
	if n <= 0 {
		return 0
	}
	return 1 + (n-1)/1000 + 1 + (n-1)/100 + 1
}

// spaced writes n files under dir, Spacing apart, and returns their
// latencies.
func (w *watchRun) spaced(ctx context.Context, dir string, n int) ([]time.Duration, error) {
	lat := make([]time.Duration, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			lat[i], errs[i] = w.writeAndWait(ctx, fmt.Sprintf("%sf%05d.bin", dir, i))
		})
		time.Sleep(w.plan.Spacing)
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("watch latency: %w", err)
	}
	return lat, nil
}

// writeAndWait writes the file rel and returns the time from its close to
// the first HEAD that finds its object.
func (w *watchRun) writeAndWait(ctx context.Context, rel string) (time.Duration, error) {
	path := filepath.Join(w.local, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return 0, fmt.Errorf("write %s: %w", rel, err)
	}
	if err := os.WriteFile(path, []byte("watch latency "+rel), 0o644); err != nil {
		return 0, fmt.Errorf("write %s: %w", rel, err)
	}
	closed := time.Now()
	deadline := closed.Add(30*time.Second + w.plan.MaxDelay)
	for time.Now().Before(deadline) {
		_, err := w.client.HeadObject(ctx, Bucket, watchPrefix+rel)
		if err == nil {
			return time.Since(closed), nil
		}
		if !ks3.IsNotFound(err) {
			return 0, fmt.Errorf("head %s: %w", rel, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return 0, fmt.Errorf("object %s not visible after %s", rel, time.Since(closed).Round(time.Millisecond))
}

// burst writes plan.Burst files as fast as it can and waits until all of
// them are objects, or a generous deadline passes.
func (w *watchRun) burst(ctx context.Context) (int, time.Duration, error) {
	for i := range w.plan.Burst {
		path := filepath.Join(w.local, filepath.FromSlash(burstPath(i)))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return 0, 0, fmt.Errorf("burst: %w", err)
		}
		if err := os.WriteFile(path, []byte(path), 0o644); err != nil {
			return 0, 0, fmt.Errorf("burst: %w", err)
		}
	}
	closed := time.Now()
	deadline := closed.Add(time.Minute + time.Duration(w.plan.Burst)*10*time.Millisecond)
	for {
		n, err := CountPrefix(ctx, w.client, Bucket, watchPrefix+"burst/")
		if err != nil {
			return 0, 0, err
		}
		if n == w.plan.Burst {
			return n, time.Since(closed), nil
		}
		if time.Now().After(deadline) {
			return n, time.Since(closed), fmt.Errorf("burst: %d of %d objects after %s", n, w.plan.Burst, time.Since(closed).Round(time.Second))
		}
		time.Sleep(250 * time.Millisecond)
	}
}
