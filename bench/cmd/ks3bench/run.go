package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ks3sync/ks3sync/bench/harness"
)

// credentials are the benchmark server's only key pair.
var credentials = harness.Credentials{AccessKey: "BENCHACCESSKEY", SecretKey: "bench-secret-key-0123456789"}

// report is everything a run measured.
type report struct {
	Machine   []string          `json:"machine"`
	Samples   []harness.Sample  `json:"samples"`
	Summaries []harness.Summary `json:"summaries"`
	// Watch and Memory are keyed by server.
	Watch  map[string]harness.WatchResult `json:"watch,omitempty"`
	Memory map[string][]harness.MemoryRow `json:"memory,omitempty"`
}

// dataset locations under the work folder.
type dataset struct {
	small, large, many string
	smallSpec          harness.TreeSpec
	// mem are the memory case's trees, smallest first.
	mem []harness.MemoryTree
}

func run(ctx context.Context, o options) (*report, error) {
	for _, d := range []string{"logs", "data", "runs"} {
		if err := os.MkdirAll(filepath.Join(o.work, d), 0o755); err != nil {
			return nil, fmt.Errorf("prepare %s: %w", o.work, err)
		}
	}
	rep := &report{Machine: describeMachine(ctx, o)}
	printMachine(rep.Machine)
	data, err := generate(ctx, o)
	if err != nil {
		return nil, err
	}
	for _, srv := range servers(o) {
		if err := runServer(ctx, o, srv, data, rep); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// server is one server every case runs against.
type server struct {
	name      string
	signature string
	start     func(ctx context.Context, root, logPath string) (*harness.Server, error)
}

// servers lists `ks3sync serve` and, when -versitygw names a binary,
// versitygw, which ks3sync reaches with SigV4.
func servers(o options) []server {
	out := []server{{name: harness.ServerKS3Sync, start: func(ctx context.Context, root, logPath string) (*harness.Server, error) {
		return harness.StartServer(ctx, o.ks3sync, root, logPath, credentials, harness.ServeOptions{})
	}}}
	if o.versitygw != "" {
		out = append(out, server{name: harness.ServerVersityGW, signature: "v4", start: func(ctx context.Context, root, logPath string) (*harness.Server, error) {
			return harness.StartVersityGW(ctx, o.versitygw, root, logPath, credentials)
		}})
	}
	return out
}

// runServer starts srv over a fresh root and runs every selected case
// against it.
func runServer(ctx context.Context, o options, srv server, data dataset, rep *report) error {
	root := filepath.Join(o.work, "server-"+srv.name)
	if err := os.RemoveAll(root); err != nil {
		return fmt.Errorf("clean %s: %w", root, err)
	}
	s, err := srv.start(ctx, root, filepath.Join(o.work, "logs", srv.name+".log"))
	if err != nil {
		return err
	}
	defer s.Stop()
	fmt.Printf("\n# Server: %s at %s\n\n", srv.name, s.Endpoint)
	env := harness.Env{Server: srv.name, Endpoint: s.Endpoint, Cred: credentials, Signature: srv.signature, ServerPID: s.PID()}
	if err := runTimed(ctx, o, env, data, rep); err != nil {
		return err
	}
	if err := runWatch(ctx, o, env, rep); err != nil {
		return err
	}
	err = runMemory(ctx, o, env, data, rep)
	// Removing the root between servers keeps the disk of the second one as
	// empty as the first one's.
	if serr := s.Stop(); serr != nil && err == nil {
		err = serr
	}
	if rerr := os.RemoveAll(root); rerr != nil && err == nil {
		err = fmt.Errorf("clean %s: %w", root, rerr)
	}
	return err
}

// generate writes the data sets the selected cases need.
func generate(ctx context.Context, o options) (dataset, error) {
	base := filepath.Join(o.work, "data")
	d := dataset{
		small: filepath.Join(base, "small"), large: filepath.Join(base, "large"),
		many:      filepath.Join(base, "many"),
		smallSpec: harness.TreeSpec{Files: o.small, PerDir: 100, MinSize: 1 << 10, MaxSize: 64 << 10, Seed: 1},
	}
	type spec struct {
		dir   string
		spec  harness.TreeSpec
		cases []string
	}
	specs := []spec{
		{d.small, d.smallSpec, []string{"upload-small", "download-small"}},
		{d.large, harness.TreeSpec{Files: 1, PerDir: 1, MinSize: o.largeMiB << 20, MaxSize: o.largeMiB << 20, Seed: 2}, []string{"upload-large", "upload-large-encrypted"}},
		{d.many, harness.TreeSpec{Files: o.many, PerDir: 1000, MinSize: 1, MaxSize: 1 << 10, Seed: 3}, []string{"noop-rerun"}},
	}
	// Empty files: a million of them cost inodes and folder entries, no data
	// blocks.
	for _, n := range o.memFiles {
		t := harness.MemoryTree{Files: n, Dir: filepath.Join(base, fmt.Sprintf("mem-%d", n))}
		d.mem = append(d.mem, t)
		specs = append(specs, spec{t.Dir, harness.TreeSpec{Files: n, PerDir: 1000, Seed: 4}, []string{"memory"}})
	}
	for _, s := range specs {
		if !slices.ContainsFunc(s.cases, func(c string) bool { return slices.Contains(o.cases, c) }) {
			continue
		}
		start := time.Now()
		if err := harness.Generate(ctx, s.dir, s.spec); err != nil {
			return d, err
		}
		fmt.Printf("data %-40s %7d files  ready in %s\n", s.dir, s.spec.Files, time.Since(start).Round(time.Millisecond))
	}
	return d, nil
}

// runTimed runs the side-by-side cases and prints their tables.
func runTimed(ctx context.Context, o options, env harness.Env, d dataset, rep *report) error {
	var cases []harness.Case
	for _, c := range []harness.Case{harness.UploadSmall, harness.UploadLarge, harness.UploadLargeEncrypted, harness.NoopRerun, harness.DownloadSmall} {
		if slices.Contains(o.cases, string(c)) {
			cases = append(cases, c)
		}
	}
	if len(cases) == 0 {
		return nil
	}
	peers, err := peerTools(ctx, o)
	if err != nil {
		return err
	}
	plan := harness.Plan{
		KS3Sync: harness.KS3Sync{Bin: o.ks3sync}, Peers: peers, Cases: cases,
		Reps: o.reps, Concurrency: o.concurrency,
		Small: d.small, SmallSpec: d.smallSpec, LargeFile: filepath.Join(d.large, "d0000", "f0000000.bin"), Many: d.many,
		Skip: o.skip, Work: o.work, Progress: os.Stdout,
	}
	samples, err := harness.Run(ctx, plan, env)
	rep.Samples = append(rep.Samples, samples...)
	rep.Summaries = harness.Summarize(rep.Samples)
	sums := harness.OfServer(rep.Summaries, env.Server)
	fmt.Printf("\n## %s: medians of %d runs (CPU and peak RSS of the tool; server CPU of %s)\n\n", env.Server, o.reps, env.Server)
	harness.WriteMedians(os.Stdout, sums)
	fmt.Printf("\n## %s: ratio ks3sync/peer (median wall time; below 1 means ks3sync is faster)\n\n", env.Server)
	harness.WriteRatios(os.Stdout, sums, "ks3sync")
	fmt.Printf("\n## %s: server CPU per PUT\n\n", env.Server)
	harness.WriteServerCost(os.Stdout, sums, harness.UploadSmall, d.smallSpec.Files)
	if slices.Contains(cases, harness.UploadLargeEncrypted) {
		fmt.Printf("\n## %s: encrypted upload\n\n", env.Server)
		harness.WriteEncryptedRate(os.Stdout, sums, "ks3sync", o.largeMiB<<20, harness.CBCRate())
	}
	return err
}

// peerTools builds the peers, naming each rclone by its version.
func peerTools(ctx context.Context, o options) ([]harness.Tool, error) {
	var out []harness.Tool
	for _, bin := range o.rclone {
		v, err := rcloneVersion(ctx, bin)
		if err != nil {
			return nil, err
		}
		out = append(out, harness.Rclone{Bin: bin, Label: "rclone-" + v})
	}
	if o.aws != "" {
		out = append(out, harness.AWSCLI{Bin: o.aws})
	}
	return out, nil
}

// runWatch measures the watch latency and the burst.
func runWatch(ctx context.Context, o options, env harness.Env, rep *report) error {
	if !slices.Contains(o.cases, "watch") {
		return nil
	}
	res, err := harness.WatchLatency(ctx, env, harness.WatchPlan{
		Bin: o.ks3sync, Work: o.work, Files: o.watchFiles, NewDirFiles: max(o.watchFiles/10, 2), Spacing: 100 * time.Millisecond,
		Burst: o.watchBurst, Delay: o.watchDelay, MaxDelay: o.watchMax,
	})
	if err != nil {
		return err
	}
	if rep.Watch == nil {
		rep.Watch = map[string]harness.WatchResult{}
	}
	rep.Watch[env.Server] = res
	fmt.Printf("\n## %s: watch (delay %s, max_delay %s)\n\n", env.Server, o.watchDelay, o.watchMax)
	fmt.Printf("close -> object visible over %d files in an existing folder, 100 ms apart: p50 %s, p95 %s, max %s (target p95 < %s)\n",
		len(res.Latencies), res.P50.Round(time.Millisecond), res.P95.Round(time.Millisecond), res.Max.Round(time.Millisecond), o.watchDelay+500*time.Millisecond)
	fmt.Printf("the same into a new folder, %d files: p50 %s, p95 %s, max %s\n",
		len(res.NewDir), res.NewDirP50.Round(time.Millisecond), res.NewDirP95.Round(time.Millisecond), res.NewDirMax.Round(time.Millisecond))
	fmt.Printf("burst of %d files into %d new folders (burst/dNN/eNN/, 100 files to a folder): %d objects, the last %s after the last close; passes: %d%s\n",
		res.Burst, res.BurstFolders, res.BurstSeen, res.BurstTime.Round(time.Millisecond), res.BurstPassCount(), outcomeList(res.BurstPasses))
	return nil
}

// outcomeList spells out pass counts by outcome, " (ok 3, failed 1)", or
// "" when there are none.
func outcomeList(byOutcome map[string]int) string {
	var parts []string
	for _, o := range slices.Sorted(maps.Keys(byOutcome)) {
		parts = append(parts, fmt.Sprintf("%s %d", o, byOutcome[o]))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// runMemory measures the memory case's passes over every tree: the dry run
// against env's server and, on ks3sync serve, the passes over a bucket
// seeded with `serve --import`.
func runMemory(ctx context.Context, o options, env harness.Env, d dataset, rep *report) error {
	if !slices.Contains(o.cases, "memory") {
		return nil
	}
	var rows []harness.MemoryRow
	for _, t := range d.mem {
		row, err := harness.DryRunMemory(ctx, env, o.ks3sync, o.work, t)
		if err != nil {
			return err
		}
		fmt.Printf("memory %9d files  %-10s  wall %7.2fs  cpu %7.2fs  rss %6.0f MiB\n", row.Files, row.Pass, row.WallSec, row.CPUSec, row.RSSMiB)
		rows = append(rows, row)
	}
	var err error
	if env.Server == harness.ServerKS3Sync {
		var seeded []harness.MemoryRow
		seeded, err = harness.SeededMemory(ctx, harness.SeededPlan{Bin: o.ks3sync, Work: o.work, Cred: credentials, Trees: d.mem, Progress: os.Stdout})
		rows = append(rows, seeded...)
	}
	if rep.Memory == nil {
		rep.Memory = map[string][]harness.MemoryRow{}
	}
	rep.Memory[env.Server] = rows
	printMemory(env.Server, rows)
	return err
}

// memTarget is the bound on the peak RSS of a pass over 1,000,000
// files, 200 MB, in MiB; memFlat is the allowed growth from there to
// 2,000,000 files.
const (
	memTarget = 200e6 / (1 << 20)
	memFlat   = 1.10
)

// printMemory prints the memory case's table and, per pass, the peak RSS
// of the largest tree over the smallest's.
func printMemory(server string, rows []harness.MemoryRow) {
	fmt.Printf("\n## %s: memory (peak RSS of ks3sync; target ≤ 200 MB = %.0f MiB, and flat: largest/smallest ≤ %.2f)\n\n", server, memTarget, memFlat)
	fmt.Println("| files | pass | wall | CPU | peak RSS | ≤ 200 MB |")
	fmt.Println("|---:|---|---:|---:|---:|---|")
	for _, r := range rows {
		fmt.Printf("| %d | %s | %.2f s | %.2f s | %.0f MiB | %s |\n", r.Files, memPassLabel[r.Pass], r.WallSec, r.CPUSec, r.RSSMiB, metWord(r.RSSMiB <= memTarget))
	}
	fmt.Println()
	for _, p := range []harness.MemoryPass{harness.MemDryRun, harness.MemFirstPass, harness.MemNoop} {
		small, large, ok := harness.MemoryExtremes(rows, p)
		if !ok {
			continue
		}
		ratio := large.RSSMiB / small.RSSMiB
		verdict := metWord(ratio <= memFlat)
		if small.Files < 1000000 {
			verdict = "the target is for 1,000,000 files and more"
		}
		fmt.Printf("%s: peak RSS at %d files / at %d files = %.0f / %.0f MiB = %.2f (target ≤ %.2f: %s)\n",
			p, large.Files, small.Files, large.RSSMiB, small.RSSMiB, ratio, memFlat, verdict)
	}
}

// memPassLabel describes each pass in the table.
var memPassLabel = map[harness.MemoryPass]string{
	harness.MemDryRun:    "`run --dry-run` to an empty prefix",
	harness.MemFirstPass: "`run`, bucket seeded by `serve --import`, no state DB (all found in sync, recorded)",
	harness.MemNoop:      "`run` again: no-op with the state DB",
}

func metWord(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}
