package e2e

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestBackupRestoreRelativeTime: restore --at takes a time relative to now
// (2h, 3d, 1s) as well as RFC 3339, through the real binary.
func TestBackupRestoreRelativeTime(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("bkt")
	src := filepath.Join(e.dir, "src")
	writeFile(t, src, "a.txt", []byte("first"))
	cfg := pairConfig(e, "rel", src, "bkt", "    history: {keep: 1d}\n")
	e.mustRun(0, "run", "--config", cfg)
	time.Sleep(2100 * time.Millisecond)
	writeFile(t, src, "a.txt", []byte("second, a second later"))
	e.mustRun(0, "run", "--config", cfg)

	// Two seconds ago the bucket held the first version.
	back := filepath.Join(e.dir, "back")
	e.mustRun(0, "restore", "--config", cfg, "--pair", "rel", "--at", "2s", "--to", back)
	if got := readTree(t, back); len(got) != 1 || string(got["a.txt"]) != "first" {
		t.Errorf("restore --at 2s: %q, want a.txt = first", got)
	}
	// Two hours ago it held nothing: nothing is written.
	none := filepath.Join(e.dir, "none")
	e.mustRun(0, "restore", "--config", cfg, "--pair", "rel", "--at", "2h", "--to", none)
	if entries, _ := os.ReadDir(none); len(entries) != 0 {
		t.Errorf("restore --at 2h wrote %d entries, want nothing", len(entries))
	}
	if r := e.run("restore", "--config", cfg, "--pair", "rel", "--at", "-2h", "--to", none); r.code != 2 {
		t.Errorf("restore --at -2h: want a usage error, got %s", r)
	}
}
