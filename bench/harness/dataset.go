package harness

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"
)

// FixedMTime is the modification time given to every generated file. It
// lies in the past so that any upload is newer than its source, which is
// what `aws s3 sync` needs to see an unchanged tree as unchanged.
var FixedMTime = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// TreeSpec describes a deterministic tree of Files files spread over
// directories of at most PerDir files, with sizes drawn uniformly from
// [MinSize, MaxSize] and content from a ChaCha8 stream seeded with Seed.
type TreeSpec struct {
	Files            int
	PerDir           int
	MinSize, MaxSize int64
	Seed             uint64
}

// marker names the file beside dir that records a finished generation, so
// that a second run with the same spec reuses the tree. It lives outside
// the tree so that no tool syncs it.
func (s TreeSpec) marker(dir string) string {
	return fmt.Sprintf("%s.generated-%d-%d-%d-%d-%d", filepath.Clean(dir), s.Files, s.PerDir, s.MinSize, s.MaxSize, s.Seed)
}

// RelPath is the slash-separated path of file i of the tree.
func (s TreeSpec) RelPath(i int) string {
	return fmt.Sprintf("d%04d/f%07d.bin", i/s.PerDir, i)
}

// Generate writes the tree under dir unless a previous call with the same
// spec completed there. Every file gets FixedMTime.
func Generate(ctx context.Context, dir string, s TreeSpec) error {
	if s.Files < 0 || s.PerDir <= 0 || s.MinSize < 0 || s.MaxSize < s.MinSize {
		return fmt.Errorf("generate %s: invalid spec %+v", dir, s)
	}
	mark := s.marker(dir)
	if _, err := os.Stat(mark); err == nil {
		return nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("generate %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("generate %s: %w", dir, err)
	}
	rng := rand.New(rand.NewPCG(s.Seed, s.Seed^0x9e3779b97f4a7c15))
	content := rand.NewChaCha8(seed32(s.Seed))
	buf := make([]byte, 1<<20)
	for i := range s.Files {
		if i%1000 == 0 && ctx.Err() != nil {
			return fmt.Errorf("generate %s: %w", dir, ctx.Err())
		}
		size := s.MinSize + rng.Int64N(s.MaxSize-s.MinSize+1)
		if err := writeFile(filepath.Join(dir, filepath.FromSlash(s.RelPath(i))), size, content, buf); err != nil {
			return fmt.Errorf("generate %s: %w", dir, err)
		}
	}
	if err := os.WriteFile(mark, nil, 0o644); err != nil {
		return fmt.Errorf("generate %s: %w", dir, err)
	}
	return nil
}

// seed32 expands a 64-bit seed into a ChaCha8 seed.
func seed32(seed uint64) [32]byte {
	var out [32]byte
	for i := range 4 {
		v := seed + uint64(i)*0x9e3779b97f4a7c15
		for j := range 8 {
			out[i*8+j] = byte(v >> (8 * j))
		}
	}
	return out
}

// writeFile creates path (and its directory) with size bytes from src and
// gives it FixedMTime.
func writeFile(path string, size int64, src io.Reader, buf []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	_, err = io.CopyBuffer(f, io.LimitReader(src, size), buf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Chtimes(path, FixedMTime, FixedMTime)
}
