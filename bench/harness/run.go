package harness

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/ks3sync/ks3sync/ks3"
)

// Bucket is the bucket every case works in.
const Bucket = "bench"

// Plan describes a benchmark run.
type Plan struct {
	// KS3Sync is ks3sync itself; it also seeds the shared remote data.
	KS3Sync KS3Sync
	// Peers are the tools compared with ks3sync.
	Peers []Tool
	// Cases run in this order.
	Cases []Case
	// Reps is the number of runs of every case, tool and setting.
	Reps int
	// Concurrency is the transfers of the Equal setting.
	Concurrency int
	// Small, LargeFile and Many are the data: the small-file tree (upload
	// and download), the one large file, and the tree of the no-op case.
	Small     string
	SmallSpec TreeSpec
	LargeFile string
	Many      string
	// Skip names runs to leave out as "tool/setting", e.g.
	// "rclone-v1.60/default".
	Skip []string
	// Work holds scratch folders, logs and state databases.
	Work string
	// Progress receives one line per run.
	Progress io.Writer
}

// runner carries what the cases share during Run.
type runner struct {
	Plan
	env    Env
	client *ks3.Client
	// noopState is the state database of ks3sync's no-op runs.
	noopState string
	seq       int
}

// Run times every case of p against the server at env and returns the
// samples. The first failing command stops the run.
func Run(ctx context.Context, p Plan, env Env) ([]Sample, error) {
	c, err := NewClient(env)
	if err != nil {
		return nil, err
	}
	if err := EnsureBucket(ctx, c, Bucket); err != nil {
		return nil, err
	}
	r := &runner{Plan: p, env: env, client: c, noopState: filepath.Join(p.Work, "noop-state.db")}
	var out []Sample
	for _, cs := range p.Cases {
		if err := r.seed(ctx, cs); err != nil {
			return out, err
		}
		for rep := 1; rep <= p.Reps; rep++ {
			for _, t := range r.tools() {
				if !Supports(t, cs) {
					continue
				}
				for _, s := range p.settings(cs, t, rep) {
					smp, err := r.runOne(ctx, t, cs, s, rep)
					if err != nil {
						return out, err
					}
					out = append(out, smp)
				}
			}
		}
	}
	return out, nil
}

// tools lists ks3sync first, then the peers.
func (r *runner) tools() []Tool { return append([]Tool{r.KS3Sync}, r.Peers...) }

// settings lists the settings t runs case cs with in repetition rep,
// leaving out p.Skip. rclone's no-op run at its default settings sends a
// HEAD per object and takes 25 times longer than the others, so it runs in
// the first repetition only: one sample is enough to place it.
func (p Plan) settings(cs Case, t Tool, rep int) []Setting {
	all := []Setting{Default, Equal}
	if _, ok := t.(Rclone); ok && cs == NoopRerun {
		all = []Setting{Default, Equal, SizeOnly}
		if rep > 1 {
			all = []Setting{SizeOnly}
		}
	}
	return slices.DeleteFunc(all, func(s Setting) bool {
		return slices.Contains(p.Skip, t.Name()+"/"+string(s))
	})
}

// runOne prepares, times and cleans up one run.
func (r *runner) runOne(ctx context.Context, t Tool, cs Case, s Setting, rep int) (Sample, error) {
	j, err := r.job(t, cs, s, rep)
	if err != nil {
		return Sample{}, err
	}
	defer os.RemoveAll(j.Scratch)
	argv, environ, err := t.Command(r.env, j)
	if err != nil {
		return Sample{}, err
	}
	logPath := filepath.Join(r.Work, "logs", fmt.Sprintf("%s-%s-%s-%s-%d.log", r.env.Server, cs, t.Name(), s, rep))
	cpu0, err := r.serverCPU()
	if err != nil {
		return Sample{}, err
	}
	m, err := RunTimed(ctx, argv, environ, logPath)
	if err != nil {
		return Sample{}, fmt.Errorf("%s %s %s: %w", cs, t.Name(), s, err)
	}
	cpu1, err := r.serverCPU()
	if err != nil {
		return Sample{}, err
	}
	if err := r.verify(ctx, j); err != nil {
		return Sample{}, fmt.Errorf("%s %s %s: %w", cs, t.Name(), s, err)
	}
	if err := r.cleanup(ctx, j); err != nil {
		return Sample{}, err
	}
	smp := newSample(r.env, j, t.Name(), rep, m, cpu1-cpu0)
	fmt.Fprintf(r.Progress, "%-9s %-14s rep %d/%d %-12s %-9s wall %7.2fs  cpu %7.2fs  rss %6.0f MiB  server cpu %6.2fs\n",
		r.env.Server, cs, rep, r.Reps, t.Name(), s, smp.WallSec, smp.CPUSec, smp.RSSMiB, smp.ServerCPUSec)
	return smp, nil
}

// serverCPU is the server's CPU time so far, 0 when its process is unknown.
func (r *runner) serverCPU() (time.Duration, error) {
	if r.env.ServerPID == 0 {
		return 0, nil
	}
	return ProcessCPU(r.env.ServerPID)
}

// job builds the Job of one run, with a fresh scratch folder.
func (r *runner) job(t Tool, cs Case, s Setting, rep int) (Job, error) {
	r.seq++
	scratch := filepath.Join(r.Work, "runs", fmt.Sprintf("%04d", r.seq))
	if err := os.MkdirAll(scratch, 0o755); err != nil {
		return Job{}, fmt.Errorf("prepare run: %w", err)
	}
	j := Job{Case: cs, Setting: s, Bucket: Bucket, Concurrency: r.Concurrency, Scratch: scratch}
	switch cs {
	case UploadSmall:
		j.Local = r.Small
		j.Prefix = fmt.Sprintf("up-small/%s-%s-%d/", t.Name(), s, rep)
	case UploadLarge:
		j.Local, j.LargeFile = filepath.Dir(r.LargeFile), r.LargeFile
		j.Prefix = fmt.Sprintf("up-large/%s-%s-%d/", t.Name(), s, rep)
	case UploadLargeEncrypted:
		key, err := r.benchKey()
		if err != nil {
			return Job{}, err
		}
		j.Local, j.LargeFile, j.KeyFile = filepath.Dir(r.LargeFile), r.LargeFile, key
		j.Prefix = fmt.Sprintf("up-large-enc/%s-%s-%d/", t.Name(), s, rep)
	case NoopRerun:
		j.Local, j.Prefix = r.Many, noopPrefix(t)
		j.StateDB = r.noopState
	case DownloadSmall:
		j.Local = filepath.Join(scratch, "download")
		j.Prefix = downloadPrefix
	default:
		return Job{}, fmt.Errorf("prepare run: unknown case %q", cs)
	}
	return j, nil
}

// benchKey writes the encryption key of the encrypted case to the work
// folder, once, and returns its path. The key only protects benchmark data.
func (r *runner) benchKey() (string, error) {
	path := filepath.Join(r.Work, "bench.key")
	if err := os.WriteFile(path, []byte("bench-key-16byte"), 0o600); err != nil {
		return "", fmt.Errorf("prepare run: %w", err)
	}
	return path, nil
}

// downloadPrefix holds the small tree for the download case.
const downloadPrefix = "dl/"

// noopPrefix is where t's copy of the many-file tree lives. The AWS CLI
// compares size and upload time only, so it shares ks3sync's copy; rclone
// keeps its own mtime metadata and needs a copy it uploaded itself.
func noopPrefix(t Tool) string {
	if _, ok := t.(Rclone); ok {
		return "many/" + t.Name() + "/"
	}
	return "many/ks3sync/"
}
