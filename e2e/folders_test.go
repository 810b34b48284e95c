package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// keep_empty_folders: empty folders travel as zero-byte "folder/" objects.

// isEmptyDir reports whether path is a folder with nothing in it.
func isEmptyDir(t *testing.T, path string) bool {
	t.Helper()
	entries, err := os.ReadDir(path)
	return err == nil && len(entries) == 0
}

func TestSyncEmptyFolders(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("folders")
	src := filepath.Join(e.dir, "src")
	writeFile(t, src, "full/f.txt", []byte("f"))
	for _, d := range []string{"empty", "deep/er/est", "later"} {
		if err := os.MkdirAll(filepath.Join(src, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}

	// Off by default: no markers.
	e.syncCmd(0, src, "ks3://folders/off")
	if got, want := e.keys("folders", "off/"), []string{"off/full/f.txt"}; !slices.Equal(got, want) {
		t.Errorf("keys without keep_empty_folders: %v, want %v", got, want)
	}

	e.syncCmd(0, src, "ks3://folders/on", "--keep-empty-folders")
	want := []string{"on/deep/er/est/", "on/empty/", "on/full/f.txt", "on/later/"}
	if got := e.keys("folders", "on/"); !slices.Equal(got, want) {
		t.Fatalf("keys with keep_empty_folders: %v, want %v", got, want)
	}
	if info := e.head("folders", "on/empty/"); info.Size != 0 {
		t.Errorf("marker size %d", info.Size)
	}
	// A second pass changes nothing; the markers are not taken for files.
	contains(t, e.syncCmd(0, src, "ks3://folders/on", "--keep-empty-folders", "--json"), `"uploaded":0`)

	// Pull: markers become empty folders; a marker is never a file.
	dst := filepath.Join(e.dir, "dst")
	e.syncCmd(0, "ks3://folders/on", dst, "--keep-empty-folders")
	for _, d := range []string{"empty", "deep/er/est", "later"} {
		if !isEmptyDir(t, filepath.Join(dst, d)) {
			t.Errorf("pulled %s is not an empty folder", d)
		}
	}
	if got := readTree(t, dst); len(got) != 1 || string(got["full/f.txt"]) != "f" {
		t.Errorf("pulled files: %v", got.keys())
	}
	// Without the option a pull ignores markers (and creates no file for them).
	plain := filepath.Join(e.dir, "plain")
	e.syncCmd(0, "ks3://folders/on", plain)
	if _, err := os.Stat(filepath.Join(plain, "empty")); !os.IsNotExist(err) {
		t.Errorf("a pull without keep_empty_folders made the empty folder: %v", err)
	}

	// One folder removed, one that got a file: without --delete the markers
	// stay; with it they go, and the new file is uploaded.
	if err := os.Remove(filepath.Join(src, "empty")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, src, "later/now.txt", []byte("now"))
	e.syncCmd(0, src, "ks3://folders/on", "--keep-empty-folders")
	if got := e.keys("folders", "on/"); !slices.Contains(got, "on/empty/") || !slices.Contains(got, "on/later/") {
		t.Errorf("push without --delete removed markers: %v", got)
	}
	e.syncCmd(0, src, "ks3://folders/on", "--keep-empty-folders", "--delete")
	want = []string{"on/deep/er/est/", "on/full/f.txt", "on/later/now.txt"}
	if got := e.keys("folders", "on/"); !slices.Equal(got, want) {
		t.Errorf("keys after push --delete: %v, want %v", got, want)
	}

	// keep_empty_folders as a pair option of the config file.
	cfgSrc := filepath.Join(e.dir, "cfgsrc")
	if err := os.MkdirAll(filepath.Join(cfgSrc, "hollow"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := e.writeConfig("folders.yaml", "pairs:\n  - {name: f, local: "+cfgSrc+", bucket: folders, prefix: cfg/, keep_empty_folders: true}\n")
	e.mustRun(0, "run", "--config", cfg)
	if got := e.keys("folders", "cfg/"); !slices.Equal(got, []string{"cfg/hollow/"}) {
		t.Errorf("keys of a configured pair with keep_empty_folders: %v", got)
	}
}
