package harness

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"regexp"
	"sync"
	"syscall"
	"time"
)

// Credentials are the key pair the benchmark server accepts and every tool
// signs with.
type Credentials struct{ AccessKey, SecretKey string }

// Server is a running benchmark server: `ks3sync serve` or versitygw.
type Server struct {
	// Endpoint is the server's base URL, http://127.0.0.1:PORT.
	Endpoint string
	cmd      *exec.Cmd
	done     chan error
	stopOnce sync.Once
	stopErr  error
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
// Later calls return the first one's result.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() { s.stopErr = s.stop() })
	return s.stopErr
}

func (s *Server) stop() error {
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

// Server names in the report.
const (
	// ServerKS3Sync is `ks3sync serve`.
	ServerKS3Sync = "ks3sync-serve"
	// ServerVersityGW is versitygw over a POSIX folder.
	ServerVersityGW = "versitygw"
)

// StartVersityGW starts `BIN --port 127.0.0.1:PORT ... posix ROOT` on a free
// loopback port over a fresh folder and waits until it accepts connections.
// Its log goes to logPath. versitygw verifies SigV4 only.
func StartVersityGW(ctx context.Context, bin, root, logPath string, cred Credentials) (*Server, error) {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("start versitygw: %w", err)
	}
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, fmt.Errorf("start versitygw: %w", err)
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("start versitygw: %w", err)
	}
	cmd := exec.Command(bin, "--port", addr, "--access", cred.AccessKey, "--secret", cred.SecretKey,
		"--quiet", "posix", root)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start versitygw: %w", err)
	}
	s := &Server{Endpoint: "http://" + addr, cmd: cmd, done: make(chan error, 1)}
	go func() {
		s.done <- cmd.Wait()
		logf.Close()
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return s, nil
		}
		select {
		case err := <-s.done:
			return nil, fmt.Errorf("start versitygw: exited before listening (%v); see %s", err, logPath)
		case <-ctx.Done():
			s.Stop()
			return nil, fmt.Errorf("start versitygw: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("start versitygw: not listening on %s after 30s; see %s", addr, logPath)
		}
	}
}

// freeLoopbackAddr returns 127.0.0.1:PORT with a port that was free a
// moment ago (versitygw cannot be asked to pick one and report it).
func freeLoopbackAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		return "", err
	}
	return addr, nil
}
