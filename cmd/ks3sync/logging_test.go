package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for concurrent writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// topLevelKeys returns the keys of a JSON object in order, repeats
// included (a map would hide a duplicate).
func topLevelKeys(t *testing.T, line string) []string {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(line))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %q", line)
	}
	var keys []string
	for d.More() {
		k, err := d.Token()
		if err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := d.Decode(&skip); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
	}
	return keys
}

// runCommand runs the ks3sync command line in this process and returns
// what it logged.
func runCommand(t *testing.T, ctx context.Context, args ...string) string {
	t.Helper()
	root, a := newRootCmd()
	defer a.close()
	var out bytes.Buffer
	var errw lockedBuffer // loggers of several goroutines write to it
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errw)
	if err := root.ExecuteContext(ctx); err != nil && ctx.Err() == nil {
		t.Fatalf("ks3sync %s: %v\n%s", strings.Join(args, " "), err, errw.String())
	}
	return errw.String()
}

// TestJSONLogLinesHaveOneComponent runs the commands whose loggers pass
// through several packages (run: the syncer, its scan and the embedded
// store; watch: the daemon and the watcher) and checks that every JSON log
// line names exactly one component.
func TestJSONLogLinesHaveOneComponent(t *testing.T) {
	t.Setenv("KS3_ACCESS_KEY", "")
	t.Setenv("KS3_SECRET_KEY", "")
	dir := t.TempDir()
	local := filepath.Join(dir, "data")
	if err := os.MkdirAll(local, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(local, "a.txt"), []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(dir, filepath.Join(local, "link")); err != nil { // the scan warns about it
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "ks3sync.yaml")
	doc := fmt.Sprintf("endpoint: local:%s\nstate: %s\nlog: {level: debug, format: json}\n"+
		"pairs:\n  - {name: p, local: %s, bucket: bkt, watch: {delay: 100ms, max_delay: 1s}}\n",
		filepath.Join(dir, "store"), filepath.Join(dir, "state.db"), local)
	if err := os.WriteFile(cfg, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	logs := runCommand(t, t.Context(), "run", "--config", cfg, "--no-progress")
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	go func() { // the watcher warns about a watched folder that goes away
		time.Sleep(time.Second)
		os.Rename(local, local+".away")
		time.Sleep(500 * time.Millisecond)
		os.Rename(local+".away", local)
	}()
	logs += runCommand(t, ctx, "watch", "--config", cfg)
	seen := map[string]bool{}
	for line := range strings.Lines(logs) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		n := 0
		for _, k := range topLevelKeys(t, line) {
			if k == "component" {
				n++
			}
		}
		if n > 1 {
			t.Errorf("%d component keys in %s", n, line)
		}
		var v struct{ Component string }
		json.Unmarshal([]byte(line), &v)
		seen[v.Component] = true
	}
	for _, c := range []string{"syncer", "ks3server", "watch", "watcher"} {
		if !seen[c] {
			t.Errorf("no log line of component %q; the test no longer covers it:\n%s", c, logs)
		}
	}
}
