package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// TimeBin is the GNU time binary that measures CPU time and peak RSS.
const TimeBin = "/usr/bin/time"

// Measure is the cost of one command.
type Measure struct {
	Wall time.Duration
	Usage
}

// RunTimed runs argv under `/usr/bin/time -v` with the current environment
// plus environ, sending its output to logPath. A non-zero exit is an error
// that quotes the end of the log.
func RunTimed(ctx context.Context, argv, environ []string, logPath string) (Measure, error) {
	timeFile := logPath + ".time"
	logf, err := os.Create(logPath)
	if err != nil {
		return Measure{}, fmt.Errorf("run %s: %w", filepath.Base(argv[0]), err)
	}
	defer logf.Close()
	cmd := exec.CommandContext(ctx, TimeBin, append([]string{"-v", "-o", timeFile}, argv...)...)
	cmd.Env = append(os.Environ(), environ...)
	cmd.Stdout, cmd.Stderr = logf, logf
	start := time.Now()
	runErr := cmd.Run()
	wall := time.Since(start)
	report, err := os.ReadFile(timeFile)
	if err != nil {
		return Measure{}, fmt.Errorf("run %s: %w (and %w)", argv[0], err, runErr)
	}
	u, err := ParseTimeV(bytes.NewReader(report))
	if err != nil {
		return Measure{}, fmt.Errorf("run %s: %w", argv[0], err)
	}
	if runErr != nil || u.ExitStatus != 0 {
		var exitErr *exec.ExitError
		if runErr != nil && !errors.As(runErr, &exitErr) {
			return Measure{}, fmt.Errorf("run %s: %w", argv[0], runErr)
		}
		return Measure{}, fmt.Errorf("run %q: exit status %d; %s ends with:\n%s", argv, u.ExitStatus, logPath, tail(logPath, 2000))
	}
	return Measure{Wall: wall, Usage: u}, nil
}

// tail returns at most the last n bytes of the file at path.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
