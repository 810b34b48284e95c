// Command ks3sync keeps local folders in sync with Kingsoft Cloud KS3 object
// storage: one-shot (`run`), as a foreground daemon (`watch`) or as an OS
// service (`service install`), and exposes every KS3 operation from the
// command line. `serve` runs a KS3-compatible server over a local folder.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// Exit codes (a contract: scripts rely on them).
const (
	exitOK          = 0 // all done
	exitPartial     = 1 // some items failed, the rest done
	exitUsage       = 2 // usage or configuration error
	exitInterrupted = 3 // interrupted by a signal
)

// exitError carries an exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageError(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

func partialError(err error) error { return &exitError{code: exitPartial, err: err} }

// defaultMemoryLimit is the Go runtime's soft memory limit unless GOMEMLIMIT
// says otherwise: a daemon syncing a very large tree collects garbage
// sooner instead of letting its heap double (GOGC) past its live size.
const defaultMemoryLimit = 256 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:]))
}

// run executes the command line and maps the outcome to an exit code.
func run(ctx context.Context, args []string) int {
	root, app := newRootCmd()
	defer app.close()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	code := exitPartial
	var ee *exitError
	switch {
	case errors.As(err, &ee):
		code = ee.code
	case ctx.Err() != nil:
		code = exitInterrupted
	case isUsage(err):
		code = exitUsage
	}
	if ctx.Err() != nil && code != exitUsage {
		code = exitInterrupted
	}
	if msg := err.Error(); msg != "" {
		fmt.Fprintln(os.Stderr, "ks3sync:", msg)
	}
	return code
}
