package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/ks3server/faults"
)

// tree is a set of files by slash path.
type tree map[string][]byte

// sampleTree has nested folders, empty files and names that need escaping.
func sampleTree(big int) tree {
	t := tree{
		"a.txt":                       []byte("alpha\n"),
		"empty.txt":                   {},
		"nested/deeper/deepest/x.bin": pseudoRandom(1, 150_000),
		"names/with space.txt":        []byte("space"),
		"names/plus+sign.txt":         []byte("plus"),
		"names/100%.txt":              []byte("percent"),
		"names/hash#tag.txt":          []byte("hash"),
		"names/what?.txt":             []byte("question"),
		"names/ünïcödé/中文.txt":        []byte("unicode"),
		"names/emoji 🎉.txt":           []byte("emoji"),
		"names/tilde~star*.txt":       []byte("tilde"),
	}
	if big > 0 {
		t["big/large.bin"] = pseudoRandom(2, big)
	}
	return t
}

func pseudoRandom(seed uint64, n int) []byte {
	r := mrand.New(mrand.NewPCG(seed, seed*7+1))
	b := make([]byte, n)
	for i := 0; i < n; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8 && i+j < n; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return b
}

func (tr tree) write(t *testing.T, root string) {
	t.Helper()
	for rel, data := range tr {
		writeFile(t, root, rel, data)
	}
}

