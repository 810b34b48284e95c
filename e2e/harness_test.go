// Package e2e drives the real ks3sync binary against the embedded
// KS3-compatible server: every test here goes through the command line the
// way a user or a script does.
package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/ks3server/ks3servertest"
	"github.com/ks3sync/ks3sync/planner"
)

// binPath is the ks3sync binary built once for the whole package.
var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ks3sync-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "ks3sync")
	if runtime.GOOS == "windows" {
		binPath += ".exe"
	}
	build := exec.Command("go", "build", "-o", binPath, "github.com/ks3sync/ks3sync/cmd/ks3sync")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build ks3sync:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	printFigures()
	os.RemoveAll(dir)
	os.Exit(code)
}

// env is one test's world: a fresh server, a scratch folder, and a client
// for checking what the binary did.
type env struct {
	t      testing.TB
	srv    *ks3servertest.Harness
	dir    string
	client *ks3.Client
}

func newEnv(t testing.TB) *env {
	t.Helper()
	srv := ks3servertest.Start(t)
	c, err := ks3.New(ks3.Options{
		Endpoint:  srv.URL,
		AccessKey: ks3servertest.AccessKey,
		SecretKey: ks3servertest.SecretKey,
		Retry:     ks3.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, srv: srv, dir: t.TempDir(), client: c}
}

// result is what one invocation of the binary produced.
type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// run executes ks3sync with the test server's endpoint and credentials in
// the environment, from the test's scratch folder.
func (e *env) run(args ...string) result {
	e.t.Helper()
	return e.runIn(context.Background(), nil, args...)
}

func (e *env) runIn(ctx context.Context, stdin []byte, args ...string) result {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, args...)
	cmd.Dir = e.dir
	cmd.Env = e.environ()
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		e.t.Fatalf("run ks3sync %s: %v", strings.Join(args, " "), err)
	}
	return result{stdout: out.String(), stderr: errb.String(), code: code}
}

// environ is the child's environment: credentials for the test server and
// nothing from the developer's own KS3 setup.
func (e *env) environ() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "KS3_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"KS3_ACCESS_KEY="+ks3servertest.AccessKey,
		"KS3_SECRET_KEY="+ks3servertest.SecretKey,
		"HOME="+e.dir,
		"XDG_CONFIG_HOME="+filepath.Join(e.dir, ".config"),
		"XDG_STATE_HOME="+filepath.Join(e.dir, ".state"),
	)
}

// mustRun runs ks3sync and fails the test unless it exits with want.
func (e *env) mustRun(want int, args ...string) result {
	e.t.Helper()
	r := e.run(args...)
	if r.code != want {
		e.t.Fatalf("ks3sync %s: want exit %d, got %s", strings.Join(args, " "), want, r)
	}
	return r
}

// writeConfig writes a config file pointing at the test server and returns
// its path. body is appended after the endpoint line.
func (e *env) writeConfig(name, body string) string {
	e.t.Helper()
	path := filepath.Join(e.dir, name)
	doc := fmt.Sprintf("endpoint: %s\nstate: %s\n", e.srv.URL, filepath.Join(e.dir, name+".state.db")) + body
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		e.t.Fatal(err)
	}
	return path
}

// mkBucket creates a bucket on the test server directly.
func (e *env) mkBucket(name string) {
	e.t.Helper()
	if err := e.client.CreateBucket(context.Background(), name, ks3.CreateBucketOptions{}); err != nil {
		e.t.Fatalf("create bucket %s: %v", name, err)
	}
}

// writeFile creates a file (and its folders) under root.
func writeFile(t testing.TB, root, rel string, data []byte) string {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// getObject reads an object's bytes from the test server.
func (e *env) getObject(bucket, key string) ([]byte, *ks3.Object) {
	e.t.Helper()
	obj, err := e.client.GetObject(context.Background(), bucket, key, ks3.GetOptions{})
	if err != nil {
		e.t.Fatalf("get ks3://%s/%s: %v", bucket, key, err)
	}
	defer obj.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(obj.Body); err != nil {
		e.t.Fatal(err)
	}
	return buf.Bytes(), obj
}

// keys lists every key under prefix but those in ks3sync's own folder of
// a pair (<pair prefix>.ks3sync/, the version history): they are not files
// of the pair. allKeys lists those too.
func (e *env) keys(bucket, prefix string) []string {
	e.t.Helper()
	return slices.DeleteFunc(e.allKeys(bucket, prefix), func(k string) bool {
		return strings.HasPrefix(k, planner.ReservedDir+"/") || strings.Contains(k, "/"+planner.ReservedDir+"/")
	})
}

// allKeys lists every key under prefix.
func (e *env) allKeys(bucket, prefix string) []string {
	e.t.Helper()
	var out []string
	for it, err := range e.client.Walk(context.Background(), bucket, ks3.ListObjectsOptions{Prefix: prefix}) {
		if err != nil {
			e.t.Fatalf("list ks3://%s/%s: %v", bucket, prefix, err)
		}
		if it.Prefix == "" {
			out = append(out, it.Object.Key)
		}
	}
	return out
}
