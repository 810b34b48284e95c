package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/ks3server/faults"
	"github.com/ks3sync/ks3sync/ks3server/handlers"
	"github.com/ks3sync/ks3sync/ks3server/ks3servertest"
)

// The end-to-end tests of the fixes that a fault campaign called for: an
// endpoint that goes away, hangs or fails everything; interrupted
// downloads; missing folders; symbolic links in a download target; and
// configurations that must be refused.

// serveAt runs `ks3sync serve` over root on addr with the test credentials
// and returns once it listens; kill stops it with SIGKILL.
func serveAt(t *testing.T, e *env, addr, root string) (kill func()) {
	t.Helper()
	cmd := exec.Command(binPath, "serve", "--root", root, "--addr", addr, "--no-fsync")
	cmd.Dir, cmd.Env = e.dir, e.environ()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	kill = func() {
		if !killed {
			killed = true
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
		}
	}
	t.Cleanup(kill)
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "listening on") {
				close(ready)
				break
			}
		}
		for sc.Scan() {
		}
	}()
	select {
	case <-ready:
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	return kill
}

// clientFor returns a client of the test credentials for endpoint.
func clientFor(t *testing.T, endpoint string) *ks3.Client {
	t.Helper()
	c, err := ks3.New(ks3.Options{Endpoint: endpoint, AccessKey: ks3servertest.AccessKey, SecretKey: ks3servertest.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// startRun starts `ks3sync ARGS` in the background; wait returns its result.
func (e *env) startRun(args ...string) (*exec.Cmd, func() result) {
	e.t.Helper()
	cmd := exec.Command(binPath, args...)
	cmd.Dir, cmd.Env = e.dir, e.environ()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	return cmd, func() result {
		err := cmd.Wait()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		}
		return result{stdout: out.String(), stderr: errb.String(), code: code}
	}
}

// writeFileConfig writes a config whose whole text is doc.
func (e *env) writeFileConfig(name, doc string) string {
	e.t.Helper()
	path := filepath.Join(e.dir, name)
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		e.t.Fatal(err)
	}
	return path
}

// TestReliabOutageDuringRunIsRiddenOut kills the server in the middle of a
// push and starts it again three seconds later: the run waits for it and
// completes, exit 0, with every file uploaded.
func TestReliabOutageDuringRunIsRiddenOut(t *testing.T) {
	e := newEnv(t)
	addr, root := freeAddr(t), filepath.Join(e.dir, "store")
	kill := serveAt(t, e, addr, root)
	c := clientFor(t, "http://"+addr)
	if err := c.CreateBucket(t.Context(), "bkt", ks3.CreateBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	local := filepath.Join(e.dir, "src")
	want := tree{}
	for i := range 40 {
		want[fmt.Sprintf("f%02d.bin", i)] = pseudoRandom(uint64(i), 64<<10)
	}
	want.write(t, local)
	cfg := e.writeFileConfig("o.yaml", fmt.Sprintf("endpoint: http://%s\nstate: %s\nbandwidth: 400KiB\ntransfers: 2\n"+
		"pairs:\n  - {name: o, local: %s, bucket: bkt}\n", addr, filepath.Join(e.dir, "o.db"), local))
	_, wait := e.startRun("run", "--config", cfg, "--no-progress")
	time.Sleep(1500 * time.Millisecond)
	kill()
	time.Sleep(3 * time.Second)
	serveAt(t, e, addr, root)
	r := wait()
	if r.code != 0 {
		t.Fatalf("run across a 3s outage: %s", r)
	}
	for rel, data := range want {
		obj, err := c.GetObject(t.Context(), "bkt", rel, ks3.GetOptions{})
		if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		var got bytes.Buffer
		got.ReadFrom(obj.Body)
		obj.Body.Close()
		if !bytes.Equal(got.Bytes(), data) {
			t.Errorf("%s differs", rel)
		}
	}
}

// outageConfig is a pull pair with short timeouts, so that a dead or hung
// server is given up on quickly.
func outageConfig(e *env, name, local string) string {
	return e.writeConfig(name+".yaml", fmt.Sprintf("timeouts: {response_header: 2s, stall: 2s, outage: 3s}\n"+
		"pairs:\n  - {name: %s, local: %s, bucket: bkt, direction: pull}\n", name, local))
}

// TestReliabEveryGetFailingStopsThePass answers every GET with 500: the
// pull stops early with one error naming the endpoint and the last error,
// instead of retrying each of 60 objects to exhaustion.
func TestReliabEveryGetFailingStopsThePass(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("bkt")
	for i := range 60 {
		e.put("bkt", fmt.Sprintf("f%02d.txt", i), []byte{byte(i)})
	}
	e.srv.InjectFault(faults.Fault{Ops: []string{handlers.OpGetObject}})
	start := time.Now()
	r := e.run("run", "--config", outageConfig(e, "g", filepath.Join(e.dir, "dst")), "--no-progress")
	took := time.Since(start)
	if r.code == 0 || !strings.Contains(r.stderr, e.srv.URL) || !strings.Contains(r.stderr, "InternalError") ||
		!strings.Contains(r.stderr, "failed every request") {
		t.Fatalf("pull with every GET failing: %s", r)
	}
	gets := e.srv.Stats().Requests[handlers.OpGetObject]
	if gets >= 60*5 {
		t.Errorf("%d GETs: every object was retried to exhaustion", gets)
	}
	t.Logf("stopped after %d GETs in %v", gets, took.Round(time.Millisecond))
}

// TestReliabHungServerFailsClearly makes the server accept requests and
// never answer: the run ends with an error that names the endpoint and
// says what timed out, instead of hanging.
func TestReliabHungServerFailsClearly(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("bkt")
	e.put("bkt", "a.txt", []byte("a"))
	e.srv.InjectFault(faults.Fault{Kinds: []faults.Kind{faults.Hang()}})
	defer e.srv.ClearFaults()
	start := time.Now()
	r := e.run("run", "--config", outageConfig(e, "h", filepath.Join(e.dir, "dst")), "--no-progress")
	took := time.Since(start)
	if r.code == 0 || !strings.Contains(r.stderr, e.srv.URL) || !strings.Contains(r.stderr, "waiting for the response header") {
		t.Fatalf("run against a hung server: %s", r)
	}
	if took > time.Minute {
		t.Errorf("the run took %v to give up on a hung server", took)
	}
	t.Logf("gave up after %v", took.Round(time.Millisecond))
}

// TestReliabPullResumesAfterKill kills a pull in the middle of a large
// download: the next run continues from the temporary file (a ranged GET
// of the rest) and ends with the exact file and no temporary file.
func TestReliabPullResumesAfterKill(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("bkt")
	const size = 80 << 20
	data := pseudoRandom(42, size)
	if _, err := e.client.PutObject(t.Context(), "bkt", "big.bin", bytes.NewReader(data), size, ks3.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	local := filepath.Join(e.dir, "dst")
	cfg := e.writeConfig("r.yaml", fmt.Sprintf("bandwidth: 16MiB\npairs:\n  - {name: r, local: %s, bucket: bkt, direction: pull}\n", local))
	cmd, wait := e.startRun("run", "--config", cfg, "--no-progress")
	temp := waitForTemp(t, local, 40<<20)
	cmd.Process.Signal(syscall.SIGKILL)
	wait()
	if _, err := os.Stat(temp); err != nil {
		t.Fatalf("the killed download left no temporary file: %v", err)
	}
	r := e.mustRun(0, "run", "--config", cfg, "--no-progress", "--log-format", "json")
	if from := resumedFrom(r.stderr); from < 32<<20 {
		t.Errorf("the second run resumed from byte %d; the first checkpoint (32 MiB) was on disk:\n%s", from, r)
	}
	if got := readFile(t, filepath.Join(local, "big.bin")); !bytes.Equal(got, data) {
		t.Fatal("the resumed file differs from the object")
	}
	if left, _ := filepath.Glob(filepath.Join(local, ".ks3sync-tmp-*")); len(left) != 0 {
		t.Errorf("temporary files left: %q", left)
	}
}

// resumedFrom returns the offset a run's JSON log says a download resumed
// from, -1 when none did.
func resumedFrom(logs string) int64 {
	for line := range strings.Lines(logs) {
		var l struct {
			Message string
			From    int64
		}
		if json.Unmarshal([]byte(line), &l) == nil && l.Message == "resuming download" {
			return l.From
		}
	}
	return -1
}

// waitForTemp waits for a temporary file under dir to hold at least n
// bytes, and returns its path.
func waitForTemp(t *testing.T, dir string, n int64) string {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		matches, _ := filepath.Glob(filepath.Join(dir, ".ks3sync-tmp-*"))
		for _, m := range matches {
			if fi, err := os.Stat(m); err == nil && fi.Size() >= n {
				return m
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no temporary file of %d bytes appeared in %s", n, dir)
	return ""
}

// TestReliabMissingFolderIsAnError pushes from a folder that does not
// exist: the run fails and names it. An empty folder is a success.
func TestReliabMissingFolderIsAnError(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("bkt")
	missing := filepath.Join(e.dir, "not-mounted")
	r := e.run("run", "--config", pairConfig(e, "m", missing, "bkt", ""), "--no-progress")
	if r.code == 0 || !strings.Contains(r.stderr, missing) || !strings.Contains(r.stderr, "does not exist") {
		t.Errorf("push from a missing folder: %s", r)
	}
	empty := filepath.Join(e.dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	e.mustRun(0, "run", "--config", pairConfig(e, "em", empty, "bkt", ""), "--no-progress")
}

// TestReliabCpRecursiveRefusesSymlinks downloads a prefix into a folder
// that holds a symbolic link to another folder: nothing is written through
// it, and the refusal is reported.
func TestReliabCpRecursiveRefusesSymlinks(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("bkt")
	for _, k := range []string{"dl/link/evil.txt", "dl/link/victim.txt", "dl/flink", "dl/ok.txt"} {
		e.put("bkt", k, []byte("remote "+k))
	}
	elsewhere, target := filepath.Join(e.dir, "elsewhere"), filepath.Join(e.dir, "target")
	writeFile(t, elsewhere, "victim.txt", []byte("precious"))
	if err := os.MkdirAll(target, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, filepath.Join(target, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(elsewhere, "victim.txt"), filepath.Join(target, "flink")); err != nil {
		t.Fatal(err)
	}
	r := e.tool(1, "cp", "-r", "ks3://bkt/dl/", target)
	contains(t, r, "symbolic link")
	if got := readFile(t, filepath.Join(elsewhere, "victim.txt")); string(got) != "precious" {
		t.Errorf("the file behind the link was overwritten with %q", got)
	}
	if _, err := os.Stat(filepath.Join(elsewhere, "evil.txt")); !os.IsNotExist(err) {
		t.Error("cp -r wrote through the link")
	}
	if got := readFile(t, filepath.Join(target, "ok.txt")); string(got) != "remote dl/ok.txt" {
		t.Errorf("ok.txt = %q", got)
	}
}

// TestReliabConfigRefusals checks the configurations that must stop a
// command before it does anything (exit 2), and the key-file warning.
func TestReliabConfigRefusals(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct{ doc, want string }{
		{"endpoint: ${KS3_UNSET_ENDPOINT}\n", "line 1: environment variable KS3_UNSET_ENDPOINT is not set"},
		{"endpoint: ks3.example:99999\n", `port "99999"`},
		{"endpoint: http://127.0.0.1:http\n", `port "http"`},
	} {
		cfg := e.writeFileConfig("bad.yaml", tc.doc)
		r := e.run("ls", "--config", cfg)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, cfg) {
			t.Errorf("config %q: %s", tc.doc, r)
		}
	}
	if r := e.run("ls", "--endpoint", "127.0.0.1:0"); r.code != 2 || !strings.Contains(r.stderr, `port "0"`) {
		t.Errorf("--endpoint with port 0: %s", r)
	}
	key := filepath.Join(e.dir, "pair.key")
	e.tool(0, "keygen", key)
	if err := os.Chmod(key, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := e.writeConfig("k.yaml", fmt.Sprintf("pairs:\n  - {name: k, local: %s, bucket: bkt, encryption: {key_file: %s}}\n", e.dir, key))
	r := e.run("ls", "--config", cfg)
	if !strings.Contains(r.stderr, key) || !strings.Contains(r.stderr, "chmod 600 "+key) {
		t.Errorf("a key file readable by others gave no warning naming it:\n%s", r)
	}
}
