package tool

import (
	"fmt"
	"io"
	"sync"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/cli"
)

// itemLog prints the outcome of each item of a multi-item command ("upload:
// a -> ks3://b/a" on out, "failed: ..." on errw) and counts failures. It is
// safe for concurrent use. A progress bar, when there is one, is cleared
// before each line so the two do not mix.
type itemLog struct {
	mu     sync.Mutex
	out    io.Writer
	errw   io.Writer
	quiet  bool
	bar    *meter
	done   int
	failed int
}

func newItemLog(out, errw io.Writer, quiet bool) *itemLog {
	return &itemLog{out: out, errw: errw, quiet: quiet}
}

// setBar sets the progress bar to clear before printing (nil for none).
func (l *itemLog) setBar(bar *meter) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.bar = bar
}

// ok records a finished item and prints line unless quiet.
func (l *itemLog) ok(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.done++
	if !l.quiet {
		l.print(l.out, line)
	}
}

// fail records a failed item and prints what failed and why.
func (l *itemLog) fail(what string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failed++
	l.print(l.errw, "failed: "+what+": "+explainError(err))
}

// warn prints a warning that is not a failure.
func (l *itemLog) warn(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.print(l.errw, "warning: "+line)
}

func (l *itemLog) print(w io.Writer, line string) {
	if l.bar != nil {
		l.bar.Clear()
	}
	fmt.Fprintln(w, line)
}

// result is nil when every item succeeded, otherwise a partial error (exit
// 1) that counts the failures; what names the items ("objects", "files").
func (l *itemLog) result(what string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.failed == 0 {
		return nil
	}
	return cli.PartialError(fmt.Errorf("%d of %d %s failed", l.failed, l.failed+l.done, what))
}
