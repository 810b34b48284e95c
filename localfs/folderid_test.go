package localfs

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFolderIdentity(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "synced")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	first, err := FolderIdentity(dir)
	if err != nil || first == "" {
		t.Fatalf("identity of %s: %q, %v", dir, first, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if again, _ := FolderIdentity(dir); again != first {
		t.Errorf("identity changed with the folder's content: %q, then %q", first, again)
	}
	// A folder made again at the same path is another folder (its old
	// inode is held by a second folder, so it cannot be reused).
	if err := os.Rename(dir, dir+".old"); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if remade, _ := FolderIdentity(dir); remade == first {
		t.Errorf("a folder made again at the same path has the old identity %q", first)
	}
	if _, err := FolderIdentity(filepath.Join(dir, "missing")); !os.IsNotExist(err) {
		t.Errorf("identity of a missing folder: %v, want not-exist", err)
	}
}
