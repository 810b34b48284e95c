package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A pass that fails or is interrupted never says "synced": the summary
// names the outcome and the exit status tells it (1 failed, 3
// interrupted), in the human output and in --json.
func TestDaemonRunFailedAndInterruptedNeverSaySynced(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("bkt")
	local := filepath.Join(e.dir, "src")
	writeFile(t, local, "a.txt", []byte("alpha"))
	cfg := e.writeConfig("o.yaml", fmt.Sprintf("timeouts: {outage: 1s}\npairs:\n  - name: o\n    local: %s\n    bucket: bkt\n", local))

	// Failed: nothing listens at the endpoint.
	for _, args := range [][]string{nil, {"--json"}} {
		r := e.run(append([]string{"run", "--config", cfg, "--endpoint", "http://127.0.0.1:1", "--no-progress"}, args...)...)
		out := r.stdout + r.stderr
		if r.code != 1 || strings.Contains(out, "synced") || !strings.Contains(out, "failed") {
			t.Errorf("run %v against an endpoint that is down: want exit 1, \"failed\" and never \"synced\", got %s", args, r)
		}
		if args != nil && !strings.Contains(r.stdout, `"outcome":"failed"`) {
			t.Errorf("--json of a failed run has no pass-end with outcome failed:\n%s", r.stdout)
		}
	}

	// Interrupted: SIGINT in the middle of a slowed upload.
	writeFile(t, local, "big.bin", make([]byte, 8<<20))
	slow := e.writeConfig("slow.yaml", fmt.Sprintf("bandwidth: 1MiB\npairs:\n  - name: o\n    local: %s\n    bucket: bkt\n", local))
	cmd := exec.Command(binPath, "run", "--config", slow, "--no-progress")
	cmd.Dir, cmd.Env = e.dir, e.environ()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 || strings.Contains(out.String(), "synced") || !strings.Contains(out.String(), "interrupted") {
		t.Errorf("run interrupted by SIGINT: want exit 3, \"interrupted\" and never \"synced\", got %v\n%s", err, out.String())
	}
}
