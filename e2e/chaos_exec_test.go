//go:build linux

package e2e

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// invocation is one run of the binary by the campaign.
type invocation struct {
	args    []string
	dir     string        // working folder; the test's folder when empty
	env     []string      // added to the campaign environment, later entries win
	timeout time.Duration // 0 means 2 minutes
	nobody  bool          // run as an unprivileged user when the test runs as root
}

// noProxy is the environment that keeps every request of the binary on
// loopback: a request to any other host goes to a proxy address where
// nothing listens (Go never proxies loopback addresses), so a defect that
// falls back to a public endpoint fails here instead of reaching it.
var noProxy = []string{"HTTP_PROXY=http://127.0.0.1:9", "HTTPS_PROXY=http://127.0.0.1:9", "NO_PROXY=", "http_proxy=", "https_proxy=", "no_proxy="}

// campaignEnviron is the child environment of the campaign's runs.
func (e *env) campaignEnviron(extra []string) []string {
	return append(append(e.environ(), noProxy...), extra...)
}

// exitTimedOut marks a run the campaign killed because it outlived its
// timeout.
const exitTimedOut = -1

// invoke runs the binary as inv says and returns what it printed; a run
// that outlives its timeout is killed and reported with exitTimedOut.
func (e *env) invoke(inv invocation) result {
	e.t.Helper()
	timeout := inv.timeout
	if timeout == 0 {
		timeout = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, inv.args...)
	cmd.Dir = inv.dir
	if cmd.Dir == "" {
		cmd.Dir = e.dir
	}
	cmd.Env = e.campaignEnviron(inv.env)
	if inv.nobody && os.Geteuid() == 0 {
		shareBinary(e.t)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobodyID, Gid: nobodyID}}
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		code = exitTimedOut
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		e.t.Fatalf("run ks3sync %s: %v", strings.Join(inv.args, " "), err)
	}
	return result{stdout: out.String(), stderr: errb.String(), code: code}
}

// nobodyID is the user and group id of unprivileged runs.
const nobodyID = 65534

// shareBinary lets an unprivileged user run the binary built for the test.
var shareBinary = func() func(t testing.TB) {
	var once sync.Once
	return func(t testing.TB) {
		once.Do(func() {
			if err := os.Chmod(filepath.Dir(binPath), 0o755); err != nil {
				t.Fatal(err)
			}
		})
	}
}()

// sgr matches the colour sequences of the console log format.
var sgr = regexp.MustCompile("\x1b\\[[0-9;]*m")

// text is everything a run printed, without the log's colours.
func (r result) text() string { return sgr.ReplaceAllString(r.stdout+r.stderr, "") }

// treeKinds maps every entry under dir (skipping the relative paths skip
// reports) to its kind and content hash, to tell whether anything there
// changed.
func treeKinds(t *testing.T, dir string, skip func(rel string) bool) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel != "." && skip != nil && skip(filepath.ToSlash(rel)) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			out[rel] = "link:" + target
			return err
		case d.IsDir():
			out[rel] = "dir"
		case d.Type().IsRegular():
			data, err := os.ReadFile(p)
			out[rel] = "file:" + md5hex(data)
			return err
		default:
			out[rel] = "special:" + d.Type().String()
		}
		return nil
	})
	if err != nil {
		t.Fatalf("snapshot %s: %v", dir, err)
	}
	return out
}

// diffSnapshots describes what differs between two snapshots.
func diffSnapshots(before, after map[string]string) []string {
	var diffs []string
	for k, v := range before {
		if w, ok := after[k]; !ok {
			diffs = append(diffs, "removed "+k)
		} else if w != v {
			diffs = append(diffs, "changed "+k)
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			diffs = append(diffs, "added "+k)
		}
	}
	return diffs
}

func md5hex(data []byte) string {
	sum := md5.Sum(data)
	return hex.EncodeToString(sum[:])
}
