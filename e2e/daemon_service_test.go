package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3server/ks3servertest"
)

// sysvOnly skips unless this machine runs services with SysV init scripts
// and the test may install one (root).
func sysvOnly(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("installs a system service: needs root")
	}
	if _, err := os.Stat("/run/systemd/system"); err == nil {
		t.Skip("systemd runs here; this test drives SysV init")
	}
	if _, err := exec.LookPath("service"); err != nil {
		t.Skip("no service command")
	}
	if fi, err := os.Stat("/etc/init.d"); err != nil || !fi.IsDir() {
		t.Skip("no /etc/init.d")
	}
}

// serviceLeftovers lists what an installed service named name leaves on
// the machine.
func serviceLeftovers(name string) []string {
	var out []string
	for _, p := range []string{"/etc/init.d/" + name, "/etc/ks3sync/" + name + ".env", "/var/run/" + name + ".pid"} {
		if _, err := os.Lstat(p); err == nil {
			out = append(out, p)
		}
	}
	links, _ := filepath.Glob("/etc/rc?.d/*" + name)
	return append(out, links...)
}

// A service whose keys are only in the installing shell's environment:
// install refuses while one is missing, then records them in a root-only
// file; start waits until the daemon is healthy; status says running, then
// stopped after stop; uninstall leaves nothing behind.
func TestServiceSysV(t *testing.T) {
	sysvOnly(t)
	e := newEnv(t)
	e.mkBucket("bkt")
	name := fmt.Sprintf("ks3sync-e2e-%d", os.Getpid())
	local := filepath.Join(e.dir, "src")
	tree{"a.txt": []byte("served")}.write(t, local)
	addr := freeAddr(t)
	cfg := filepath.Join(e.dir, "svc.yaml")
	doc := fmt.Sprintf(`endpoint: %s
access_key: ${KS3_ACCESS_KEY}
secret_key: ${KS3_SECRET_KEY}
region: ${KS3_REGION:-us-east-1}
state: %s
http: "%s"
pairs:
  - name: s
    local: %s
    bucket: bkt
`, e.srv.URL, filepath.Join(e.dir, "svc.state.db"), addr, local)
	if err := os.WriteFile(cfg, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	svc := func(env []string, args ...string) result {
		t.Helper()
		cmd := exec.Command(binPath, append([]string{"service"}, args...)...)
		cmd.Dir, cmd.Env = e.dir, env
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return result{stdout: out.String(), stderr: errb.String(), code: code}
	}
	full := e.environ()
	t.Cleanup(func() {
		svc(full, "uninstall", "--config", cfg, "--name", name)
		os.Remove("/var/log/" + name + ".log")
	})
	var noSecret []string
	for _, kv := range full {
		if !strings.HasPrefix(kv, "KS3_SECRET_KEY=") {
			noSecret = append(noSecret, kv)
		}
	}
	if r := svc(noSecret, "install", "--config", cfg, "--name", name); r.code != 2 || !strings.Contains(r.stderr, "KS3_SECRET_KEY") || !strings.Contains(r.stderr, "line 3") {
		t.Fatalf("install without KS3_SECRET_KEY: want exit 2 naming it, got %s", r)
	}
	if left := serviceLeftovers(name); len(left) != 0 {
		t.Fatalf("a refused install left %v", left)
	}

	_, hadEtc := os.Stat("/etc/ks3sync")
	if r := svc(full, "install", "--config", cfg, "--name", name); r.code != 0 {
		t.Fatalf("install: %s", r)
	}
	envFile := "/etc/ks3sync/" + name + ".env"
	fi, err := os.Stat(envFile)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("environment file: %v, %v; want mode 0600", fi, err)
	}
	data, _ := os.ReadFile(envFile)
	for _, want := range []string{"KS3_ACCESS_KEY=\"" + ks3servertest.AccessKey + "\"", "KS3_SECRET_KEY=\"" + ks3servertest.SecretKey + "\""} {
		if !strings.Contains(string(data), want) {
			t.Errorf("environment file lacks %s:\n%s", want, data)
		}
	}
	if r := svc(full, "status", "--config", cfg, "--name", name); r.code != 0 || !strings.Contains(r.stdout, ": stopped") {
		t.Fatalf("status after install: %s", r)
	}

	// The service manager starts it with an empty environment: the keys
	// come from the file.
	if r := svc(full, "start", "--config", cfg, "--name", name); r.code != 0 || !strings.Contains(r.stdout, "healthy") {
		log, _ := os.ReadFile("/var/log/" + name + ".log")
		t.Fatalf("start: %s\nservice log:\n%s", r, log)
	}
	if code, body := httpGet(t, "http://"+addr+"/healthz"); code != 200 {
		t.Fatalf("/healthz after start: %d %s", code, body)
	}
	if got, _ := e.getObject("bkt", "a.txt"); string(got) != "served" {
		t.Fatalf("the service did not sync: %q", got)
	}
	if r := svc(full, "status", "--config", cfg, "--name", name); r.code != 0 || !strings.Contains(r.stdout, ": running") {
		t.Fatalf("status of the running service: %s", r)
	}
	if r := svc(full, "stop", "--config", cfg, "--name", name); r.code != 0 {
		t.Fatalf("stop: %s", r)
	}
	waitFor(t, 10*time.Second, "the daemon to be gone", func() (bool, string) {
		code, body := httpGet(t, "http://"+addr+"/healthz")
		return code == 0, body
	})
	if r := svc(full, "status", "--config", cfg, "--name", name); r.code != 0 || !strings.Contains(r.stdout, ": stopped") {
		t.Fatalf("status of the stopped service: %s", r)
	}
	if r := svc(full, "uninstall", "--config", cfg, "--name", name); r.code != 0 {
		t.Fatalf("uninstall: %s", r)
	}
	if left := serviceLeftovers(name); len(left) != 0 {
		t.Fatalf("uninstall left %v", left)
	}
	if _, err := os.Stat("/etc/ks3sync"); hadEtc == nil && err == nil {
		t.Fatalf("uninstall left /etc/ks3sync, which install made")
	}
	if r := svc(full, "status", "--config", cfg, "--name", name); r.code != 0 || !strings.Contains(r.stdout, "not installed") {
		t.Fatalf("status after uninstall: %s", r)
	}
}

