package harness

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// ScanMemory measures `ks3sync run --dry-run` pushing tree (for example a
// million empty files) to an empty prefix: a full scan, listing and plan
// of every file, without the transfers. It returns the cost of the run.
func ScanMemory(ctx context.Context, env Env, bin, work, tree string) (Measure, error) {
	c, err := NewClient(env)
	if err != nil {
		return Measure{}, err
	}
	if err := EnsureBucket(ctx, c, Bucket); err != nil {
		return Measure{}, err
	}
	scratch := filepath.Join(work, "runs", "memory")
	if err := os.MkdirAll(scratch, 0o755); err != nil {
		return Measure{}, fmt.Errorf("memory benchmark: %w", err)
	}
	defer os.RemoveAll(scratch)
	j := Job{Case: UploadSmall, Setting: Default, Local: tree, Bucket: Bucket, Prefix: "mem/", Scratch: scratch}
	cfg, err := writeKS3SyncConfig(env, j, "push", "")
	if err != nil {
		return Measure{}, err
	}
	argv := []string{bin, "run", "--config", cfg, "--dry-run", "--no-progress"}
	m, err := RunTimed(ctx, argv, nil, filepath.Join(work, "logs", env.Server+"-memory.log"))
	if err != nil {
		return Measure{}, fmt.Errorf("memory benchmark: %w", err)
	}
	return m, nil
}
