// Command ks3bench times ks3sync against rclone and the AWS CLI on the same
// generated data against one local `ks3sync serve`, and prints medians and
// ks3sync/peer ratios as Markdown. bench/run.sh builds and runs it; see
// BENCHMARKS.md for the cases and the figures.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "ks3bench:", err)
		os.Exit(2)
	}
	rep, err := run(ctx, opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ks3bench: FAILED:", err)
		os.Exit(1)
	}
	if opts.out != "" {
		if err := writeJSON(opts.out, rep); err != nil {
			fmt.Fprintln(os.Stderr, "ks3bench:", err)
			os.Exit(1)
		}
	}
}

// writeJSON saves the report for later comparison.
func writeJSON(path string, rep *report) error {
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