// readTree reads every regular file under root.
func readTree(t *testing.T, root string) tree {
	t.Helper()
	out := tree{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		data, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (tr tree) keys() []string {
	var ks []string
	for k := range tr {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func assertSameTree(t *testing.T, want, got tree) {
	t.Helper()
	if w, g := strings.Join(want.keys(), "\n"), strings.Join(got.keys(), "\n"); w != g {
		t.Fatalf("file sets differ:\nwant:\n%s\ngot:\n%s", w, g)
	}
	for k, w := range want {
		if !bytes.Equal(w, got[k]) {
			t.Errorf("%s: content differs (%d vs %d bytes)", k, len(w), len(got[k]))
		}
	}
}

func pairConfig(e *env, name, local, bucket, extra string) string {
	return e.writeConfig(name+".yaml", fmt.Sprintf(`multipart_threshold: 8MiB
part_size: 5MiB
pairs:
  - name: %s
    local: %s
    bucket: %s
    prefix: backup/
    max_delete: 100%%
%s`, name, local, bucket, extra))
}

func TestRunPushIsCompleteAndIdempotent(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("bkt")
	local := filepath.Join(e.dir, "src")
	want := sampleTree(40 << 20)
	want.write(t, local)
	cfg := pairConfig(e, "p", local, "bkt", "")

	r := e.mustRun(0, "run", "--config", cfg)
	if !strings.Contains(r.stdout, "uploaded") {
		t.Fatalf("no upload reported:\n%s", r)
	}
	for rel, data := range want {
		got, obj := e.getObject("bkt", "backup/"+rel)
		if !bytes.Equal(got, data) {
			t.Errorf("%s: object differs from the file", rel)
		}
		if obj.Metadata["md5"] == "" || obj.Metadata["mtime"] == "" {
			t.Errorf("%s: sync metadata missing: %v", rel, obj.Metadata)
		}
	}
	if n := e.srv.Stats().Requests["UploadPart"]; n < 8 {
		t.Errorf("the 40 MB file went up in %d parts; want multipart", n)
	}

	r = e.mustRun(0, "status", "--config", cfg, "--json")
	var status struct {
		Pending int `json:"pending"`
		Runs    []struct {
			Status   string `json:"status"`
			Uploaded int    `json:"uploaded"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &status); err != nil || len(status.Runs) != 1 || status.Runs[0].Uploaded != len(want) || status.Runs[0].Status != "ok" {
		t.Errorf("status after one run: %v\n%s", err, r)
	}

	e.srv.ResetStats()
	r = e.mustRun(0, "run", "--config", cfg)
	st := e.srv.Stats()
	for _, op := range []string{"PutObject", "UploadPart", "GetObject", "InitiateMultipartUpload", "DeleteObjects", "HeadObject"} {
		if st.Requests[op] != 0 {
			t.Errorf("no-op re-run sent %d %s request(s)", st.Requests[op], op)
		}
	}
}

func TestRunPushChanges(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("bkt")
	local := filepath.Join(e.dir, "src")
	tr := sampleTree(0)
	tr.write(t, local)
	cfg := pairConfig(e, "p", local, "bkt", "    delete: propagate\n")
	e.mustRun(0, "run", "--config", cfg)

	// modify, same-size edit, touch, delete, rename
	writeFile(t, local, "a.txt", []byte("alpha changed\n"))
	writeFile(t, local, "names/plus+sign.txt", []byte("PLUS"))
	later := time.Now().Add(time.Hour)
	os.Chtimes(filepath.Join(local, "empty.txt"), later, later)
	os.Remove(filepath.Join(local, "names/hash#tag.txt"))
	os.Rename(filepath.Join(local, "names/what?.txt"), filepath.Join(local, "names/renamed.txt"))

	e.srv.ResetStats()
	e.mustRun(0, "run", "--config", cfg)
	if got := e.srv.Stats().Requests["PutObject"]; got != 4 {
		t.Errorf("PutObject = %d, want 4 (changed, same-size edit, renamed, and the change journal's entry; not the touched file)", got)
	}
	got, _ := e.getObject("bkt", "backup/names/plus+sign.txt")
	if string(got) != "PLUS" {
		t.Errorf("same-size edit not uploaded: %q", got)
	}
	keys := strings.Join(e.keys("bkt", "backup/names/"), "\n")
	if strings.Contains(keys, "hash#tag") || strings.Contains(keys, "what?") {
		t.Errorf("deleted or renamed files still in the bucket:\n%s", keys)
	}
	if !strings.Contains(keys, "renamed.txt") {
		t.Errorf("renamed file missing:\n%s", keys)
	}
}

func TestRunPullReproducesTree(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("bkt")
	src := filepath.Join(e.dir, "src")
	want := sampleTree(9 << 20)
	want.write(t, src)
	old := time.Date(2021, 3, 4, 5, 6, 7, 123456789, time.UTC)
	os.Chtimes(filepath.Join(src, "a.txt"), old, old)
	e.mustRun(0, "run", "--config", pairConfig(e, "up", src, "bkt", ""))

	dst := filepath.Join(e.dir, "dst")
	cfg := pairConfig(e, "down", dst, "bkt", "    direction: pull\n")
	e.mustRun(0, "run", "--config", cfg)
	assertSameTree(t, want, readTree(t, dst))
	fi, err := os.Stat(filepath.Join(dst, "a.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !fi.ModTime().Equal(old) {
		t.Errorf("mtime = %v, want %v", fi.ModTime(), old)
	}
	e.srv.ResetStats()
	e.mustRun(0, "run", "--config", cfg)
	if n := e.srv.Stats().Requests["GetObject"]; n != 0 {
		t.Errorf("no-op pull downloaded %d object(s)", n)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dst, "*", ".ks3sync-tmp-*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

func TestRunBothConflictKeepsBoth(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("bkt")
	local := filepath.Join(e.dir, "both")
	writeFile(t, local, "doc.txt", []byte("v1"))
	cfg := pairConfig(e, "b", local, "bkt", "    direction: both\n")
	e.mustRun(0, "run", "--config", cfg)

	writeFile(t, local, "doc.txt", []byte("local v2"))
	if _, err := e.client.PutObject(context.Background(), "bkt", "backup/doc.txt", bytes.NewReader([]byte("remote v2")), 9, ks3.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	r := e.mustRun(0, "run", "--config", cfg)
	if !strings.Contains(r.stdout, "conflict") {
		t.Errorf("conflict not reported:\n%s", r)
	}
	got := readTree(t, local)
	if string(got["doc.txt"]) != "remote v2" {
		t.Errorf("doc.txt = %q, want the remote version", got["doc.txt"])
	}
	var kept string
	for k, v := range got {
		if strings.HasPrefix(k, "doc.conflict-") && strings.HasSuffix(k, ".txt") && string(v) == "local v2" {
			kept = k
		}
	}
	if kept == "" {
		t.Fatalf("local version not kept as a conflict copy: %v", got.keys())
	}
	// The next pass uploads the conflict copy like any new file.
	e.mustRun(0, "run", "--config", cfg)
	if data, _ := e.getObject("bkt", "backup/"+kept); string(data) != "local v2" {
		t.Errorf("conflict copy not uploaded")
	}
}

func TestRunEncryptedRoundTrip(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("bkt")
	keyFile := filepath.Join(e.dir, "key")
	key := make([]byte, 16)
	for {
		rand.Read(key)
		if key[0] > ' ' && key[15] > ' ' {
			break
		}
	}
	os.WriteFile(keyFile, key, 0o600)
	src := filepath.Join(e.dir, "src")
	want := sampleTree(12 << 20)
	want.write(t, src)
	enc := fmt.Sprintf("    encryption: {key_file: %s}\n", keyFile)
	e.mustRun(0, "run", "--config", pairConfig(e, "up", src, "bkt", enc))

	data, obj := e.getObject("bkt", "backup/a.txt")
	if bytes.Contains(data, []byte("alpha")) || obj.Metadata["iv"] == "" || obj.Metadata["key"] == "" {
		t.Fatalf("object stored in plaintext or without SDK metadata: %v", obj.Metadata)
	}
	dst := filepath.Join(e.dir, "dst")
	e.mustRun(0, "run", "--config", pairConfig(e, "down", dst, "bkt", "    direction: pull\n"+enc))
	assertSameTree(t, want, readTree(t, dst))

	// A wrong key writes nothing and names the object.
	wrong := filepath.Join(e.dir, "wrong")
	os.WriteFile(wrong, []byte("0123456789abcdef"), 0o600)
	dst2 := filepath.Join(e.dir, "dst2")
	r := e.run("run", "--config", pairConfig(e, "wrong", dst2, "bkt", fmt.Sprintf("    direction: pull\n    encryption: {key_file: %s}\n", wrong)))
	if r.code != 1 || !strings.Contains(r.stderr+r.stdout, "backup/a.txt") {
		t.Fatalf("wrong key: want exit 1 naming the object, got %s", r)
	}
	// Empty files are stored unencrypted (as the SDK does), so only they
	// may arrive.
	for k, v := range readTree(t, dst2) {
		if len(v) != 0 {
			t.Errorf("wrong key wrote %s", k)
		}
	}
}

func TestRunDryRunChangesNothing(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("bkt")
	local := filepath.Join(e.dir, "src")
	sampleTree(0).write(t, local)
	cfg := pairConfig(e, "p", local, "bkt", "")
	r := e.mustRun(0, "run", "--config", cfg, "--dry-run", "--json")
	if n := len(e.keys("bkt", "")); n != 0 {
		t.Fatalf("dry run uploaded %d object(s)", n)
	}
	planned := 0
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var ev map[string]any
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("--json printed a non-JSON line %q", line)
		}
		if ev["event"] == "planned" && ev["action"] == "upload" {
			planned++
		}
	}
	if planned != len(sampleTree(0)) {
		t.Errorf("dry run planned %d uploads, want %d", planned, len(sampleTree(0)))
	}
	if st := e.srv.Stats(); st.Requests["PutObject"] != 0 {
		t.Errorf("dry run sent PUTs")
	}
}

func TestRunLostStateUploadsNothing(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("bkt")
	local := filepath.Join(e.dir, "src")
	sampleTree(10<<20).write(t, local)
	cfg := pairConfig(e, "p", local, "bkt", "")
	e.mustRun(0, "run", "--config", cfg)
	matches, _ := filepath.Glob(filepath.Join(e.dir, "p.yaml.state.db*"))
	if len(matches) == 0 {
		t.Fatal("state DB not where the config put it")
	}
	for _, m := range matches {
		os.Remove(m)
	}
	e.srv.ResetStats()
	e.mustRun(0, "run", "--config", cfg)
	st := e.srv.Stats()
	if st.Requests["PutObject"]+st.Requests["UploadPart"]+st.Requests["GetObject"] != 0 {
		t.Errorf("after losing the state DB the run transferred data: %v", st.Requests)
	}
}

func TestRunMaxDeleteGuard(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("bkt")
	local := filepath.Join(e.dir, "src")
	for i := range 10 {
		writeFile(t, local, fmt.Sprintf("f%d.txt", i), []byte{byte(i)})
	}
	cfg := e.writeConfig("g.yaml", fmt.Sprintf("pairs:\n  - name: g\n    local: %s\n    bucket: bkt\n    delete: propagate\n    max_delete: 50%%\n", local))
	e.mustRun(0, "run", "--config", cfg)
	for i := range 6 {
		os.Remove(filepath.Join(local, fmt.Sprintf("f%d.txt", i)))
	}
	r := e.run("run", "--config", cfg)
	if r.code != 1 || !strings.Contains(r.stderr, "6") {
		t.Fatalf("guard: want exit 1 mentioning 6 deletions, got %s", r)
	}
	if n := len(e.keys("bkt", "")); n != 10 {
		t.Errorf("guard let deletions through: %d objects left", n)
	}
}

func TestRunSurvivesFaults(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("bkt")
	local := filepath.Join(e.dir, "src")
	want := sampleTree(12 << 20)
	for i := range 40 {
		want[fmt.Sprintf("many/f%02d.bin", i)] = pseudoRandom(uint64(100+i), 1000+i*97)
	}
	want.write(t, local)
	e.srv.InjectFault(faults.Fault{Fraction: 0.05, Kinds: []faults.Kind{faults.Status(500)}})
	e.srv.InjectFault(faults.Fault{Ops: []string{"PutObject"}, Fraction: 0.05, Kinds: []faults.Kind{faults.Error(503, "SlowDown")}})
	e.srv.InjectFault(faults.Fault{Ops: []string{"UploadPart"}, Fraction: 0.1, Kinds: []faults.Kind{faults.Reset(4096)}})
	r := e.run("run", "--config", pairConfig(e, "p", local, "bkt", ""))
	e.srv.ClearFaults()
	if r.code != 0 {
		// A pass may leave items for the next pass; it must converge.
		r = e.mustRun(0, "run", "--config", pairConfig(e, "p", local, "bkt", ""))
	}
	for rel, data := range want {
		if got, _ := e.getObject("bkt", "backup/"+rel); !bytes.Equal(got, data) {
			t.Errorf("%s differs after faults", rel)
		}
	}
}

// TestRunResumesAfterKill kills ks3sync with SIGKILL in the middle of a
// multipart upload; the next run must not resend the parts the server had
// acknowledged (at most one, lost between the answer and the checkpoint).
func TestRunResumesAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 300 MB file")
	}
	e := newEnv(t)
	e.mkBucket("bkt")
	local := filepath.Join(e.dir, "src")
	const size = 300 << 20
	big := pseudoRandom(9, size)
	writeFile(t, local, "huge.bin", big)
	cfg := e.writeConfig("k.yaml", fmt.Sprintf("transfers: 2\nmultipart_threshold: 8MiB\npart_size: 5MiB\nbandwidth: 40MiB\npairs:\n  - name: k\n    local: %s\n    bucket: bkt\n", local))
	parts := int(math.Ceil(float64(size) / float64(5<<20)))

	cmd := exec.Command(binPath, "run", "--config", cfg, "--no-progress")
	cmd.Dir, cmd.Env = e.dir, e.environ()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for e.srv.Stats().Requests["UploadPart"] < 8 {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("upload did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()

	acked := 0
	for u, err := range e.client.ListMultipartUploads(context.Background(), "bkt", ks3.ListUploadsOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		for _, err := range e.client.ListParts(context.Background(), "bkt", u.Key, u.UploadID) {
			if err != nil {
				t.Fatal(err)
			}
			acked++
		}
	}
	if acked == 0 || acked >= parts {
		t.Fatalf("server had %d of %d parts at the kill; the test needs a partial upload", acked, parts)
	}
	e.srv.ResetStats()
	r := e.mustRun(0, "run", "--config", cfg, "--no-progress")
	sent := int(e.srv.Stats().Requests["UploadPart"])
	if sent > parts-acked+1 {
		t.Errorf("resumed run sent %d parts; %d of %d were already on the server (at most %d expected)\n%s", sent, acked, parts, parts-acked+1, r)
	}
	got, _ := e.getObject("bkt", "huge.bin")
	if !bytes.Equal(got, big) {
		t.Fatal("resumed object differs from the file")
	}
	if n := len(e.keys("bkt", "")); n != 1 {
		t.Errorf("%d objects after resume, want 1", n)
	}
}

func TestRunExitCodes(t *testing.T) {
	e := newEnv(t)
	bad := filepath.Join(e.dir, "bad.yaml")
	os.WriteFile(bad, []byte("pairs:\n  - name: x\n    local: /tmp\n    bucket: bkt\n    dirction: push\n"), 0o600)
	r := e.mustRun(2, "run", "--config", bad)
	if !strings.Contains(r.stderr, `line 5: unknown key "dirction"`) {
		t.Errorf("config error does not name the line: %s", r)
	}
	e.mustRun(2, "run", "--config", filepath.Join(e.dir, "missing.yaml"))
	e.mustRun(2, "run", "--no-such-flag")
	e.mustRun(2, "frobnicate")
}

func TestExampleConfigRunsOnFreshMachine(t *testing.T) {
	e := newEnv(t)
	repo, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile(filepath.Join(repo, "ks3sync.yaml.example"))
	if err != nil {
		t.Fatal(err)
	}
	// The example's relative paths resolve against its folder: run a copy
	// beside a copy of the demo folder so the repository stays clean.
	work := filepath.Join(e.dir, "fresh")
	sampleDemo := readTree(t, filepath.Join(repo, "testdata", "demo"))
	sampleDemo.write(t, filepath.Join(work, "testdata", "demo"))
	cfg := filepath.Join(work, "ks3sync.yaml.example")
	os.WriteFile(cfg, example, 0o600)
	cmd := exec.Command(binPath, "run", "--config", cfg)
	cmd.Dir = work
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KS3_") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "HOME="+work)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("example run failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "uploaded") {
		t.Fatalf("example run uploaded nothing:\n%s", out)
	}
	out, err = exec.Command(binPath, "run", "--config", cfg).CombinedOutput()
	if err != nil || strings.Contains(string(out), "uploaded ") {
		t.Fatalf("second example run was not a no-op: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(work, ".ks3sync", "store")); err != nil {
		t.Fatalf("embedded store not created beside the config: %v", err)
	}
}

// A one-shot run refuses to sync while a daemon holds the same state.
func TestRunRefusesWhileWatching(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("bkt")
	local := filepath.Join(e.dir, "w")
	writeFile(t, local, "a.txt", []byte("a"))
	cfg := watchConfig(e, local)
	e.startWatch(cfg)
	e.bucketMatches("bkt", "w/", tree{"a.txt": []byte("a")}, 30*time.Second)
	r := e.run("run", "--config", cfg)
	if r.code != 1 || !strings.Contains(r.stderr, "another ks3sync") {
		t.Fatalf("run beside a daemon: want exit 1 naming the lock, got %s", r)
	}
	e.mustRun(0, "run", "--config", cfg, "--dry-run")
}

// A key that would land outside the folder is refused and reported on
// pull; nothing is written outside the folder and the rest is pulled.
func TestPullRefusesEscapingKeys(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("bkt")
	for key, body := range map[string]string{
		"backup/ok.txt":            "fine",
		"backup/../escape.txt":     "escape",
		"backup/a/../../up.txt":    "up",
		"backup/nul\x00byte.txt":   "nul",
		"backup//double-slash.txt": "double",
	} {
		if _, err := e.client.PutObject(context.Background(), "bkt", key, bytes.NewReader([]byte(body)), int64(len(body)), ks3.PutOptions{}); err != nil {
			t.Fatalf("put %q: %v", key, err)
		}
	}
	dst := filepath.Join(e.dir, "sub", "dst")
	r := e.run("run", "--config", pairConfig(e, "p", dst, "bkt", "    direction: pull\n"))
	if r.code != 1 {
		t.Fatalf("want exit 1 with the refused keys reported, got %s", r)
	}
	if !strings.Contains(r.stderr, "escape.txt") {
		t.Errorf("refused key not reported:\n%s", r)
	}
	got := readTree(t, filepath.Join(e.dir, "sub"))
	if string(got["dst/ok.txt"]) != "fine" {
		t.Errorf("the safe key was not pulled: %v", got.keys())
	}
	for k := range got {
		if k != "dst/ok.txt" {
			t.Errorf("unexpected file %q written", k)
		}
	}
	if _, err := os.Stat(filepath.Join(e.dir, "escape.txt")); err == nil {
		t.Error("a key escaped the folder")
	}
}
