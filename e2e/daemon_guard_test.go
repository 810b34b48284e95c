package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A pass the delete guard refuses: `run` exits non-zero naming the command
// that proceeds, --json has a refused event and a pass-end with outcome
// refused, nothing is deleted; `run --max-delete 100%` then proceeds.
func TestDaemonRunRefusal(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("bkt")
	local := filepath.Join(e.dir, "src")
	for i := range 5 {
		writeFile(t, local, fmt.Sprintf("f%d.txt", i), []byte{byte(i)})
	}
	cfg := e.writeConfig("g.yaml", fmt.Sprintf("pairs:\n  - name: g\n    local: %s\n    bucket: bkt\n    delete: propagate\n    max_delete: 50%%\n", local))
	e.mustRun(0, "run", "--config", cfg)
	for i := range 3 {
		os.Remove(filepath.Join(local, fmt.Sprintf("f%d.txt", i)))
	}
	r := e.run("run", "--config", cfg)
	proceed := "ks3sync --config " + cfg + " run --pair g --max-delete 3"
	if r.code != 1 || !strings.Contains(r.stderr, "refusing to delete 3 of 5") || !strings.Contains(r.stderr, proceed) ||
		!strings.Contains(r.stdout, "g refused: nothing was changed") || strings.Contains(r.stdout+r.stderr, "synced") {
		t.Fatalf("refused run: want exit 1 naming %q and never \"synced\", got %s", proceed, r)
	}

	r = e.run("run", "--config", cfg, "--json")
	var kinds []string
	var end, refused map[string]any
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	for sc.Scan() {
		var ev map[string]any
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("a --json line is not JSON: %q", sc.Text())
		}
		kinds = append(kinds, fmt.Sprint(ev["event"]))
		switch ev["event"] {
		case "refused":
			refused = ev
		case "pass-end":
			end = ev
		}
	}
	guard, _ := refused["guard"].(map[string]any)
	if r.code != 1 || strings.Join(kinds, ",") != "pass-start,refused,pass-end" || end["outcome"] != "refused" ||
		guard["name"] != "max_delete" || guard["proceed"] != proceed || guard["deletes"] != 3.0 {
		t.Fatalf("--json of a refused run: events %v, refused %v, pass-end %v\n%s", kinds, refused, end, r)
	}
	if n := len(e.keys("bkt", "")); n != 5 {
		t.Fatalf("the refused passes deleted: %d objects left", n)
	}

	r = e.mustRun(0, "run", "--config", cfg, "--max-delete", "100%")
	if !strings.Contains(r.stdout, "g synced:") || len(e.keys("bkt", "")) != 2 {
		t.Fatalf("run --max-delete 100%%: %s; %d objects", r, len(e.keys("bkt", "")))
	}
	if r := e.run("run", "--config", cfg, "--max-delete", "lots"); r.code != 2 || !strings.Contains(r.stderr, "--max-delete") {
		t.Fatalf("a bad --max-delete: %s", r)
	}
}

// In watch mode a refused pass makes the pair unhealthy with the command
// that proceeds, counts in the metrics and is notified once.
func TestDaemonWatchRefusal(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("bkt")
	local := filepath.Join(e.dir, "w")
	for i := range 5 {
		writeFile(t, local, fmt.Sprintf("f%d.txt", i), []byte{byte(i)})
	}
	addr, hook := freeAddr(t), newWebhook(t)
	cfg := e.writeConfig("r.yaml", fmt.Sprintf(`http: "%s"
notify: {webhook: "%s"}
pairs:
  - name: w
    local: %s
    bucket: bkt
    delete: propagate
    max_delete: 50%%
    watch: {delay: 100ms, max_delay: 1s, rescan: 1h}
`, addr, hook.URL, local))
	e.startWatch(cfg)
	e.bucketMatches("bkt", "", tree{"f0.txt": {0}, "f1.txt": {1}, "f2.txt": {2}, "f3.txt": {3}, "f4.txt": {4}}, 30*time.Second)
	waitFor(t, 30*time.Second, "/healthz 200", func() (bool, string) {
		code, m := healthz(t, addr)
		return code == 200, fmt.Sprint(m)
	})
	for i := range 4 {
		os.Remove(filepath.Join(local, fmt.Sprintf("f%d.txt", i)))
	}
	waitFor(t, 30*time.Second, "a refusal on /healthz", func() (bool, string) {
		code, m := healthz(t, addr)
		reason, msg := unhealthyReason(m, "w")
		return code == 503 && reason == "guard_refusal" && strings.Contains(msg, "run --pair w --max-delete 4"), fmt.Sprint(code, m)
	})
	if v := metric(t, addr, `ks3sync_passes_total{outcome="refused",pair="w"}`); v < 1 {
		t.Errorf("refused passes metric = %v, want at least 1", v)
	}
	waitFor(t, 10*time.Second, "the refusal notification", func() (bool, string) {
		return strings.Contains(fmt.Sprint(hook.got()), "refused w"), fmt.Sprint(hook.got())
	})
	if n := len(e.keys("bkt", "")); n != 5 {
		t.Fatalf("the refused pass deleted: %d objects left", n)
	}
}

// The delete guard judges each watch pass on its own, and a renamed file
// is not a deletion: in a pair of one 5-file folder, two files are deleted
// (2 of 5, within max_delete 50%), then the folder is renamed (3 deletions
// of the 3 files left, all of them renames), and both sync, as with run.
func TestDaemonFolderRenameAfterDeletes(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("bkt")
	local := filepath.Join(e.dir, "w")
	files := tree{}
	for i := range 5 {
		files[fmt.Sprintf("album/p%d.jpg", i)] = []byte(fmt.Sprintf("photo %d", i))
	}
	files.write(t, local)
	cfg := e.writeConfig("m.yaml", fmt.Sprintf(`pairs:
  - name: w
    local: %s
    bucket: bkt
    delete: propagate
    max_delete: 50%%
    watch: {delay: 200ms, max_delay: 2s, rescan: 1h}
`, local))
	e.startWatch(cfg)
	e.bucketMatches("bkt", "", files, 30*time.Second)
	for _, n := range []string{"album/p0.jpg", "album/p1.jpg"} {
		os.Remove(filepath.Join(local, filepath.FromSlash(n)))
		delete(files, n)
	}
	e.bucketMatches("bkt", "", files, 30*time.Second)
	if err := os.Rename(filepath.Join(local, "album"), filepath.Join(local, "album2")); err != nil {
		t.Fatal(err)
	}
	for i := 2; i < 5; i++ {
		files[fmt.Sprintf("album2/p%d.jpg", i)] = files[fmt.Sprintf("album/p%d.jpg", i)]
		delete(files, fmt.Sprintf("album/p%d.jpg", i))
	}
	e.bucketMatches("bkt", "", files, 30*time.Second)
}
