//go:build linux

package e2e

import (
	"bufio"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3server/ks3servertest"
)

// serveProc is a `ks3sync serve` process on a fixed address, which a test
// can kill and start again on the same folder.
type serveProc struct {
	t    *testing.T
	e    *env
	addr string
	args []string // after serve --addr ADDR
	env  []string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	out  []string // every line printed, across restarts
}

// startServeProc runs `ks3sync serve --addr ADDR ARGS` on a free loopback
// address with the harness's credentials (and env), until the test ends.
func startServeProc(t *testing.T, e *env, env []string, args ...string) *serveProc {
	t.Helper()
	s := &serveProc{t: t, e: e, addr: freeAddr(t), args: args,
		env: append([]string{"KS3_ACCESS_KEY=" + ks3servertest.AccessKey, "KS3_SECRET_KEY=" + ks3servertest.SecretKey}, env...)}
	s.start()
	t.Cleanup(func() {
		s.signal(syscall.SIGTERM)
		s.wait()
		if t.Failed() {
			t.Logf("ks3sync serve printed:\n%s", strings.Join(s.lines(), "\n"))
		}
	})
	return s
}

func (s *serveProc) url() string { return "http://" + s.addr }

// start starts the process and waits until it listens.
func (s *serveProc) start() {
	s.t.Helper()
	cmd := exec.Command(binPath, append([]string{"serve", "--addr", s.addr}, s.args...)...)
	cmd.Dir, cmd.Env = s.e.dir, s.e.campaignEnviron(s.env)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		s.t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	ready := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stdout)
		once := sync.Once{}
		for sc.Scan() {
			s.mu.Lock()
			s.out = append(s.out, sc.Text())
			s.mu.Unlock()
			if strings.Contains(sc.Text(), "listening on") {
				once.Do(func() { close(ready) })
			}
		}
		err := cmd.Wait()
		s.mu.Lock()
		s.out = append(s.out, fmt.Sprintf("(process %d ended: %v)", cmd.Process.Pid, err))
		s.mu.Unlock()
	}()
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()
	select {
	case <-ready:
	case <-done:
		s.t.Fatalf("serve stopped before listening:\n%s", strings.Join(s.lines(), "\n"))
	case <-time.After(30 * time.Second):
		s.t.Fatalf("serve did not listen within 30s:\n%s", strings.Join(s.lines(), "\n"))
	}
}

func (s *serveProc) signal(sig syscall.Signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		s.cmd.Process.Signal(sig)
	}
}

func (s *serveProc) wait() {
	s.mu.Lock()
	done := s.done
	s.mu.Unlock()
	if done != nil {
		<-done
	}
}

// kill ends the process with SIGKILL and waits for it.
func (s *serveProc) kill() {
	s.signal(syscall.SIGKILL)
	s.wait()
}

func (s *serveProc) lines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.out...)
}
