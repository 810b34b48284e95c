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
	"syscall"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stopProfile, err := startProfile()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ks3sync:", err)
		os.Exit(cli.ExitUsage)
	}
	code := run(ctx, os.Args[1:])
	stopProfile()
	os.Exit(code)
}

// run executes the command line and maps the outcome to an exit code.
func run(ctx context.Context, args []string) int {
	root, app := newRootCmd()
	defer app.close()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return cli.ExitOK
	}
	code := exitCode(ctx, err)
	if msg := err.Error(); msg != "" {
		fmt.Fprintln(os.Stderr, "ks3sync:", msg)
	}
	return code
}

// exitCode maps the error a command ended with to the exit code: the one it
// carries, else 2 for cobra's own usage errors, else 1; an interrupted
// command exits with 3 unless its command line was wrong.
func exitCode(ctx context.Context, err error) int {
	code := cli.ExitPartial
	var ee *cli.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.Code
	case ctx.Err() != nil:
		return cli.ExitInterrupted
	case cli.IsUsage(err):
		code = cli.ExitUsage
	}
	if ctx.Err() != nil && code != cli.ExitUsage {
		return cli.ExitInterrupted
	}
	return code
}
