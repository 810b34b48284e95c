//go:build unix

package localfs

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/rs/zerolog"
)

func symlink(t *testing.T, target, name string) {
	t.Helper()
	if err := os.Symlink(target, name); err != nil {
		t.Fatal(err)
	}
}

// linkTree is a root with a file link, a directory link, a link back up to
// an ancestor, a broken link and a named pipe.
func linkTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	outside := t.TempDir()
	mkTree(t, root, "real/f", "d/g")
	mkTree(t, outside, "ext/h")
	symlink(t, filepath.Join(root, "real", "f"), filepath.Join(root, "file-link"))
	symlink(t, filepath.Join(outside, "ext"), filepath.Join(root, "dir-link"))
	symlink(t, "..", filepath.Join(root, "d", "up"))
	symlink(t, "nowhere", filepath.Join(root, "broken"))
	if err := syscall.Mkfifo(filepath.Join(root, "pipe"), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestScanSkipsLinksAndSpecialFiles(t *testing.T) {
	root := linkTree(t)
	var logs bytes.Buffer
	res := mustScan(t, root, ScanOptions{Logger: zerolog.New(&logs)})
	if got := entryPaths(res.Entries); !slices.Equal(got, []string{"d/g", "real/f"}) {
		t.Errorf("paths = %q", got)
	}
	if res.Skipped != 5 {
		t.Errorf("skipped = %d, want 4 links and a pipe", res.Skipped)
	}
	if n := strings.Count(logs.String(), `"level":"warn"`); n != 4 {
		t.Errorf("%d warnings, want one per link:\n%s", n, logs.String())
	}
}

func TestScanFollowsLinks(t *testing.T) {
	root := linkTree(t)
	res := mustScan(t, root, ScanOptions{FollowLinks: true})
	want := []string{"d/g", "dir-link/h", "file-link", "real/f"}
	if got := entryPaths(res.Entries); !slices.Equal(got, want) {
		t.Errorf("paths = %q, want %q", got, want)
	}
	// The link back up is a loop; the broken link and the pipe are skipped.
	if res.Skipped != 3 || len(res.Errors) != 0 {
		t.Errorf("skipped %d, errors %v", res.Skipped, res.Errors)
	}
	if res.Entries[2].Fingerprint != res.Entries[3].Fingerprint {
		t.Errorf("a followed link must fingerprint its target: %+v vs %+v", res.Entries[2], res.Entries[3])
	}
	paths, err := ScanPaths(context.Background(), root, []string{"dir-link", "d/up/real", "file-link"}, ScanOptions{FollowLinks: true})
	if err != nil {
		t.Fatal(err)
	}
	// d/up leads back to the root: a loop that Scan skips, and so does ScanPaths.
	if got := entryPaths(paths.Entries); !slices.Equal(got, []string{"dir-link/h", "file-link"}) {
		t.Errorf("ScanPaths through links = %q", got)
	}
	paths, err = ScanPaths(context.Background(), root, []string{"dir-link", "dir-link/h", "file-link"}, ScanOptions{})
	if err != nil || len(paths.Entries) != 0 {
		t.Errorf("ScanPaths without following links = %q, %v", entryPaths(paths.Entries), err)
	}
}

func TestFingerprintCatchesSameSizeRewrite(t *testing.T) {
	root := t.TempDir()
	mkTree(t, root, "f")
	before, err := Stat(root, "f")
	if err != nil {
		t.Fatal(err)
	}
	if before.Inode == 0 || before.CTime == 0 {
		t.Fatalf("fingerprint %+v lacks inode or ctime", before)
	}
	// Replace the file with same-size content and restore its mtime, as
	// some tools do: only inode (and ctime) tell.
	p := filepath.Join(root, "f")
	tmp := filepath.Join(root, "tmp")
	if err := os.WriteFile(tmp, []byte("F"), 0o644); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(tmp, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
	after, err := Stat(root, "f")
	if err != nil {
		t.Fatal(err)
	}
	if after.Size != before.Size || after.MTime != before.MTime || after == before {
		t.Errorf("before %+v, after %+v: want same size and mtime, different fingerprint", before, after)
	}
}
