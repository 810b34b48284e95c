//go:build unix

package e2e

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3"
)

// Modes of pulled files: the umask's for new files, and with keep_mode the
// mode the object stores.

// runUmask runs ks3sync --endpoint URL ARGS under the given umask (through
// the shell, so the test process's own umask is left alone).
func (e *env) runUmask(umask string, args ...string) result {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	full := append([]string{"-c", `umask "$0" && exec "$@"`, umask, binPath, "--endpoint", e.srv.URL}, args...)
	cmd := exec.CommandContext(ctx, "/bin/sh", full...)
	cmd.Dir, cmd.Env = e.dir, e.environ()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		e.t.Fatal(err)
	}
	return r
}

// modeOf returns the permission bits of a file.
func modeOf(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestPullModes(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("modes")
	src := filepath.Join(e.dir, "src")
	for rel, mode := range map[string]fs.FileMode{"run.sh": 0o755, "private.txt": 0o600, "shared.txt": 0o664} {
		p := writeFile(t, src, rel, []byte(rel))
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
	}
	e.syncCmd(0, src, "ks3://modes/keep", "--keep-mode")
	e.syncCmd(0, src, "ks3://modes/plain")
	if got := e.head("modes", "keep/run.sh").Metadata["mode"]; got != "0755" {
		t.Errorf("x-kss-meta-mode of run.sh with --keep-mode: %q, want 0755", got)
	}
	if got, ok := e.head("modes", "plain/run.sh").Metadata["mode"]; ok {
		t.Errorf("an upload without keep_mode stored mode %q", got)
	}
	// A mode some other tool wrote that ks3sync cannot read.
	_, err := e.client.PutObject(context.Background(), "modes", "keep/odd.txt", strings.NewReader("odd"), 3,
		ks3.PutOptions{Metadata: map[string]string{"mode": "rwxrwxrwx"}})
	if err != nil {
		t.Fatal(err)
	}

	// Without keep_mode, new files get 0666 less the umask (not 0600),
	// whatever the object stores.
	plain := filepath.Join(e.dir, "plain")
	if r := e.runUmask("027", "sync", "--no-progress", "ks3://modes/keep", plain); r.code != 0 {
		t.Fatalf("pull under umask 027: %s", r)
	}
	for _, rel := range []string{"run.sh", "private.txt", "shared.txt", "odd.txt"} {
		if got := modeOf(t, filepath.Join(plain, rel)); got != 0o640 {
			t.Errorf("%s pulled under umask 027 without keep_mode: %v, want -rw-r-----", rel, got)
		}
	}
	if r := e.runUmask("002", "sync", "--no-progress", "ks3://modes/plain", filepath.Join(e.dir, "open")); r.code != 0 ||
		modeOf(t, filepath.Join(e.dir, "open", "run.sh")) != 0o664 {
		t.Errorf("pull under umask 002: %s", r)
	}

	// With keep_mode the stored modes come back; the unreadable one is
	// ignored with a warning and the file gets the umask's mode.
	kept := filepath.Join(e.dir, "kept")
	r := e.runUmask("022", "sync", "--no-progress", "--keep-mode", "ks3://modes/keep", kept)
	if r.code != 0 {
		t.Fatalf("pull with --keep-mode: %s", r)
	}
	for rel, want := range map[string]fs.FileMode{"run.sh": 0o755, "private.txt": 0o600, "shared.txt": 0o664, "odd.txt": 0o644} {
		if got := modeOf(t, filepath.Join(kept, rel)); got != want {
			t.Errorf("%s pulled with keep_mode: %v, want %v", rel, got, want)
		}
	}
	contains(t, r, "odd.txt", "rwxrwxrwx")

	// keep_mode as a pair option of the config file.
	cfg := e.writeConfig("modes.yaml", "pairs:\n  - {name: m, local: "+filepath.Join(e.dir, "cfgpull")+
		", bucket: modes, prefix: keep/, direction: pull, keep_mode: true}\n")
	e.mustRun(0, "run", "--config", cfg)
	if got := modeOf(t, filepath.Join(e.dir, "cfgpull", "run.sh")); got != 0o755 {
		t.Errorf("run.sh pulled by a pair with keep_mode: true: %v", got)
	}
}