// A service whose daemon cannot come up healthy: start reports why instead
// of success.
func TestServiceSysVStartReportsFailure(t *testing.T) {
	sysvOnly(t)
	e := newEnv(t)
	name := fmt.Sprintf("ks3sync-e2e-bad-%d", os.Getpid())
	local := filepath.Join(e.dir, "src")
	tree{"a.txt": []byte("x")}.write(t, local)
	cfg := filepath.Join(e.dir, "bad.yaml")
	// The bucket does not exist: every pass fails.
	doc := fmt.Sprintf("endpoint: %s\nstate: %s\npairs:\n  - name: s\n    local: %s\n    bucket: missing-bucket\n",
		e.srv.URL, filepath.Join(e.dir, "bad.state.db"), local)
	if err := os.WriteFile(cfg, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		e.run("service", "uninstall", "--config", cfg, "--name", name)
		os.Remove("/var/log/" + name + ".log")
	})
	e.mustRun(0, "service", "install", "--config", cfg, "--name", name)
	r := e.run("service", "start", "--config", cfg, "--name", name, "--timeout", "30s")
	t.Logf("start of a failing daemon: %s", r)
	if r.code == 0 || !strings.Contains(r.stderr, "pair s:") || strings.Contains(r.stdout, "healthy") {
		t.Fatalf("start of a failing daemon: want a non-zero exit naming the pair, got %s", r)
	}
}

// A service whose daemon cannot start at all (no pairs configured) ends
// its process instead of idling under the service manager: status says
// stopped, not running.
func TestServiceSysVDaemonThatCannotStartEnds(t *testing.T) {
	sysvOnly(t)
	e := newEnv(t)
	name := fmt.Sprintf("ks3sync-e2e-nopairs-%d", os.Getpid())
	cfg := filepath.Join(e.dir, "nopairs.yaml")
	doc := fmt.Sprintf("endpoint: %s\nstate: %s\n", e.srv.URL, filepath.Join(e.dir, "nopairs.state.db"))
	if err := os.WriteFile(cfg, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		e.run("service", "uninstall", "--config", cfg, "--name", name)
		os.Remove("/var/log/" + name + ".log")
	})
	e.mustRun(0, "service", "install", "--config", cfg, "--name", name)
	if r := e.run("service", "start", "--config", cfg, "--name", name, "--timeout", "20s"); r.code == 0 {
		t.Fatalf("start of a daemon without pairs reported success: %s", r)
	}
	waitFor(t, 15*time.Second, "the service process to end", func() (bool, string) {
		r := e.run("service", "status", "--config", cfg, "--name", name)
		return strings.Contains(r.stdout, ": stopped"), r.String()
	})
	log, _ := os.ReadFile("/var/log/" + name + ".log")
	if !strings.Contains(string(log), "no pairs configured") {
		t.Errorf("the service log does not say why the daemon ended:\n%s", log)
	}
}
