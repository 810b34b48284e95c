package harness

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// MemoryPass names one kind of pass of the memory case.
type MemoryPass string

// The passes of the memory case, in the order they run.
const (
	// MemDryRun is `run --dry-run` pushing the tree to an empty prefix: a
	// full scan, listing and plan of every file, without the transfers.
	MemDryRun MemoryPass = "dry-run"
	// MemFirstPass is `run` over a bucket that already holds every file
	// (seeded with `serve --import`) with no state database: every path is
	// found in sync and recorded in the base.
	MemFirstPass MemoryPass = "first-pass"
	// MemNoop is `run` again with the state database of MemFirstPass:
	// nothing to do, the pass a daemon repeats.
	MemNoop MemoryPass = "noop"
)

// MemoryTree is one generated tree of the memory case.
type MemoryTree struct {
	Files int
	Dir   string
}

// Bucket is where SeededMemory's server imports the tree: a bucket of its
// own, synced with an empty prefix.
func (t MemoryTree) Bucket() string { return fmt.Sprintf("mem-%d", t.Files) }

// MemoryRow is the cost of one pass of the memory case.
type MemoryRow struct {
	Files   int        `json:"files"`
	Pass    MemoryPass `json:"pass"`
	WallSec float64    `json:"wall_s"`
	CPUSec  float64    `json:"cpu_s"`
	RSSMiB  float64    `json:"rss_mib"`
}

func newMemoryRow(t MemoryTree, p MemoryPass, m Measure) MemoryRow {
	return MemoryRow{Files: t.Files, Pass: p, WallSec: m.Wall.Seconds(), CPUSec: m.CPUSec(), RSSMiB: float64(m.MaxRSSKiB) / 1024}
}

// DryRunMemory measures `ks3sync run --dry-run` pushing tree to the empty
// prefix mem-N/ of the benchmark bucket on env's server, and checks that
// it planned an upload of every file.
func DryRunMemory(ctx context.Context, env Env, bin, work string, tree MemoryTree) (MemoryRow, error) {
	c, err := NewClient(env)
	if err != nil {
		return MemoryRow{}, err
	}
	if err := EnsureBucket(ctx, c, Bucket); err != nil {
		return MemoryRow{}, err
	}
	scratch := filepath.Join(work, "runs", fmt.Sprintf("memory-dry-%d", tree.Files))
	if err := os.MkdirAll(scratch, 0o755); err != nil {
		return MemoryRow{}, fmt.Errorf("memory benchmark: %w", err)
	}
	defer os.RemoveAll(scratch)
	j := Job{Setting: Default, Local: tree.Dir, Bucket: Bucket, Prefix: fmt.Sprintf("mem-%d/", tree.Files), Scratch: scratch}
	cfg, err := writeKS3SyncConfig(env, j, "push", "")
	if err != nil {
		return MemoryRow{}, err
	}
	logPath := filepath.Join(work, "logs", fmt.Sprintf("%s-memory-%d-%s.log", env.Server, tree.Files, MemDryRun))
	argv := []string{bin, "run", "--config", cfg, "--dry-run", "--no-progress"}
	m, err := RunTimed(ctx, argv, nil, logPath)
	if err != nil {
		return MemoryRow{}, fmt.Errorf("memory benchmark: %w", err)
	}
	n, err := countLinePrefix(logPath, "would upload ")
	if err != nil {
		return MemoryRow{}, fmt.Errorf("memory benchmark: %w", err)
	}
	if n != tree.Files {
		return MemoryRow{}, fmt.Errorf("memory benchmark: dry run planned %d uploads, want %d; see %s", n, tree.Files, logPath)
	}
	// The log lists every planned upload (100 MB at 2,000,000 files) and
	// has been checked; its time report stays.
	if err := os.Remove(logPath); err != nil {
		return MemoryRow{}, fmt.Errorf("memory benchmark: %w", err)
	}
	return newMemoryRow(tree, MemDryRun, m), nil
}

// SeededPlan configures SeededMemory.
type SeededPlan struct {
	Bin, Work string
	Cred      Credentials
	// Trees are imported, each into its own bucket, by one server.
	Trees []MemoryTree
	// Progress receives one line per import and per pass.
	Progress io.Writer
}

