//go:build linux

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// okFile is the good file every tree case holds beside the bad one: it
// must be synced whatever happens to the rest.
var okFile = []byte("a good file beside the bad one\n")

// treeCase pushes a folder made by build; the good file must arrive.
func treeCase(name string, exit int, want []string, build func(c *caseRig), extra ...string) badCase {
	return badCase{name: "tree: " + name, exit: exit, want: want, setup: func(c *caseRig) {
		c.file("ok.txt", okFile)
		build(c)
		c.pairConfig("push", extra...)
	}, check: func(c *caseRig, _ result) { c.wantObject("ok.txt", okFile) }}
}

// unreadable is treeCase run as an unprivileged user, so that modes apply.
func unreadable(name string, want []string, build func(c *caseRig)) badCase {
	bc := treeCase(name, 1, want, build)
	bc.nobody = true
	return bc
}

func symlink(c *caseRig, target, rel string) {
	c.t.Helper()
	p := filepath.Join(c.root, rel)
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.Symlink(target, p); err != nil {
		c.t.Fatal(err)
	}
}

// osc is a terminal control sequence (it sets the window title) that a
// hostile name may carry; no output may pass it through raw.
const osc = "\x1b]0;pwned\x07"

func treeCases() []badCase {
	longName := strings.Repeat("n", 251) + ".txt"
	deep := strings.Repeat(strings.Repeat("d", 200)+"/", 6) + "deep.txt"
	return []badCase{
		{name: "tree: missing folder", exit: exitAnyFailure, want: []string{"{root}"}, setup: func(c *caseRig) {
			c.pairConfig("push")
		}},
		{name: "tree: folder is a file", exit: exitAnyFailure, want: []string{"{root}"}, setup: func(c *caseRig) {
			writeFile(c.t, c.dir, "root", []byte("a file where the folder should be"))
			c.pairConfig("push")
		}},
		{name: "tree: folder unreadable", exit: exitAnyFailure, nobody: true, want: []string{"{root}", "permission denied"}, setup: func(c *caseRig) {
			c.file("ok.txt", okFile)
			os.Chmod(c.root, 0o000)
			c.pairConfig("push")
		}},
		unreadable("unreadable file", []string{"locked.txt", "permission denied"}, func(c *caseRig) {
			os.Chmod(c.file("locked.txt", []byte("secret")), 0o000)
		}),
		unreadable("unreadable subfolder", []string{"locked", "permission denied"}, func(c *caseRig) {
			c.file("locked/inside.txt", []byte("inside"))
			os.Chmod(filepath.Join(c.root, "locked"), 0o000)
		}),
		treeCase("symbolic link loop, not followed", 0, []string{"loop-a"}, func(c *caseRig) {
			symlink(c, "loop-b", "loop-a")
			symlink(c, "loop-a", "loop-b")
		}),
		treeCase("symbolic link loop, followed", 1, []string{"loop-a", "too many levels of symbolic links"}, func(c *caseRig) {
			symlink(c, "loop-b", "loop-a")
			symlink(c, "loop-a", "loop-b")
		}, "follow_symlinks: true"),
		treeCase("link to its own folder, followed", 0, []string{"sub/up"}, func(c *caseRig) {
			c.file("sub/x.txt", []byte("x"))
			symlink(c, "..", "sub/up")
		}, "follow_symlinks: true"),
		treeCase("dangling link, followed", 0, []string{"dangling"}, func(c *caseRig) {
			symlink(c, "nowhere", "dangling")
		}, "follow_symlinks: true"),
		// Special files are skipped; reading a pipe would hang the run.
		treeCase("named pipe", 0, nil, func(c *caseRig) {
			if err := syscall.Mkfifo(filepath.Join(c.root, "fifo"), 0o644); err != nil {
				c.t.Fatal(err)
			}
		}),
		{name: "tree: name with a newline", exit: 0, setup: func(c *caseRig) {
			c.file("ok.txt", okFile)
			c.file("two\nFORGED lines.txt", []byte("newline"))
			c.pairConfig("push")
		}, check: func(c *caseRig, r result) {
			c.wantObject("two\nFORGED lines.txt", []byte("newline"))
			wantNoForgedLine(c, r, "FORGED")
		}},
		{name: "tree: name with a terminal control sequence", exit: 0, setup: func(c *caseRig) {
			c.file("ok.txt", okFile)
			c.file("title"+osc+".txt", []byte("osc"))
			c.pairConfig("push")
		}, check: func(c *caseRig, r result) {
			c.wantObject("title"+osc+".txt", []byte("osc"))
			wantNoRaw(c, r, osc)
		}},
		treeCase("name that is not UTF-8", 1, []string{`xff.txt`}, func(c *caseRig) {
			c.file("bad\xff.txt", []byte("latin-1 name"))
		}),
		{name: "tree: 255-byte name", exit: 0, setup: func(c *caseRig) {
			c.file(longName, []byte("long"))
			c.pairConfig("push")
		}, check: func(c *caseRig, _ result) { c.wantObject(longName, []byte("long")) }},
		treeCase("key longer than 1024 bytes", 1, []string{"deep.txt"}, func(c *caseRig) {
			c.file(deep, []byte("deep"))
		}),
		{name: "tree: a user's file named like a temporary file", exit: 0, setup: func(c *caseRig) {
			c.file("ok.txt", okFile)
			p := c.file(".ks3sync-tmp-notes", []byte("my own notes"))
			old := time.Now().Add(-48 * time.Hour)
			os.Chtimes(p, old, old)
			c.pairConfig("push")
		}},
	}
}
