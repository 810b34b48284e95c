//go:build linux

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/objmeta"
)

// goodConfig is a valid config for the case's one pair; the bad-input
// cases spoil it. Placeholders are filled in by rawConfig.
const goodConfig = `endpoint: {endpoint}
state: {state}
pairs:
  - name: p
    local: {root}
    bucket: {bucket}
    prefix: p/
`

// rawConfig writes text as the case's config, with {endpoint}, {state},
// {root}, {bucket} and {dir} filled in, and makes `run` the command.
func (c *caseRig) rawConfig(text string) {
	c.t.Helper()
	c.cfg = filepath.Join(c.dir, "ks3sync.yaml")
	text = strings.NewReplacer("{endpoint}", c.e.srv.URL, "{state}", filepath.Join(c.dir, "state", "state.db")).Replace(text)
	if err := os.WriteFile(c.cfg, []byte(c.expand(text)), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

// pairConfig writes goodConfig with the pair's direction and extra pair
// lines (each indented four spaces).
func (c *caseRig) pairConfig(direction string, extra ...string) {
	text := goodConfig + "    direction: " + direction + "\n"
	for _, line := range extra {
		text += "    " + line + "\n"
	}
	c.rawConfig(text)
}

// wantLine makes the output name the line of text that holds needle.
func (c *caseRig) wantLine(text, needle string) {
	c.t.Helper()
	for i, line := range strings.Split(text, "\n") {
		if strings.Contains(line, needle) {
			c.want = append(c.want, fmt.Sprintf("line %d", i+1))
			return
		}
	}
	c.t.Fatalf("no line holds %q", needle)
}

// file writes a file under the pair's folder.
func (c *caseRig) file(rel string, data []byte) string {
	return writeFile(c.t, c.root, rel, data)
}

// put stores an object under the case prefix with the metadata ks3sync
// writes, and meta on top.
func (c *caseRig) put(rel string, data []byte, meta map[string]string) {
	c.t.Helper()
	opts := ks3.PutOptions{Metadata: map[string]string{objmeta.NameMD5: md5hex(data), objmeta.NameMTime: objmeta.FormatMTime(time.Now())}}
	for k, v := range meta {
		opts.Metadata[k] = v
	}
	if _, err := c.e.client.PutObject(context.Background(), c.bucket, c.prefix+rel, bytes.NewReader(data), int64(len(data)), opts); err != nil {
		c.t.Fatalf("put %q: %v", c.prefix+rel, err)
	}
}

// prepare runs the binary as part of the setup; it must succeed.
func (c *caseRig) prepare(args ...string) {
	c.t.Helper()
	if r := c.e.invoke(invocation{args: args, env: c.env}); r.code != 0 {
		c.t.Fatalf("setup: ks3sync %s: %s", strings.Join(args, " "), r)
	}
}

// hasObject reports whether the case bucket holds rel with content data.
func (c *caseRig) hasObject(rel string, data []byte) bool {
	obj, err := c.e.client.GetObject(context.Background(), c.bucket, c.prefix+rel, ks3.GetOptions{})
	if err != nil {
		return false
	}
	defer obj.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(obj.Body)
	return bytes.Equal(buf.Bytes(), data)
}

// wantObject fails the case unless the bucket holds rel with content data.
func (c *caseRig) wantObject(rel string, data []byte) {
	c.t.Helper()
	if !c.hasObject(rel, data) {
		c.t.Errorf("%q was not uploaded", c.prefix+rel)
	}
}

// wantFile fails the case unless the folder holds rel with content data.
func (c *caseRig) wantFile(rel string, data []byte) {
	c.t.Helper()
	got, err := os.ReadFile(filepath.Join(c.root, filepath.FromSlash(rel)))
	if err != nil || !bytes.Equal(got, data) {
		c.t.Errorf("%q was not pulled: %v", rel, err)
	}
}

// wantNoTemp fails the case if a temporary file of ks3sync is left under
// dir.
func (c *caseRig) wantNoTemp(dir string) {
	c.t.Helper()
	for rel, kind := range treeKinds(c.t, dir, nil) {
		if strings.Contains(filepath.Base(rel), ".ks3sync-tmp-") && kind != "dir" {
			c.t.Errorf("temporary file left: %s", rel)
		}
	}
}

// wantNoForgedLine fails the case if a line of the output starts with
// marker, which a name with a newline could forge.
func wantNoForgedLine(c *caseRig, r result, marker string) {
	c.t.Helper()
	for _, line := range strings.Split(r.text(), "\n") {
		if strings.HasPrefix(line, marker) {
			c.t.Errorf("a name with a newline forged the output line %q", line)
		}
	}
}

// wantNoRaw fails the case if the output carries seq as raw bytes (a
// terminal control sequence from a name).
func wantNoRaw(c *caseRig, r result, seq string) {
	c.t.Helper()
	if strings.Contains(r.stdout+r.stderr, seq) {
		c.t.Errorf("the output carries the raw control sequence %q from a name", seq)
	}
}
