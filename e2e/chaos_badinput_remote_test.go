//go:build linux

package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// exitRefusedOrKept lets a hostile-key case either refuse the key (exit 1,
// naming it) or keep it as a name inside the folder (exit 0): a name that
// is only hostile on another system.
const exitRefusedOrKept = -3

// hostileKey pulls the prefix holding the good file and one object under
// the hostile relative key rel. With exit 1 the key must be refused and
// named (want); with exit 0 it must land inside the folder as a file named
// rel. Either way the good file arrives and nothing is written outside the
// folder (the case runner checks the case folder).
func hostileKey(name, rel string, exit int, want ...string) badCase {
	bc := badCase{name: "remote key: " + name, exit: exit, want: want, pull: true, setup: func(c *caseRig) {
		c.put("ok.txt", okFile, nil)
		c.put(rel, []byte("hostile"), nil)
		c.pairConfig("pull")
	}, check: func(c *caseRig, r result) {
		c.wantFile("ok.txt", okFile)
		switch {
		case exit == 0 || exit == exitRefusedOrKept && r.code == 0:
			c.wantFile(rel, []byte("hostile"))
		case exit == exitRefusedOrKept && r.code == 1:
			contains(c.t, r, want...)
		case exit == exitRefusedOrKept:
			c.t.Errorf("want exit 0 or 1, got %s", r)
		}
		c.wantNoTemp(c.root)
	}}
	if exit == exitRefusedOrKept {
		bc.exit, bc.want = exitAnyCode, nil
	}
	return bc
}

func remoteKeyCases() []badCase {
	return []badCase{
		hostileKey("parent folder", "../x.txt", 1, "../x.txt"),
		hostileKey("absolute path", "/abs.txt", 1, "p//abs.txt"),
		hostileKey("climbing out through a folder", "a/../../b.txt", 1, "a/../../b.txt"),
		hostileKey("dot-dot inside", "a/b/../c.txt", 1, "a/b/../c.txt"),
		hostileKey("double slash", "a//b.txt", 1, "a//b.txt"),
		hostileKey("a dot", ".", 1, "p/."),
		hostileKey("dot folder", "a/./b.txt", 1, "a/./b.txt"),
		hostileKey("NUL byte", "nul\x00byte.txt", 1, "x00byte.txt"),
		hostileKey("zero-width joiner before dot-dot", "a\u200d/../../b.txt", 1, "../../b.txt"),
		hostileKey("backslashes (a name on this system)", `..\..\x.txt`, 0),
		hostileKey("drive letter", `C:\x.txt`, exitRefusedOrKept, "p/C:"),
		hostileKey("symbol for NUL", "sym\u2400.txt", 0),
		hostileKey("fullwidth dots (dot-dot after NFKC)", "\uff0e\uff0e/x.txt", 0),
		hostileKey("byte order mark and right-to-left override", "\ufeffevil\u202etxt.exe", 0),
		hostileKey("control character", "ctl\x01.txt", 0),
		hostileKey("300-byte name", strings.Repeat("n", 300)+".txt", 1, strings.Repeat("n", 300)),
		{name: "remote key: newline", exit: 0, pull: true, setup: func(c *caseRig) {
			c.put("ok.txt", okFile, nil)
			c.put("two\nFORGED lines.txt", []byte("newline"), nil)
			c.pairConfig("pull")
		}, check: func(c *caseRig, r result) {
			c.wantFile("two\nFORGED lines.txt", []byte("newline"))
			wantNoForgedLine(c, r, "FORGED")
		}},
		{name: "remote key: terminal control sequence", exit: 0, pull: true, setup: func(c *caseRig) {
			c.put("ok.txt", okFile, nil)
			c.put("title"+osc+".txt", []byte("osc"), nil)
			c.pairConfig("pull")
		}, check: func(c *caseRig, r result) {
			c.wantFile("title"+osc+".txt", []byte("osc"))
			wantNoRaw(c, r, osc)
		}},
		{name: "remote key: a file and a folder of one name", exit: 1, pull: true, setup: func(c *caseRig) {
			c.put("d", []byte("a file"), nil)
			c.put("d/f.txt", []byte("in a folder"), nil)
			c.pairConfig("pull")
		}, check: func(c *caseRig, r result) {
			// Either one arrives and the other is refused by name.
			if _, err := os.Stat(filepath.Join(c.root, "d", "f.txt")); err == nil {
				if !refusedD.MatchString(r.text()) {
					c.t.Errorf("the file d was neither pulled nor named as refused:\n%s", r)
				}
			} else {
				c.wantFile("d", []byte("a file"))
				contains(c.t, r, "d/f.txt")
			}
		}},
		{name: "remote key: named like a temporary file", exit: exitAnyFailure, pull: true, want: []string{".ks3sync-tmp-evil"}, setup: func(c *caseRig) {
			c.put("ok.txt", okFile, nil)
			c.put(".ks3sync-tmp-evil", []byte("looks like ours"), nil)
			c.pairConfig("pull")
		}, check: func(c *caseRig, _ result) { c.wantFile("ok.txt", okFile) }},
		{name: "remote key: through a link to another folder (run)", exit: 1, pull: true, want: []string{"link/evil.txt"}, setup: func(c *caseRig) {
			linkOutside(c)
			c.put("ok.txt", okFile, nil)
			c.put("link/evil.txt", []byte("evil"), nil)
			c.put("link/victim.txt", []byte("overwritten"), nil)
			c.pairConfig("pull")
		}, check: func(c *caseRig, _ result) { c.wantFile("ok.txt", okFile) }},
		{name: "remote key: through a link to another folder (cp -r)", exit: 1, pull: true, want: []string{"link/evil.txt"}, setup: func(c *caseRig) {
			linkOutside(c)
			c.put("ok.txt", okFile, nil)
			c.put("link/evil.txt", []byte("evil"), nil)
			c.put("link/victim.txt", []byte("overwritten"), nil)
			c.args = []string{"--endpoint", c.e.srv.URL, "cp", "-r", "ks3://" + c.bucket + "/p/", c.root}
		}, check: func(c *caseRig, _ result) { c.wantFile("ok.txt", okFile) }},
		{name: "remote key: climbing out with cp -r", exit: 1, pull: true, want: []string{"../x.txt"}, setup: func(c *caseRig) {
			os.MkdirAll(c.root, 0o755)
			c.put("ok.txt", okFile, nil)
			c.put("../x.txt", []byte("escape"), nil)
			c.args = []string{"--endpoint", c.e.srv.URL, "cp", "-r", "ks3://" + c.bucket + "/p/", c.root}
		}, check: func(c *caseRig, _ result) { c.wantFile("ok.txt", okFile) }},
	}
}

// refusedD is an error line naming the path "d".
var refusedD = regexp.MustCompile(`(?m)^.*(error|failed).*(\bd:|path=d\b)`)

// linkOutside makes root/link point at a folder beside the root that holds
// a file the pull must not overwrite.
func linkOutside(c *caseRig) {
	c.t.Helper()
	writeFile(c.t, c.dir, "elsewhere/victim.txt", []byte("the victim's own content"))
	os.MkdirAll(c.root, 0o755)
	if err := os.Symlink(filepath.Join(c.dir, "elsewhere"), filepath.Join(c.root, "link")); err != nil {
		c.t.Fatal(err)
	}
}
