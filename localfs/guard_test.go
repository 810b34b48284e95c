package localfs

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestResolveWriteRefusesSymlinks(t *testing.T) {
	root, elsewhere := t.TempDir(), t.TempDir()
	mustWrite(t, filepath.Join(root, "dir", "file.txt"), "x")
	mustWrite(t, filepath.Join(elsewhere, "victim.txt"), "v")
	for link, target := range map[string]string{
		"link": elsewhere, "dir/flink": filepath.Join(elsewhere, "victim.txt"), "dir/inside": filepath.Join(root, "dir"),
	} {
		if err := os.Symlink(target, filepath.Join(root, filepath.FromSlash(link))); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
	}
	for rel, want := range map[string]string{
		"link/evil.txt":        "through link: " + ErrSymlink.Error(),
		"link/victim.txt":      "through link",
		"link/new/deep.txt":    "through link",
		"dir/flink":            "through dir/flink",
		"dir/inside/file.txt":  "through dir/inside", // even a link that stays inside
		"dir/file.txt/x":       "dir/file.txt is not a folder",
		"dir":                  "not a regular file",
		"../escape.txt":        "not a path inside the root",
		"":                     "not a file below the root",
		"dir/file.txt":         "",
		"dir/new/sub/file.txt": "",
		"new.txt":              "",
	} {
		got, err := ResolveWrite(root, rel)
		switch {
		case want == "" && err != nil:
			t.Errorf("ResolveWrite(%q): %v", rel, err)
		case want == "" && got != filepath.Join(root, filepath.FromSlash(rel)):
			t.Errorf("ResolveWrite(%q) = %q", rel, got)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("ResolveWrite(%q) = %q, %v; want an error containing %q", rel, got, err, want)
		}
		if strings.Contains(want, "through") && !errors.Is(err, ErrSymlink) {
			t.Errorf("ResolveWrite(%q): %v does not wrap ErrSymlink", rel, err)
		}
	}
	for rel, ok := range map[string]bool{"dir": true, "dir/new": true, "link": false, "link/sub": false, "dir/file.txt": false} {
		if _, err := ResolveFolder(root, rel); (err == nil) != ok {
			t.Errorf("ResolveFolder(%q): %v", rel, err)
		}
	}
	link := filepath.Join(t.TempDir(), "rootlink") // the root itself may be a link
	if err := os.Symlink(root, link); err != nil {
		t.Fatal(err)
	}
	if _, err := ResolveWrite(link, "dir/file.txt"); err != nil {
		t.Errorf("a root that is a link: %v", err)
	}
}

func TestResumeContinuesAKeptFile(t *testing.T) {
	dir := t.TempDir()
	final := filepath.Join(dir, "big.bin")
	p, err := Create(final)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(p, "0123456789torn")
	temp := p.Name()
	if err := p.Keep(); err != nil {
		t.Fatal(err)
	}
	p.Discard()
	if _, err := os.Stat(temp); err != nil {
		t.Fatalf("a kept file was removed: %v", err)
	}
	if _, err := Resume(final, temp, 100); err == nil {
		t.Error("resumed beyond the end of the file")
	}
	if _, err := Resume(filepath.Join(t.TempDir(), "big.bin"), temp, 5); err == nil {
		t.Error("resumed a temporary file of another folder")
	}
	p, err = Resume(final, temp, 10)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(p, "abc")
	if err := p.Sync(); err != nil {
		t.Fatal(err)
	}
	if err := p.Seal(time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := p.Place(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(final); string(got) != "0123456789abc" {
		t.Errorf("resumed file holds %q", got)
	}
}

func mustWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
