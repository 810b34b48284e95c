package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// daemon is a running `ks3sync watch`.
type daemon struct {
	cmd  *exec.Cmd
	out  *bytes.Buffer
	done chan error
}

func (e *env) startWatch(cfg string) *daemon {
	e.t.Helper()
	cmd := exec.Command(binPath, "watch", "--config", cfg, "--log-level", "debug")
	cmd.Dir, cmd.Env = e.dir, e.environ()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	d := &daemon{cmd: cmd, out: &out, done: make(chan error, 1)}
	go func() { d.done <- cmd.Wait() }()
	e.t.Cleanup(func() {
		cmd.Process.Kill()
		<-d.done
		if e.t.Failed() {
			e.t.Logf("ks3sync watch output:\n%s", out.String())
		}
	})
	return d
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		ok, state := cond()
		if ok {
			return
		}
		last = state
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s; last state: %s", what, last)
}

// bucketMatches waits until the bucket under prefix holds exactly want.
func (e *env) bucketMatches(bucket, prefix string, want tree, timeout time.Duration) {
	e.t.Helper()
	wantKeys := make([]string, 0, len(want))
	for k := range want {
		wantKeys = append(wantKeys, prefix+k)
	}
	slices.Sort(wantKeys)
	waitFor(e.t, timeout, "bucket to converge", func() (bool, string) {
		got := e.keys(bucket, prefix)
		if !slices.Equal(got, wantKeys) {
			return false, fmt.Sprintf("%d keys, want %d", len(got), len(wantKeys))
		}
		return true, ""
	})
	for k, data := range want {
		if got, _ := e.getObject(bucket, prefix+k); !bytes.Equal(got, data) {
			e.t.Errorf("%s: object differs from the file", k)
		}
	}
}

func watchConfig(e *env, local string) string {
	return watchConfigMetrics(e, local, "")
}

func watchConfigMetrics(e *env, local, metrics string) string {
	return e.writeConfig("w.yaml", fmt.Sprintf(`transfers: 8
metrics: "%s"
pairs:
  - name: w
    local: %s
    bucket: bkt
    prefix: w/
    delete: propagate
    max_delete: 100%%
    watch: {delay: 200ms, max_delay: 2s, rescan: 1h}
`, metrics, local))
}

// freeAddr returns a loopback address nothing listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestWatchFollowsChanges(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("bkt")
	local := filepath.Join(e.dir, "w")
	files := tree{"start.txt": []byte("before the daemon")}
	files.write(t, local)
	metrics := freeAddr(t)
	d := e.startWatch(watchConfigMetrics(e, local, metrics))
	e.bucketMatches("bkt", "w/", files, 30*time.Second)
	waitFor(t, 10*time.Second, "/healthz", func() (bool, string) {
		code, body := httpGet(t, "http://"+metrics+"/healthz")
		return code == 200, body
	})

	// create, modify, delete, rename
	writeFile(t, local, "new.txt", []byte("new"))
	files["new.txt"] = []byte("new")
	writeFile(t, local, "start.txt", []byte("modified"))
	files["start.txt"] = []byte("modified")
	e.bucketMatches("bkt", "w/", files, 30*time.Second)

	os.Rename(filepath.Join(local, "new.txt"), filepath.Join(local, "renamed.txt"))
	files["renamed.txt"] = files["new.txt"]
	delete(files, "new.txt")
	os.Remove(filepath.Join(local, "start.txt"))
	delete(files, "start.txt")
	e.bucketMatches("bkt", "w/", files, 30*time.Second)

	// an editor-style atomic save: write a temporary file, rename over
	writeFile(t, local, ".doc.txt.swp", []byte("draft"))
	os.Rename(filepath.Join(local, ".doc.txt.swp"), filepath.Join(local, "doc.txt"))
	files["doc.txt"] = []byte("draft")
	// a new folder with files created at once inside it
	for i := range 20 {
		rel := fmt.Sprintf("fresh/sub/f%02d.txt", i)
		files[rel] = []byte(rel)
		writeFile(t, local, rel, files[rel])
	}
	e.bucketMatches("bkt", "w/", files, 30*time.Second)

	// rename and then delete a whole folder
	os.Rename(filepath.Join(local, "fresh"), filepath.Join(local, "moved"))
	for k, v := range files {
		if strings.HasPrefix(k, "fresh/") {
			delete(files, k)
			files["moved/"+strings.TrimPrefix(k, "fresh/")] = v
		}
	}
	e.bucketMatches("bkt", "w/", files, 30*time.Second)
	os.RemoveAll(filepath.Join(local, "moved"))
	for k := range files {
		if strings.HasPrefix(k, "moved/") {
			delete(files, k)
		}
	}
	e.bucketMatches("bkt", "w/", files, 30*time.Second)

	code, body := httpGet(t, "http://"+metrics+"/metrics")
	for _, m := range []string{"ks3sync_queue_depth", "ks3sync_oldest_pending_seconds", "ks3sync_objects_transferred_total", "ks3sync_bytes_transferred_total", "ks3sync_seconds_since_full_reconcile"} {
		if code != 200 || !strings.Contains(body, m) {
			t.Errorf("/metrics lacks %s (status %d)", m, code)
		}
	}

	// SIGTERM stops it cleanly and quickly
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-d.done:
		if err != nil {
			t.Fatalf("watch exited with %v after SIGTERM\n%s", err, d.out)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("watch did not stop within 10 s of SIGTERM\n%s", d.out)
	}
	d.done <- nil // for the cleanup
}

func TestWatchBurstSurvivesKill(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("bkt")
	local := filepath.Join(e.dir, "w")
	os.MkdirAll(local, 0o755)
	cfg := watchConfig(e, local)
	d := e.startWatch(cfg)
	waitFor(t, 30*time.Second, "the first reconcile", func() (bool, string) {
		return e.srv.Stats().Requests["ListObjects"] > 0, "no listing yet"
	})

	const n = 10000
	files := tree{}
	for i := range n {
		rel := fmt.Sprintf("burst/d%02d/f%05d.txt", i%50, i)
		files[rel] = []byte(rel)
	}
	keys := files.keys()
	for i, rel := range keys {
		writeFile(t, local, rel, files[rel])
		if i == n/2 {
			// the daemon dies in the middle of the burst
			waitFor(t, 30*time.Second, "uploads to begin", func() (bool, string) {
				return e.srv.Stats().Requests["PutObject"] > 0, "no PUT yet"
			})
			d.cmd.Process.Signal(syscall.SIGKILL)
			<-d.done
			d.done <- nil
		}
	}
	e.startWatch(cfg)
	e.bucketMatches("bkt", "w/", files, 3*time.Minute)
}
