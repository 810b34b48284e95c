//go:build linux

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3"
)

// TestChaosBadInput runs the binary on bad configs, keys and key files,
// local trees, hostile remote keys, a full disk and mass deletions. Each
// case wants an exit status and an output that names what is wrong and
// where; and in every case nothing outside the pair's folder changes,
// nothing in the folder is lost, and no object in the bucket is lost or
// changed unless the case says so.
func TestChaosBadInput(t *testing.T) {
	shared := newEnv(t)
	var n atomic.Int64
	var cases []badCase
	for _, group := range [][]badCase{configCases(), keyCases(), treeCases(), remoteKeyCases(), diskCases(), deletionCases(), toolCases()} {
		cases = append(cases, group...)
	}
	for _, bc := range cases {
		t.Run(bc.name, func(t *testing.T) {
			t.Parallel()
			figures.count(t, rowBadInput)
			c := newCaseRig(t, shared, fmt.Sprintf("bad-%03d", n.Add(1)), bc)
			c.run(bc)
		})
	}
}

// Exit statuses a case may want besides a number.
const (
	exitAnyFailure = -2 // 1 or more: the run could not do its job
	exitAnyCode    = -4 // the case's check judges the status
)

// badCase is one bad input and what the binary must make of it.
type badCase struct {
	name string
	// setup writes the config, files and objects and sets the command
	// (c.args); without it the case runs its config (c.cfg).
	setup func(c *caseRig)
	exit  int      // the exit status wanted, or exitAnyFailure
	want  []string // the output must contain each, after expanding {root}, {dir}, {bucket}, {cfg}
	// check makes further assertions on the outcome.
	check func(c *caseRig, r result)
	// pull lets the run add files to the folder; otherwise the folder must
	// not change at all.
	pull bool
	// needsRoot marks cases that mount a file system.
	needsRoot bool
	// nobody runs the binary as an unprivileged user (when the test runs
	// as root), so that file permissions apply.
	nobody bool
}

// caseRig is one case's world: a folder with the pair's local root, a
// bucket of its own on the shared server, the config and the command.
type caseRig struct {
	t      *testing.T
	e      *env
	dir    string
	root   string
	bucket string
	prefix string
	cfg    string
	args   []string
	env    []string
	want   []string // added by setup, e.g. a line number
	nobody bool
}

func newCaseRig(t *testing.T, shared *env, bucket string, bc badCase) *caseRig {
	t.Helper()
	if bc.needsRoot {
		if os.Geteuid() != 0 {
			figures.skip(t, "needs root to mount a small file system (CI runs as root)")
		}
		for _, tool := range []string{"mount", "umount"} {
			if _, err := exec.LookPath(tool); err != nil {
				figures.missing(t, tool+" is not installed (Debian package mount)")
			}
		}
	}
	dir := t.TempDir()
	if bc.nobody {
		dir = sharedTempDir(t)
	}
	e := &env{t: t, srv: shared.srv, dir: dir, client: shared.client}
	c := &caseRig{t: t, e: e, dir: dir, root: filepath.Join(dir, "root"), bucket: bucket, prefix: "p/", nobody: bc.nobody}
	e.mkBucket(bucket)
	return c
}

// sharedTempDir is a folder an unprivileged user can enter, removed when
// the test ends.
func sharedTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "ks3sync-campaign-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		filepath.WalkDir(dir, func(p string, _ os.DirEntry, _ error) error { os.Chmod(p, 0o755); return nil })
		os.RemoveAll(dir)
	})
	return dir
}

// run sets the case up, runs it and checks what every case must hold.
func (c *caseRig) run(bc badCase) {
	c.t.Helper()
	if bc.setup != nil {
		bc.setup(c)
	}
	if c.args == nil {
		c.args = []string{"run", "--config", c.cfg, "--no-progress"}
	}
	if c.nobody && os.Geteuid() == 0 {
		c.giveToNobody()
	}
	outside := treeKinds(c.t, c.dir, isRunFile)
	inside := treeKinds(c.t, c.root, nil)
	objects := c.objects()
	r := c.e.invoke(invocation{args: c.args, env: c.env, timeout: time.Minute, nobody: c.nobody})
	c.wantExit(bc.exit, r)
	for _, w := range append(slices.Clone(bc.want), c.want...) {
		if w = c.expand(w); !strings.Contains(r.text(), w) {
			c.t.Errorf("the output does not name %q:\n%s", w, r)
		}
	}
	if diff := diffSnapshots(outside, treeKinds(c.t, c.dir, isRunFile)); len(diff) > 0 {
		c.t.Errorf("outside the folder:\n%s", strings.Join(diff, "\n"))
	}
	c.wantFolderKept(inside, bc.pull)
	c.wantObjectsKept(objects)
	if bc.check != nil {
		bc.check(c, r)
	}
}

// isRunFile reports the paths of a case folder a run may change: the
// pair's folder (judged on its own), the state database and its lock, and
// the per-user folders.
func isRunFile(rel string) bool {
	first, _, _ := strings.Cut(rel, "/")
	return slices.Contains([]string{"root", "state", ".state", ".config", ".cache"}, first) || strings.HasSuffix(rel, ".lock")
}

func (c *caseRig) wantExit(want int, r result) {
	c.t.Helper()
	switch {
	case r.code == exitTimedOut:
		c.t.Fatalf("still running after a minute:\n%s", r)
	case want == exitAnyCode:
	case want == exitAnyFailure && r.code < 1:
		c.t.Errorf("want a failure exit, got %s", r)
	case want != exitAnyFailure && r.code != want:
		c.t.Errorf("want exit %d, got %s", want, r)
	}
}

// wantFolderKept checks that every file of the folder is still there
// unchanged; with pull, files may have been added.
func (c *caseRig) wantFolderKept(before map[string]string, pull bool) {
	c.t.Helper()
	for _, d := range diffSnapshots(before, treeKinds(c.t, c.root, nil)) {
		if pull && strings.HasPrefix(d, "added ") {
			continue
		}
		c.t.Errorf("in the folder: %s", d)
	}
}

// objects maps the case bucket's keys to their ETags.
func (c *caseRig) objects() map[string]string {
	out := map[string]string{}
	for it, err := range c.e.client.Walk(context.Background(), c.bucket, ks3.ListObjectsOptions{}) {
		if err != nil {
			c.t.Fatalf("list %s: %v", c.bucket, err)
		}
		if it.Prefix == "" {
			out[it.Object.Key] = it.Object.ETag
		}
	}
	return out
}

// wantObjectsKept checks that every object is still there unchanged.
func (c *caseRig) wantObjectsKept(before map[string]string) {
	c.t.Helper()
	after := c.objects()
	for k, etag := range before {
		if got, ok := after[k]; !ok {
			c.t.Errorf("object %q was deleted", k)
		} else if got != etag {
			c.t.Errorf("object %q was changed", k)
		}
	}
}

func (c *caseRig) expand(s string) string {
	return strings.NewReplacer("{root}", c.root, "{dir}", c.dir, "{bucket}", c.bucket, "{cfg}", c.cfg).Replace(s)
}

// giveToNobody hands the case folder to the unprivileged user, keeping
// the modes the setup chose.
func (c *caseRig) giveToNobody() {
	c.t.Helper()
	err := filepath.WalkDir(c.dir, func(p string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, nobodyID, nobodyID)
	})
	if err != nil {
		c.t.Fatal(err)
	}
}
