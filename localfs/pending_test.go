package localfs

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func fillWith(s string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	final := filepath.Join(dir, "out.txt")
	mtime := time.Unix(1700000000, 42)
	if err := WriteFile(final, mtime, fillWith("new content")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(final)
	if err != nil || !fi.ModTime().Equal(mtime) {
		t.Fatalf("written file: %v, %v", fi, err)
	}
	// A new file gets what any file created with 0666 gets from the umask.
	plain := filepath.Join(t.TempDir(), "plain.txt")
	if err := os.WriteFile(plain, nil, 0o666); err != nil {
		t.Fatal(err)
	}
	if want, _ := os.Stat(plain); runtime.GOOS != "windows" && (fi.Mode().Perm() != want.Mode().Perm() || NewFileMode() != want.Mode().Perm()) {
		t.Errorf("new file has mode %v, NewFileMode %v, want %v", fi.Mode(), NewFileMode(), want.Mode())
	}
	if err := os.Chmod(final, 0o600); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err = WriteFile(final, time.Time{}, func(w io.Writer) error {
		io.WriteString(w, "partial")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("failed fill: %v", err)
	}
	if got, _ := os.ReadFile(final); string(got) != "new content" {
		t.Errorf("a failed write changed the file to %q", got)
	}
	if err := WriteFile(final, time.Time{}, fillWith("replaced")); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(final); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("a replaced file lost its mode: %v", fi.Mode())
	}
	if got, _ := os.ReadFile(final); string(got) != "replaced" {
		t.Errorf("replaced file holds %q", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
	if err := WriteFile(dir, time.Time{}, fillWith("")); err == nil || !strings.Contains(err.Error(), "folder") {
		t.Errorf("writing over a folder: %v", err)
	}
}

// TestPendingSteps checks each step of Pending: the temporary file is one
// a scan reports as such, the destination is untouched until Place, and
// Discard cleans up whatever step failed.
func TestPendingSteps(t *testing.T) {
	dir := t.TempDir()
	final := filepath.Join(dir, "a.txt")
	if err := os.WriteFile(final, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Create(final)
	if err != nil {
		t.Fatal(err)
	}
	if name := filepath.Base(p.Name()); !IsTemp(name) || filepath.Dir(p.Name()) != dir {
		t.Errorf("temporary file %s is not a temporary name beside %s", p.Name(), final)
	}
	if err := p.Place(); err == nil {
		t.Error("Place before Seal succeeded")
	}
	if _, err := io.WriteString(p, "new"); err != nil {
		t.Fatal(err)
	}
	if res := mustScan(t, dir, ScanOptions{}); len(res.Temps) != 1 || len(res.Entries) != 1 {
		t.Errorf("scan while pending: entries %v, temps %v", entryPaths(res.Entries), res.Temps)
	}
	if err := p.Seal(time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(final); string(got) != "old" {
		t.Errorf("sealed but not placed: destination holds %q", got)
	}
	if err := p.Place(); err != nil {
		t.Fatal(err)
	}
	p.Discard()
	if got, _ := os.ReadFile(final); string(got) != "new" {
		t.Errorf("placed: destination holds %q", got)
	}

	for _, sealed := range []bool{false, true} {
		p, err := Create(final)
		if err != nil {
			t.Fatal(err)
		}
		if sealed {
			if err := p.Seal(time.Time{}); err != nil {
				t.Fatal(err)
			}
		}
		p.Discard()
		p.Discard()
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("discarded (sealed %v): left %v", sealed, entries)
		}
	}
	var none *Pending
	none.Discard()
}

func TestCreateNeedsTheFolder(t *testing.T) {
	if _, err := Create(filepath.Join(t.TempDir(), "missing", "a.txt")); err == nil {
		t.Error("Create in a missing folder succeeded")
	}
}

func TestPendingSetMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no Unix permission bits")
	}
	final := filepath.Join(t.TempDir(), "script.sh")
	p, err := Create(final)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Discard()
	if fi, err := os.Stat(p.Name()); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("temporary file before sealing: %v, %v; want private 0600", fi, err)
	}
	p.SetMode(0o750 | os.ModeSetuid)
	if err := p.Seal(time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := p.Place(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(final); err != nil || fi.Mode() != 0o750 {
		t.Errorf("placed file: %v, %v; want -rwxr-x---", fi, err)
	}
}