// SeededMemory starts a second `ks3sync serve --no-fsync` that imports
// every tree into its own bucket (`--import`), then measures, tree by
// tree, MemFirstPass and MemNoop pushing the tree to its bucket, and
// checks that neither changed anything. The server and its root are
// removed at the end.
func SeededMemory(ctx context.Context, p SeededPlan) (rows []MemoryRow, err error) {
	root := filepath.Join(p.Work, "server-memory-seeded")
	if err := os.RemoveAll(root); err != nil {
		return nil, fmt.Errorf("memory benchmark: %w", err)
	}
	defer func() {
		if rerr := os.RemoveAll(root); rerr != nil && err == nil {
			err = fmt.Errorf("memory benchmark: clean %s: %w", root, rerr)
		}
	}()
	opts := ServeOptions{NoFsync: true}
	for _, t := range p.Trees {
		opts.Imports = append(opts.Imports, Import{Bucket: t.Bucket(), Dir: t.Dir})
	}
	start := time.Now()
	srv, err := StartServer(ctx, p.Bin, root, filepath.Join(p.Work, "logs", "memory-seeded-serve.log"), p.Cred, opts)
	if err != nil {
		return nil, fmt.Errorf("memory benchmark: %w", err)
	}
	defer srv.Stop()
	for _, t := range p.Trees {
		im := srv.Imported[t.Bucket()]
		if im.Objects != t.Files {
			return nil, fmt.Errorf("memory benchmark: imported %d objects into %s, want %d", im.Objects, t.Bucket(), t.Files)
		}
		fmt.Fprintf(p.Progress, "seed %-20s by serve --import %7.2fs  (%d objects)\n", t.Bucket(), im.Took.Seconds(), im.Objects)
	}
	fmt.Fprintf(p.Progress, "seeded server ready after %.2fs\n", time.Since(start).Seconds())
	env := Env{Server: ServerKS3Sync, Endpoint: srv.Endpoint, Cred: p.Cred}
	for _, t := range p.Trees {
		got, err := seededPasses(ctx, env, p, t)
		rows = append(rows, got...)
		if err != nil {
			return rows, err
		}
	}
	return rows, srv.Stop()
}

// seededPasses runs MemFirstPass and MemNoop over one imported tree with
// one state database.
func seededPasses(ctx context.Context, env Env, p SeededPlan, t MemoryTree) ([]MemoryRow, error) {
	scratch := filepath.Join(p.Work, "runs", fmt.Sprintf("memory-seeded-%d", t.Files))
	if err := os.RemoveAll(scratch); err != nil {
		return nil, fmt.Errorf("memory benchmark: %w", err)
	}
	if err := os.MkdirAll(scratch, 0o755); err != nil {
		return nil, fmt.Errorf("memory benchmark: %w", err)
	}
	defer os.RemoveAll(scratch)
	j := Job{Setting: Default, Local: t.Dir, Bucket: t.Bucket(), Prefix: "", Scratch: scratch}
	cfg, err := writeKS3SyncConfig(env, j, "push", "")
	if err != nil {
		return nil, err
	}
	var rows []MemoryRow
	for _, pass := range []MemoryPass{MemFirstPass, MemNoop} {
		logPath := filepath.Join(p.Work, "logs", fmt.Sprintf("%s-memory-%d-%s.log", env.Server, t.Files, pass))
		argv := []string{p.Bin, "run", "--config", cfg, "--json", "--no-progress"}
		m, err := RunTimed(ctx, argv, nil, logPath)
		if err != nil {
			return rows, fmt.Errorf("memory benchmark: %w", err)
		}
		if err := checkNothingChanged(logPath); err != nil {
			return rows, fmt.Errorf("memory benchmark: %s over %d files: %w", pass, t.Files, err)
		}
		row := newMemoryRow(t, pass, m)
		fmt.Fprintf(p.Progress, "memory %9d files  %-10s  wall %7.2fs  cpu %7.2fs  rss %6.0f MiB\n",
			row.Files, row.Pass, row.WallSec, row.CPUSec, row.RSSMiB)
		rows = append(rows, row)
	}
	return rows, nil
}

// passEnd is the part of the `--json` pass-end event checked here.
type passEnd struct {
	Event   string `json:"event"`
	Outcome string `json:"outcome"`
	Counts  struct {
		Uploaded, Downloaded, Deleted, Failed, Conflicts int
	} `json:"counts"`
}

// checkNothingChanged reads the last pass-end event of a `run --json` log
// and fails unless the pass ended ok without a transfer or a deletion.
func checkNothingChanged(logPath string) error {
	f, err := os.Open(logPath)
	if err != nil {
		return err
	}
	defer f.Close()
	var end *passEnd
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if !bytes.Contains(line, []byte(`"event":"pass-end"`)) {
			continue
		}
		var e passEnd
		if err := json.Unmarshal(line, &e); err != nil {
			return fmt.Errorf("%s: %w", logPath, err)
		}
		end = &e
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", logPath, err)
	}
	if end == nil {
		return fmt.Errorf("no pass-end event in %s", logPath)
	}
	if end.Outcome != "ok" {
		return fmt.Errorf("pass ended %q; see %s", end.Outcome, logPath)
	}
	if c := end.Counts; c.Uploaded+c.Downloaded+c.Deleted+c.Failed+c.Conflicts != 0 {
		return fmt.Errorf("pass changed something (%+v); see %s", c, logPath)
	}
	return nil
}

// countLinePrefix counts the lines of the file at path that start with
// prefix.
func countLinePrefix(path, prefix string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), prefix) {
			n++
		}
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return n, nil
}

// MemoryExtremes returns the rows of pass at the smallest and at the
// largest tree; ok is false unless two sizes of that pass were measured.
func MemoryExtremes(rows []MemoryRow, pass MemoryPass) (small, large MemoryRow, ok bool) {
	for _, r := range rows {
		if r.Pass != pass {
			continue
		}
		if !ok || r.Files < small.Files {
			small = r
		}
		if !ok || r.Files > large.Files {
			large = r
		}
		ok = true
	}
	return small, large, ok && large.Files > small.Files && small.RSSMiB > 0
}
