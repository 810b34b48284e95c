package e2e

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/planner"
)

// hostileTree maps keys that Windows cannot hold as they are to the local
// names the Windows rules give them ("" for keys that are skipped).
var hostileTree = map[string]string{
	"CON.txt":      "ＣON.txt",
	"a:b":          "a：b",
	"what?":        "what？",
	"name.":        "name．",
	"trail ":       "trail␠",
	"Report.pdf":   "", // with report.pdf: one file on a case-insensitive disk
	"report.pdf":   "",
	"tab\tname":    "tab␉name", // XML listings cannot carry 0x01-0x08, so the wire test uses a tab
	"dir|x/f<1>":   "dir｜x/f＜1＞",
	"ok/plain.txt": "ok/plain.txt",
	"deep/" + strings.Repeat("d", 96) + "/" + strings.Repeat("e", 96) + "/" + strings.Repeat("f", 100): "deep/" + strings.Repeat("d", 96) + "/" + strings.Repeat("e", 96) + "/" + strings.Repeat("f", 100),
}

// TestNamesWindowsRulesPullAndPush pulls the hostile tree with the Windows
// name rules forced (KS3SYNC_NAME_RULES, the test switch for another
// system's rules), then pushes every pulled file back after an edit: each
// goes to exactly its original key, nothing is overwritten or renamed, and
// the two keys that differ only in case are skipped with a warning that
// the run's events and status show, without failing the run.
func TestNamesWindowsRulesPullAndPush(t *testing.T) {
	t.Setenv("KS3SYNC_NAME_RULES", "windows")
	e := newEnv(t)
	e.mkBucket("bkt")
	for key := range hostileTree {
		e.put("bkt", "h/"+key, []byte("content of "+key))
	}
	local := filepath.Join(e.dir, "win")
	cfg := e.writeConfig("w.yaml", fmt.Sprintf(
		"pairs:\n  - name: w\n    local: %s\n    bucket: bkt\n    prefix: h/\n    direction: both\n    delete: propagate\n    max_delete: 100%%\n", local))

	r := e.mustRun(0, "run", "--config", cfg, "--json") // a skip is reported, not a failure
	skips := skippedKeys(t, r.stdout)
	if want := []string{"h/Report.pdf", "h/report.pdf"}; !slices.Equal(skips, want) {
		t.Errorf("skipped %q, want %q\n%s", skips, want, r)
	}
	for key, name := range hostileTree {
		if name == "" {
			continue
		}
		got, err := os.ReadFile(filepath.Join(local, filepath.FromSlash(name)))
		if err != nil || string(got) != "content of "+key {
			t.Errorf("key %q: local %q = %q, %v", key, name, got, err)
		}
	}
	if n := countFiles(t, local); n != len(hostileTree)-2 {
		t.Errorf("%d files pulled, want %d", n, len(hostileTree)-2)
	}
	status := e.mustRun(0, "status", "--config", cfg, "--json").stdout
	if !strings.Contains(status, "report.pdf") || !strings.Contains(status, "letter case") {
		t.Errorf("status does not show the skipped keys:\n%s", status)
	}

	// A second pass finds nothing to transfer.
	e.srv.ResetStats()
	e.mustRun(0, "run", "--config", cfg)
	if st := e.srv.Stats(); st.Requests["PutObject"]+st.Requests["GetObject"]+st.Requests["DeleteObjects"] != 0 {
		t.Errorf("second pass sent requests: %v", st.Requests)
	}

	// Edit every pulled file: each goes back to its own key.
	later := time.Now().Add(time.Minute)
	for key, name := range hostileTree {
		if name != "" {
			p := filepath.Join(local, filepath.FromSlash(name))
			writeFile(t, local, filepath.ToSlash(name), []byte("edited "+key))
			os.Chtimes(p, later, later)
		}
	}
	e.mustRun(0, "run", "--config", cfg)
	want := slices.Sorted(maps.Keys(hostileTree))
	for i := range want {
		want[i] = "h/" + want[i]
	}
	slices.Sort(want)
	if got := e.keys("bkt", "h/"); !slices.Equal(got, want) {
		t.Errorf("keys after the push\n  %q\nwant\n  %q", got, want)
	}
	for key, name := range hostileTree {
		got, _ := e.getObject("bkt", "h/"+key)
		if wantData := map[bool]string{true: "content of ", false: "edited "}[name == ""] + key; string(got) != wantData {
			t.Errorf("h/%s = %q, want %q", key, got, wantData)
		}
	}
}

// TestNamesCpRecursiveWindowsRules: cp -r follows the same rules, and a
// copy back up writes the original keys.
func TestNamesCpRecursiveWindowsRules(t *testing.T) {
	t.Setenv("KS3SYNC_NAME_RULES", "windows")
	e := newEnv(t)
	e.mkBucket("bkt")
	for key := range hostileTree {
		e.put("bkt", "h/"+key, []byte("content of "+key))
	}
	out := filepath.Join(e.dir, "out")
	r := e.tool(1, "cp", "-r", "ks3://bkt/h/", out)
	contains(t, r, "letter case", "1 of 11")
	for key, name := range hostileTree {
		if name == "" {
			continue
		}
		if got, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(name))); err != nil || string(got) != "content of "+key {
			t.Errorf("key %q: %q = %q, %v", key, name, got, err)
		}
	}
	e.tool(0, "cp", "-r", out, "ks3://bkt/back/")
	var want []string
	for key := range hostileTree {
		want = append(want, "back/"+key)
	}
	slices.Sort(want)
	got := e.keys("bkt", "back/")
	// One of Report.pdf and report.pdf was downloaded; it goes back up
	// under its own key.
	got = slices.DeleteFunc(got, func(k string) bool { return strings.EqualFold(k, "back/report.pdf") })
	want = slices.DeleteFunc(want, func(k string) bool { return strings.EqualFold(k, "back/report.pdf") })
	if !slices.Equal(got, want) {
		t.Errorf("keys after cp -r back\n  %q\nwant\n  %q", got, want)
	}
}

// skippedKeys returns the keys of the error events of a --json run.
func skippedKeys(t *testing.T, stdout string) []string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(stdout, "\n") {
		var ev struct {
			Kind   string `json:"event"`
			Key    string `json:"key"`
			Reason string `json:"reason"`
		}
		if json.Unmarshal([]byte(line), &ev) != nil || ev.Kind != "warning" && ev.Kind != "error" {
			continue
		}
		if ev.Kind == "error" {
			t.Errorf("a skip is a warning, not an error: %s", line)
		} else if !strings.HasPrefix(ev.Reason, "skipped") {
			continue // another warning
		}
		out = append(out, ev.Key)
	}
	slices.Sort(out)
	return out
}

func countFiles(t *testing.T, root string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() && p == filepath.Join(root, planner.ReservedDir) {
			return filepath.SkipDir // ks3sync's folder marker of a both pair
		}
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
