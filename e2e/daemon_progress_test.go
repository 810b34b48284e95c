package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// ptyRun runs ks3sync on a pseudo-terminal of the given size (0x0: one
// that reports no size) and returns everything it drew.
func (e *env) ptyRun(cols, rows uint16, args ...string) (string, error) {
	e.t.Helper()
	cmd := exec.Command(binPath, args...)
	cmd.Dir, cmd.Env = e.dir, append(e.environ(), "TERM=xterm")
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: cols, Rows: rows})
	if err != nil {
		e.t.Fatal(err)
	}
	defer ptmx.Close()
	var (
		mu  sync.Mutex
		out bytes.Buffer
	)
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			mu.Lock()
			out.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		err = errors.New("ks3sync run did not finish within 2 minutes")
	}
	ptmx.Close()
	<-copied
	mu.Lock()
	defer mu.Unlock()
	return out.String(), err
}

// `run` on a terminal shows the overall bar (files and bytes done of the
// total, the rate, the time left) and one line per transfer in flight, on
// a sized terminal and on one that reports no width.
func TestDaemonRunProgressOnTerminal(t *testing.T) {
	for _, size := range []struct{ cols, rows uint16 }{{100, 30}, {0, 0}} {
		t.Run(fmt.Sprintf("%dx%d", size.cols, size.rows), func(t *testing.T) {
			e := newEnv(t)
			e.mkBucket("bkt")
			local := filepath.Join(e.dir, "src")
			files := tree{}
			for i := range 6 {
				files[fmt.Sprintf("f%d.bin", i)] = pseudoRandom(uint64(i), 256<<10)
			}
			files.write(t, local)
			// Slow enough for several redraws: 1.5 MiB at 512 KiB/s.
			cfg := e.writeConfig("p.yaml", fmt.Sprintf("transfers: 2\nbandwidth: 512KiB\npairs:\n  - name: p\n    local: %s\n    bucket: bkt\n", local))
			screen, err := e.ptyRun(size.cols, size.rows, "run", "--config", cfg)
			if err != nil {
				t.Fatalf("run on a terminal: %v\n%q", err, screen)
			}
			bar := regexp.MustCompile(`\[=*>? *\] \d/6 files  [\d.]+ [KM]iB/1\.5 MiB  ([\d.]+ [KM]iB|-)/s  ETA (\d+s|-)`)
			if !bar.MatchString(screen) {
				t.Fatalf("no overall bar on the screen:\n%q", screen)
			}
			if !regexp.MustCompile(`(?m)^\x1b\[2K  ↑ f\d\.bin +\d+%  `).MatchString(screen) {
				t.Errorf("no line for a transfer in flight:\n%q", screen)
			}
			if !regexp.MustCompile(`\d+ KiB/s  ETA \d+s`).MatchString(screen) {
				t.Errorf("no rate and ETA after a second:\n%q", screen)
			}
			if !strings.Contains(screen, "p synced: 6 uploaded") {
				t.Errorf("no summary:\n%q", screen)
			}
			e.bucketMatches("bkt", "", files, time.Second)
		})
	}
}

// Off a terminal there is no display and no colour: plain lines only.
func TestDaemonRunPlainOffTerminal(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("bkt")
	local := filepath.Join(e.dir, "src")
	tree{"a.txt": []byte("a")}.write(t, local)
	cfg := e.writeConfig("q.yaml", fmt.Sprintf("pairs:\n  - name: q\n    local: %s\n    bucket: bkt\n", local))
	r := e.mustRun(0, "run", "--config", cfg, "--log-level", "debug")
	if strings.Contains(r.stdout+r.stderr, "\x1b[") {
		t.Fatalf("escape sequences off a terminal:\n%q", r.stdout+r.stderr)
	}
	if !strings.Contains(r.stdout, "q synced: 1 uploaded") {
		t.Fatalf("no summary: %s", r)
	}
}

// cp on a terminal that reports no width still draws its bar, and with
// --bandwidth the object still arrives whole; a bad value is a usage error.
func TestDaemonCpBarAtZeroWidth(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("bkt")
	data := pseudoRandom(7, 1<<20)
	src := writeFile(t, e.dir, "big.bin", data)
	screen, err := e.ptyRun(0, 0, "cp", "--endpoint", e.srv.URL, "--bandwidth", "512KiB", src, "ks3://bkt/big.bin")
	if err != nil {
		t.Fatalf("cp on a terminal: %v\n%q", err, screen)
	}
	if !regexp.MustCompile(`\d+% \|[^|]{40}\|`).MatchString(screen) {
		t.Fatalf("no bar on a zero-width terminal:\n%q", screen)
	}
	if got, _ := e.getObject("bkt", "big.bin"); !bytes.Equal(got, data) {
		t.Fatal("the object differs from the file")
	}
	if r := e.run("cp", "--endpoint", e.srv.URL, "--bandwidth", "fast", src, "ks3://bkt/x"); r.code != 2 || !strings.Contains(r.stderr, "--bandwidth") {
		t.Fatalf("a bad --bandwidth: %s", r)
	}
}
