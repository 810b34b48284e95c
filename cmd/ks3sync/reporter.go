package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/dustin/go-humanize"
	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"

	"github.com/ks3sync/ks3sync/syncer"
)

// reporter prints the events of a pass: one JSON object per event with
// --json, otherwise one line per finished item plus a summary, with a live
// progress bar when stderr is a terminal.
type reporter struct {
	mu     sync.Mutex
	out    io.Writer
	errw   io.Writer
	json   *json.Encoder
	bar    *progressbar.ProgressBar
	closed bool
}

func newReporter(out, errw io.Writer, asJSON, noProgress bool) *reporter {
	r := &reporter{out: out, errw: errw}
	if asJSON {
		r.json = json.NewEncoder(out)
		return r
	}
	if !noProgress && isTerminal(errw) {
		r.bar = progressbar.NewOptions64(-1,
			progressbar.OptionSetWriter(errw),
			progressbar.OptionShowBytes(true),
			progressbar.OptionSetDescription("syncing"),
			progressbar.OptionThrottle(100_000_000),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionSpinnerType(14),
		)
	}
	return r
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isatty.IsTerminal(f.Fd())
}

// report is a syncer.Options.Report function; safe for concurrent use.
func (r *reporter) report(ev syncer.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.json != nil {
		if ev.Kind != syncer.EventBytes && ev.Kind != syncer.EventStart {
			r.json.Encode(ev)
		}
		return
	}
	switch ev.Kind {
	case syncer.EventBytes:
		if r.bar != nil {
			r.bar.Add64(ev.Bytes)
		}
		return
	case syncer.EventStart:
		if r.bar != nil {
			r.bar.Describe(ev.Path)
		}
		return
	}
	if line := consoleLine(ev); line != "" {
		if r.bar != nil {
			r.bar.Clear()
		}
		w := r.out
		if ev.Kind == syncer.EventError || ev.Kind == syncer.EventWarning {
			w = r.errw
		}
		fmt.Fprintln(w, line)
	}
}

func consoleLine(ev syncer.Event) string {
	switch ev.Kind {
	case syncer.EventPlanned:
		return fmt.Sprintf("would %-13s %s  (%s)", ev.Action, ev.Path, ev.Reason)
	case syncer.EventUpload:
		return fmt.Sprintf("uploaded      %s  %s", ev.Path, humanize.IBytes(uint64(ev.Size)))
	case syncer.EventDownload:
		return fmt.Sprintf("downloaded    %s  %s", ev.Path, humanize.IBytes(uint64(ev.Size)))
	case syncer.EventDeleteRemote:
		return fmt.Sprintf("deleted       ks3://…/%s  (%s)", ev.Key, ev.Reason)
	case syncer.EventDeleteLocal:
		return fmt.Sprintf("deleted       %s  (%s)", ev.Path, ev.Reason)
	case syncer.EventConflict:
		return fmt.Sprintf("conflict      %s  (%s; kept both)", ev.Path, ev.Reason)
	case syncer.EventError:
		return fmt.Sprintf("error         %s: %s", ev.Path, ev.Error)
	case syncer.EventWarning:
		return fmt.Sprintf("warning       %s: %s", ev.Path, ev.Reason)
	case syncer.EventPassEnd:
		return summaryLine(ev)
	}
	return ""
}

func summaryLine(ev syncer.Event) string {
	c := ev.Counts
	if c == nil {
		return ""
	}
	verb := "synced"
	if ev.DryRun {
		verb = "dry run"
	}
	return fmt.Sprintf("%s %s: %d uploaded, %d downloaded, %d deleted, %d conflicts, %d failed, %s in %.1fs",
		ev.Pair, verb, c.Uploaded, c.Downloaded, c.Deleted, c.Conflicts, c.Failed, humanize.IBytes(uint64(c.Bytes)), ev.Duration)
}

// close stops the progress bar.
func (r *reporter) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.bar != nil && !r.closed {
		r.bar.Finish()
		r.closed = true
	}
}
