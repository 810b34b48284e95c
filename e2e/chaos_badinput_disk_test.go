//go:build linux

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// mountTmpfs mounts a tmpfs of size at dir until the case ends.
func mountTmpfs(c *caseRig, dir, size string) {
	c.t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		c.t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		c.t.Fatalf("mount a tmpfs at %s: %v\n%s", dir, err, out)
	}
	c.t.Cleanup(func() { exec.Command("umount", dir).Run() })
}

// bigObject is larger than the 2 MiB file systems of the disk cases.
var bigObject = pseudoRandom(11, 3<<20)

func diskCases() []badCase {
	return []badCase{
		{name: "disk full: pull", needsRoot: true, exit: 1, pull: true, want: []string{"big.bin", "no space left on device"}, setup: func(c *caseRig) {
			mountTmpfs(c, c.root, "2m")
			c.file("big.bin", []byte("the previous version, which must survive"))
			c.put("small.txt", okFile, nil)
			c.put("big.bin", bigObject, nil)
			c.pairConfig("pull")
		}, check: func(c *caseRig, _ result) {
			c.wantFile("small.txt", okFile)
			c.wantNoTemp(c.root)
		}},
		{name: "disk full: cp", needsRoot: true, exit: 1, want: []string{"no space left on device"}, setup: func(c *caseRig) {
			mountTmpfs(c, c.root, "2m")
			c.put("big.bin", bigObject, nil)
			c.args = []string{"--endpoint", c.e.srv.URL, "cp", "ks3://" + c.bucket + "/p/big.bin", filepath.Join(c.root, "big.bin")}
		}, check: func(c *caseRig, _ result) { c.wantNoTemp(c.root) }},
	}
}

// synced pushes files once as setup, so that the next run could delete
// their objects.
func synced(c *caseRig, n int, extra ...string) {
	c.t.Helper()
	for i := range n {
		c.file(fmt.Sprintf("f%02d.txt", i), []byte(fmt.Sprint(i)))
	}
	c.pairConfig("push", append([]string{"delete: propagate"}, extra...)...)
	c.prepare("run", "--config", c.cfg)
}

// emptyFolder removes every file of the pair's folder, keeping the folder.
func emptyFolder(c *caseRig) {
	c.t.Helper()
	entries, _ := os.ReadDir(c.root)
	for _, e := range entries {
		os.RemoveAll(filepath.Join(c.root, e.Name()))
	}
}

func deletionCases() []badCase {
	return []badCase{
		{name: "mass deletion: empty folder", exit: 0, want: []string{"{root}"}, setup: func(c *caseRig) {
			synced(c, 10, "max_delete: 100%")
			emptyFolder(c)
		}},
		{name: "mass deletion: missing folder", exit: exitAnyFailure, want: []string{"{root}"}, setup: func(c *caseRig) {
			synced(c, 10, "max_delete: 100%")
			os.RemoveAll(c.root)
		}},
		{name: "mass deletion: unmounted folder", needsRoot: true, exit: exitAnyFailure, want: []string{"{root}", "not mounted"}, setup: func(c *caseRig) {
			os.MkdirAll(c.root, 0o755)
			if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", c.root).CombinedOutput(); err != nil {
				c.t.Fatalf("mount: %v\n%s", err, out)
			}
			synced(c, 10, "max_delete: 100%")
			if out, err := exec.Command("umount", c.root).CombinedOutput(); err != nil {
				c.t.Fatalf("umount: %v\n%s", err, out)
			}
		}},
		{name: "mass deletion: more than max_delete", exit: 1, want: []string{"6", "max_delete"}, setup: func(c *caseRig) {
			synced(c, 10, "max_delete: 50%")
			for i := range 6 {
				os.Remove(filepath.Join(c.root, fmt.Sprintf("f%02d.txt", i)))
			}
		}},
		{name: "mass deletion: bucket emptied under a pull", exit: 1, want: []string{"10", "max_delete"}, setup: func(c *caseRig) {
			synced(c, 10)
			c.pairConfig("pull", "delete: propagate", "max_delete: 50%")
			c.prepare("run", "--config", c.cfg)
			for i := range 10 {
				c.e.client.DeleteObject(c.t.Context(), c.bucket, fmt.Sprintf("p/f%02d.txt", i))
			}
		}},
		{name: "mass deletion: empty folder of a two-way pair", exit: 0, pull: true, want: []string{"{root}"}, setup: func(c *caseRig) {
			synced(c, 10, "max_delete: 100%")
			c.pairConfig("both", "delete: propagate", "max_delete: 100%")
			c.prepare("run", "--config", c.cfg)
			emptyFolder(c)
		}},
	}
}
