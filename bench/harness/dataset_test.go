package harness

import (
	"context"
	"crypto/sha256"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// treeDigest hashes every file's path, size, content and mtime under dir.
func treeDigest(t *testing.T, dir string) ([32]byte, int) {
	t.Helper()
	h := sha256.New()
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		h.Write([]byte(rel))
		h.Write(b)
		h.Write([]byte(fi.ModTime().UTC().String()))
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return [32]byte(h.Sum(nil)), n
}

func TestGenerateDeterministic(t *testing.T) {
	spec := TreeSpec{Files: 25, PerDir: 10, MinSize: 1, MaxSize: 3000, Seed: 7}
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	for _, dir := range []string{a, b} {
		if err := Generate(context.Background(), dir, spec); err != nil {
			t.Fatal(err)
		}
	}
	da, na := treeDigest(t, a)
	db, nb := treeDigest(t, b)
	if na != spec.Files || nb != spec.Files {
		t.Fatalf("files: %d and %d, want %d", na, nb, spec.Files)
	}
	if da != db {
		t.Error("the same spec generated different trees")
	}
	other := filepath.Join(t.TempDir(), "c")
	spec.Seed++
	if err := Generate(context.Background(), other, spec); err != nil {
		t.Fatal(err)
	}
	if dc, _ := treeDigest(t, other); dc == da {
		t.Error("a different seed generated the same tree")
	}
}

func TestGenerateSizesAndReuse(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tree")
	spec := TreeSpec{Files: 30, PerDir: 7, MinSize: 100, MaxSize: 200, Seed: 1}
	if err := Generate(context.Background(), dir, spec); err != nil {
		t.Fatal(err)
	}
	for i := range spec.Files {
		fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(spec.RelPath(i))))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() < spec.MinSize || fi.Size() > spec.MaxSize {
			t.Errorf("%s: size %d outside [%d, %d]", spec.RelPath(i), fi.Size(), spec.MinSize, spec.MaxSize)
		}
		if !fi.ModTime().Equal(FixedMTime) {
			t.Errorf("%s: mtime %v, want %v", spec.RelPath(i), fi.ModTime(), FixedMTime)
		}
	}
	// A finished tree is reused as is: a file added since survives.
	extra := filepath.Join(dir, "extra")
	if err := os.WriteFile(extra, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Generate(context.Background(), dir, spec); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(extra); err != nil {
		t.Errorf("second Generate rewrote the tree: %v", err)
	}
}

func TestGenerateRejectsBadSpec(t *testing.T) {
	for _, spec := range []TreeSpec{
		{Files: 1, PerDir: 0, MaxSize: 1},
		{Files: 1, PerDir: 1, MinSize: 5, MaxSize: 4},
		{Files: -1, PerDir: 1},
	} {
		if err := Generate(context.Background(), t.TempDir(), spec); err == nil {
			t.Errorf("Generate(%+v) succeeded", spec)
		}
	}
}
