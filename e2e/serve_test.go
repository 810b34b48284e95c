package e2e

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3"
)

// servedLine and keyLine are what `ks3sync serve` prints at start.
var (
	servedLine = regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)
	keyLine    = regexp.MustCompile(`^\s+(KS3_ACCESS_KEY|KS3_SECRET_KEY)=(\S+)$`)
)

// served is a running `ks3sync serve` and what it printed.
type served struct {
	url   string
	keys  map[string]string // KS3_ACCESS_KEY and KS3_SECRET_KEY, when printed
	lines []string
}

// startServe runs `ks3sync serve --addr 127.0.0.1:0 ARGS` with no keys in
// its environment, until the test ends, and reads what it prints up to its
// address, and with wantKeys up to the key pair it accepts.
func startServe(t *testing.T, e *env, wantKeys bool, args ...string) *served {
	t.Helper()
	cmd := exec.Command(binPath, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Dir = e.dir
	for _, kv := range e.environ() {
		if !strings.HasPrefix(kv, "KS3_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() })
	s := &served{keys: map[string]string{}}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	for s.url == "" || (wantKeys && len(s.keys) < 2) {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("serve stopped after printing %q", s.lines)
			}
			s.lines = append(s.lines, line)
			if m := servedLine.FindStringSubmatch(line); m != nil {
				s.url = m[1]
			}
			if m := keyLine.FindStringSubmatch(line); m != nil {
				s.keys[m[1]] = m[2]
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("serve printed only %q in 30s", s.lines)
		}
	}
	go io.Copy(io.Discard, stdout)
	return s
}

// TestServeBuiltinKeys runs serve without keys: it prints the built-in
// pair, which tool commands pointed at it then use (given as printed, or
// not at all for a loopback --endpoint), and refuses to listen beyond
// loopback with it.
func TestServeBuiltinKeys(t *testing.T) {
	e := newEnv(t)
	root := filepath.Join(e.dir, "store")
	s := startServe(t, e, true, "--root", root)
	if s.keys["KS3_ACCESS_KEY"] == "" || s.keys["KS3_SECRET_KEY"] == "" {
		t.Fatalf("serve without keys did not print the built-in pair:\n%s", strings.Join(s.lines, "\n"))
	}
	cmd := exec.Command(binPath, "mb", "ks3://built-in", "--endpoint", s.url)
	cmd.Dir, cmd.Env = e.dir, append(e.environ(), "KS3_ACCESS_KEY="+s.keys["KS3_ACCESS_KEY"], "KS3_SECRET_KEY="+s.keys["KS3_SECRET_KEY"])
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("mb with the printed keys: %v\n%s", err, out)
	}

	var keyless []string
	for _, kv := range e.environ() {
		if !strings.HasPrefix(kv, "KS3_") {
			keyless = append(keyless, kv)
		}
	}
	// With no keys at all, a loopback --endpoint gets the built-in pair.
	for _, args := range [][]string{{"mb", "ks3://keyless"}, {"ls"}} {
		cmd = exec.Command(binPath, append(args, "--endpoint", s.url)...)
		cmd.Dir, cmd.Env = e.dir, keyless
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v with no keys against a keyless serve: %v\n%s", args, err, out)
		}
		if args[0] == "ls" && !strings.Contains(string(out), "keyless") {
			t.Errorf("ls with no keys does not show the bucket made with none:\n%s", out)
		}
	}

	refuse := exec.Command(binPath, "serve", "--root", filepath.Join(e.dir, "open"), "--addr", "0.0.0.0:0")
	refuse.Dir, refuse.Env = e.dir, keyless
	out, err := refuse.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), "loopback") || !strings.Contains(string(out), "--access-key") {
		t.Errorf("serve with the built-in keys on 0.0.0.0: %v\n%s", err, out)
	}
}

// TestServeFaults runs serve with --faults and sees the requests fail as
// the specification says, and a bad specification refused.
func TestServeFaults(t *testing.T) {
	e := newEnv(t)
	s := startServe(t, e, false, "--root", filepath.Join(e.dir, "store"), "--faults", "ops=ListBuckets,count=2,kinds=503;ops=HeadBucket,kinds=hang")
	var codes []int
	for range 3 {
		resp, err := http.Get(s.url + "/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
	}
	if codes[0] != 503 || codes[1] != 503 || codes[2] != http.StatusForbidden {
		t.Errorf("three anonymous ListBuckets with two 503s injected: %v", codes)
	}
	impatient := &http.Client{Timeout: 300 * time.Millisecond}
	if resp, err := impatient.Head(s.url + "/bkt"); err == nil {
		resp.Body.Close()
		t.Errorf("a hung HeadBucket was answered: %d", resp.StatusCode)
	}
	r := e.run("serve", "--root", filepath.Join(e.dir, "other"), "--addr", "127.0.0.1:0", "--faults", "rate=0.1,kinds=500,teapot")
	if r.code != 2 || !strings.Contains(r.stderr, `unknown kind "teapot"`) {
		t.Errorf("serve with a bad --faults: %s", r)
	}
}

// TestServeImport seeds a bucket from a folder with --import and lists and
// reads it back through the server.
func TestServeImport(t *testing.T) {
	e := newEnv(t)
	src := filepath.Join(e.dir, "seed")
	want := sampleTree(200 << 10)
	want.write(t, src)
	s := startServe(t, e, true, "--root", filepath.Join(e.dir, "store"), "--import", "seeded="+src)
	if !strings.Contains(strings.Join(s.lines, "\n"), fmt.Sprintf("imported %d objects", len(want))) {
		t.Errorf("serve did not report the import:\n%s", strings.Join(s.lines, "\n"))
	}
	c, err := ks3.New(ks3.Options{Endpoint: s.url, AccessKey: s.keys["KS3_ACCESS_KEY"], SecretKey: s.keys["KS3_SECRET_KEY"]})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for item, err := range c.Walk(context.Background(), "seeded", ks3.ListObjectsOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		obj, err := c.GetObject(context.Background(), "seeded", item.Object.Key, ks3.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(obj.Body)
		obj.Body.Close()
		if !bytes.Equal(got, want[item.Object.Key]) {
			t.Errorf("%s: %d bytes, want the file's %d", item.Object.Key, len(got), len(want[item.Object.Key]))
		}
	}
	if n != len(want) {
		t.Errorf("%d objects listed, want %d", n, len(want))
	}
	r := e.run("serve", "--root", filepath.Join(e.dir, "other"), "--addr", "127.0.0.1:0", "--import", "nofolder")
	if r.code != 2 || !strings.Contains(r.stderr, "BUCKET=FOLDER") {
		t.Errorf("serve --import without a bucket: %s", r)
	}
}
