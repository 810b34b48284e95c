package harness

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"syscall"
	"time"
)

// Credentials are the key pair the benchmark server accepts and every tool
// signs with.
type Credentials struct{ AccessKey, SecretKey string }

// Server is a running `ks3sync serve`.
type Server struct {
	// Endpoint is the server's base URL, http://127.0.0.1:PORT.
	Endpoint string
	cmd      *exec.Cmd
	done     chan error
}

var listenLine = regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)

// StartServer starts `BIN serve --root ROOT` on a free loopback port and
// waits until it prints its address. Its log goes to logPath.
func StartServer(ctx context.Context, bin, root, logPath string, cred Credentials) (*Server, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("start server: %w", err)
	}
	cmd := exec.Command(bin, "serve", "--root", root, "--addr", "127.0.0.1:0",
		"--access-key", cred.AccessKey, "--secret-key", cred.SecretKey, "--log-level", "warn")
	cmd.Stderr = logf
	out, err := cmd.StdoutPipe()
	if err != nil {
		logf.Close()
		return nil, fmt.Errorf("start server: %w", err)
	}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start server: %w", err)
	}
	s := &Server{cmd: cmd, done: make(chan error, 1)}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			fmt.Fprintln(logf, sc.Text())
			if m := listenLine.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		_, _ = io.Copy(logf, out)
	}()
	go func() {
		s.done <- cmd.Wait()
		logf.Close()
	}()
	select {
	case s.Endpoint = <-addr:
		return s, nil
	case err := <-s.done:
		return nil, fmt.Errorf("start server: exited before listening (%v); see %s", err, logPath)
	case <-time.After(30 * time.Second):
		s.Stop()
		return nil, fmt.Errorf("start server: no address after 30s; see %s", logPath)
	case <-ctx.Done():
		s.Stop()
		return nil, fmt.Errorf("start server: %w", ctx.Err())
	}
}

// PID is the server's process id.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// Stop asks the server to shut down and waits for it, killing it after 10s.
func (s *Server) Stop() error {
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stop server: %w", err)
	}
	select {
	case <-s.done:
		return nil
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
		return errors.New("stop server: killed after 10s")
	}
}
