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
	"strconv"
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
	// Imported holds, by bucket, what `ks3sync serve` reported of each
	// import (see ServeOptions.Imports).
	Imported map[string]Imported
	skipped  bool
	cmd      *exec.Cmd
	done     chan error
	stopOnce sync.Once
	stopErr  error
}

var (
	listenLine = regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)
	importLine = regexp.MustCompile(`imported (\d+) objects \(.*\) from .* into (\S+) in (\S+)$`)
	skipLine   = regexp.MustCompile(`ks3sync serve: skipped \d+ entries`)
)

// ServeOptions are the optional settings of StartServer. The zero value
// starts an empty server that flushes every upload.
type ServeOptions struct {
	// Imports are loaded with `--import BUCKET=FOLDER` before the server
	// listens; each may take minutes, so StartServer then waits longer.
	Imports []Import
	// NoFsync starts it with --no-fsync (scratch stores only).
	NoFsync bool
}

// Import is one `serve --import`: a folder and the bucket it goes into.
type Import struct{ Bucket, Dir string }

// Imported is what the server reported of one import.
type Imported struct {
	Objects int
	Took    time.Duration
}

// importWait is how long StartServer waits per import for the address.
const importWait = 15 * time.Minute

// StartServer starts `BIN serve --root ROOT` on a free loopback port and
// waits until it prints its address. Its log goes to logPath.
func StartServer(ctx context.Context, bin, root, logPath string, cred Credentials, opts ServeOptions) (*Server, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("start server: %w", err)
	}
	args := []string{"serve", "--root", root, "--addr", "127.0.0.1:0",
		"--access-key", cred.AccessKey, "--secret-key", cred.SecretKey, "--log-level", "warn"}
	if opts.NoFsync {
		args = append(args, "--no-fsync")
	}
	for _, im := range opts.Imports {
		args = append(args, "--import", im.Bucket+"="+im.Dir)
	}
	cmd := exec.Command(bin, args...)
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
	s := &Server{cmd: cmd, done: make(chan error, 1), Imported: map[string]Imported{}}
	addr := make(chan string, 1)
	go s.readStdout(out, logf, addr)
	go func() {
		s.done <- cmd.Wait()
		logf.Close()
	}()
	wait := 30*time.Second + time.Duration(len(opts.Imports))*importWait
	select {
	case s.Endpoint = <-addr:
		return s, s.checkImports(opts.Imports, logPath)
	case err := <-s.done:
		return nil, fmt.Errorf("start server: exited before listening (%v); see %s", err, logPath)
	case <-time.After(wait):
		s.Stop()
		return nil, fmt.Errorf("start server: no address after %s; see %s", wait, logPath)
	case <-ctx.Done():
		s.Stop()
		return nil, fmt.Errorf("start server: %w", ctx.Err())
	}
}

// readStdout copies the server's output to logf, records the imports it
// reports and sends its address once. It owns s.Imported until the address
// is sent; the server prints its imports before it listens.
func (s *Server) readStdout(out io.Reader, logf io.Writer, addr chan<- string) {
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(logf, line)
		if m := importLine.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			took, _ := time.ParseDuration(m[3])
			s.Imported[m[2]] = Imported{Objects: n, Took: took}
		}
		if skipLine.MatchString(line) {
			s.skipped = true
		}
		if m := listenLine.FindStringSubmatch(line); m != nil {
			addr <- m[1]
		}
	}
	_, _ = io.Copy(logf, out)
}

// checkImports fails unless every import was reported and none skipped a
// file, stopping the server then.
func (s *Server) checkImports(want []Import, logPath string) error {
	var err error
	for _, im := range want {
		if _, ok := s.Imported[im.Bucket]; !ok {
			err = fmt.Errorf("start server: no report of the import of %s into %s; see %s", im.Dir, im.Bucket, logPath)
			break
		}
	}
	if s.skipped {
		err = fmt.Errorf("start server: an import skipped entries; see %s", logPath)
	}
	if err != nil {
		s.Stop()
	}
	return err
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
