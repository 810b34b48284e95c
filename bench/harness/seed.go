package harness

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// seed uploads, untimed, the remote data case cs starts from: ks3sync's
// copy of the small tree for downloads; every copy of the many-file tree
// for the no-op case, each by the tool that later re-runs over it.
func (r *runner) seed(ctx context.Context, cs Case) error {
	switch cs {
	case DownloadSmall:
		if err := r.seedWith(ctx, r.KS3Sync, Job{Local: r.Small, Prefix: downloadPrefix}, r.SmallSpec.Files); err != nil {
			return err
		}
		// The seeding pass wrote its change-journal entry there too; every
		// tool downloads the same files without it.
		return DeletePrefix(ctx, r.client, Bucket, downloadPrefix+".ks3sync/")
	case NoopRerun:
		for _, t := range r.tools() {
			if _, ok := t.(Rclone); !ok && t.Name() != r.KS3Sync.Name() {
				continue
			}
			if err := r.seedWith(ctx, t, Job{Local: r.Many, Prefix: noopPrefix(t), StateDB: r.noopState}, -1); err != nil {
				return err
			}
		}
	}
	return nil
}

// seedWith uploads j.Local to j.Prefix with t at equal concurrency and,
// when want >= 0, checks that want objects arrived.
func (r *runner) seedWith(ctx context.Context, t Tool, j Job, want int) error {
	j.Case, j.Setting, j.Bucket, j.Concurrency = UploadSmall, Equal, Bucket, r.Concurrency
	r.seq++
	j.Scratch = filepath.Join(r.Work, "runs", fmt.Sprintf("%04d-seed", r.seq))
	if err := os.MkdirAll(j.Scratch, 0o755); err != nil {
		return fmt.Errorf("seed %s: %w", j.Prefix, err)
	}
	defer os.RemoveAll(j.Scratch)
	argv, environ, err := t.Command(r.env, j)
	if err != nil {
		return err
	}
	logPath := filepath.Join(r.Work, "logs", fmt.Sprintf("%s-seed-%s-%s.log", r.env.Server, t.Name(), filepath.Base(j.Prefix)))
	m, err := RunTimed(ctx, argv, environ, logPath)
	if err != nil {
		return fmt.Errorf("seed %s with %s: %w", j.Prefix, t.Name(), err)
	}
	fmt.Fprintf(r.Progress, "seed %-20s by %-12s %7.2fs\n", j.Prefix, t.Name(), m.Wall.Seconds())
	if want < 0 {
		return nil
	}
	n, err := CountData(ctx, r.client, Bucket, j.Prefix)
	if err != nil {
		return err
	}
	if n != want {
		return fmt.Errorf("seed %s with %s: %d objects, want %d", j.Prefix, t.Name(), n, want)
	}
	return nil
}
