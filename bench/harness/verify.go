package harness

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// verify checks that the run of j really did its work, so that a tool that
// exits 0 without transferring anything cannot look fast.
func (r *runner) verify(ctx context.Context, j Job) error {
	switch j.Case {
	case UploadSmall, UploadLarge, UploadLargeEncrypted:
		want := r.SmallSpec.Files
		if j.Case != UploadSmall {
			want = 1
		}
		n, err := CountData(ctx, r.client, Bucket, j.Prefix)
		if err != nil {
			return err
		}
		if n != want {
			return fmt.Errorf("verify %s: %d objects, want %d", j.Prefix, n, want)
		}
	case DownloadSmall:
		n, err := countFiles(j.Local)
		if err != nil {
			return err
		}
		if n != r.SmallSpec.Files {
			return fmt.Errorf("verify %s: %d files, want %d", j.Local, n, r.SmallSpec.Files)
		}
	}
	return nil
}

// cleanup removes what the run of j created, so that the next run starts
// from the same state.
func (r *runner) cleanup(ctx context.Context, j Job) error {
	switch j.Case {
	case UploadSmall, UploadLarge, UploadLargeEncrypted:
		return DeletePrefix(ctx, r.client, Bucket, j.Prefix)
	case DownloadSmall:
		if err := os.RemoveAll(j.Local); err != nil {
			return fmt.Errorf("clean up %s: %w", j.Local, err)
		}
	}
	return nil
}

// countFiles counts the regular files under dir.
func countFiles(dir string) (int, error) {
	n := 0
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("count files in %s: %w", dir, err)
	}
	return n, nil
}
