package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/rs/zerolog"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/progress"
	"github.com/ks3sync/ks3sync/planner"
	"github.com/ks3sync/ks3sync/syncer"
)

// progressEvery is how often a run that is not on a terminal logs its
// progress.
const progressEvery = 10 * time.Second

// reporter prints the events of passes. With --json it prints one JSON
// object per event on stdout. Otherwise `run` prints a line per finished
// item and a summary per pass (errors and warnings on stderr), with the
// progress display on a terminal or a progress log line every few seconds
// elsewhere, and `watch` logs the events. Every event is printed once.
type reporter struct {
	mu    sync.Mutex
	out   io.Writer
	errw  io.Writer
	json  *json.Encoder
	log   *zerolog.Logger // watch: events become log lines
	track *progress.Tracker
	term  *progress.Terminal
	stop  context.CancelFunc // of the periodic progress lines
	// buf holds the lines for out while no progress display shares the
	// screen: a dry run of a million files prints a million lines, and a
	// write each was a third of its time. It is flushed at most
	// flushEvery after a line, at the end of every pass and on close.
	buf     *bufio.Writer
	flushed time.Time
}

// flushEvery bounds how long a printed line may wait in the buffer while
// events keep coming.
const flushEvery = 200 * time.Millisecond

// reporterOptions choose the reporter's form.
type reporterOptions struct {
	json     bool
	progress bool // a progress display (a terminal) or progress log lines
	slots    int  // transfer lines on the display
	log      *zerolog.Logger
}

func newReporter(out, errw io.Writer, o reporterOptions) *reporter {
	r := &reporter{out: out, errw: errw, log: o.log}
	if o.log == nil && !(o.progress && !o.json && progress.IsTerminal(errw)) {
		r.buf = bufio.NewWriterSize(out, 64<<10)
		r.out = r.buf
	}
	switch {
	case o.json:
		r.json = json.NewEncoder(r.out)
		r.json.SetEscapeHTML(false)
	case !o.progress:
	case progress.IsTerminal(errw):
		r.track = progress.NewTracker(nil)
		r.term = progress.NewTerminal(errw, r.track, o.slots)
	case o.log != nil:
		r.track = progress.NewTracker(nil)
		ctx, cancel := context.WithCancel(context.Background())
		r.stop = cancel
		go progress.Periodic(ctx, r.track, progressEvery, func(line string) { o.log.Info().Str("progress", line).Msg("syncing") })
	}
	return r
}

// report is a syncer.Options.Report function; safe for concurrent use.
func (r *reporter) report(ev syncer.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.trackEvent(ev)
	switch {
	case r.json != nil:
		if ev.Kind != syncer.EventBytes && ev.Kind != syncer.EventStart && ev.Kind != syncer.EventParts {
			r.json.Encode(ev)
		}
	case r.log != nil && r.track == nil:
		logEvent(r.log, ev)
	default:
		r.print(ev)
	}
	r.flush(ev.Kind == syncer.EventPassEnd || ev.Kind == syncer.EventRefused)
}

// flush writes out the buffered lines when now is true or they have waited
// flushEvery; r.mu must be held.
func (r *reporter) flush(now bool) {
	if r.buf == nil || r.buf.Buffered() == 0 {
		return
	}
	if t := time.Now(); now || t.Sub(r.flushed) >= flushEvery {
		r.buf.Flush()
		r.flushed = t
	}
}

// track feeds the progress figures.
func (r *reporter) trackEvent(ev syncer.Event) {
	t := r.track
	if t == nil {
		return
	}
	switch ev.Kind {
	case syncer.EventPlan:
		t.AddTotal(ev.Plan.Files, ev.Plan.Bytes)
	case syncer.EventStart:
		t.Start(ev.Pair+"/"+ev.Path, arrow(ev.Action)+" "+ev.Path, ev.Size)
	case syncer.EventBytes:
		t.Add(ev.Pair+"/"+ev.Path, ev.Bytes)
	case syncer.EventUpload, syncer.EventDownload, syncer.EventConflict:
		t.Done(ev.Pair+"/"+ev.Path, false)
	case syncer.EventError:
		if ev.Action == "upload" || ev.Action == "download" || ev.Action == "conflict" {
			t.Done(ev.Pair+"/"+ev.Path, true)
		}
	}
}

func arrow(action string) string {
	if action == "upload" {
		return "↑"
	}
	return "↓"
}

// print writes the line of an event, above the progress display if any.
func (r *reporter) print(ev syncer.Event) {
	line := consoleLine(ev)
	if line == "" {
		return
	}
	w := r.out
	if ev.Kind == syncer.EventError || ev.Kind == syncer.EventWarning || ev.Kind == syncer.EventRefused {
		r.flush(true) // what came before it on stdout first
		w = r.errw
	}
	if r.term != nil {
		r.term.PrintTo(w, line)
		return
	}
	fmt.Fprintln(w, line)
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
		if ev.Action == string(planner.Conflict) {
			return fmt.Sprintf("conflict      %s  (%s; kept both)", ev.Path, ev.Reason)
		}
		return fmt.Sprintf("conflict      %s  (%s)", ev.Path, ev.Reason) // the reason says what was kept
	case syncer.EventError:
		return fmt.Sprintf("error         %s: %s", ev.Path, ev.Error)
	case syncer.EventWarning:
		if name := cmp.Or(ev.Key, ev.Path); name != "" {
			return fmt.Sprintf("warning       %s: %s", name, ev.Reason)
		}
		return fmt.Sprintf("warning       %s", ev.Reason)
	case syncer.EventPassEnd:
		return summaryLine(ev)
	}
	return ""
}

// summaryLine says how a pass ended: only a pass that ran to its end says
// synced.
func summaryLine(ev syncer.Event) string {
	c := ev.Counts
	if c == nil {
		return ""
	}
	counts := fmt.Sprintf("%d uploaded, %d downloaded, %d deleted, %d conflicts, %d failed, %s in %.1fs",
		c.Uploaded, c.Downloaded, c.Deleted, c.Conflicts, c.Failed, humanize.IBytes(uint64(c.Bytes)), ev.Duration)
	switch {
	case ev.DryRun && ev.Outcome.Succeeded():
		return fmt.Sprintf("%s dry run: nothing was changed", ev.Pair)
	case ev.Outcome == syncer.OutcomeOK:
		return fmt.Sprintf("%s synced: %s", ev.Pair, counts)
	case ev.Outcome == syncer.OutcomePartial:
		return fmt.Sprintf("%s partly synced: %s", ev.Pair, counts)
	case ev.Outcome == syncer.OutcomeRefused:
		return fmt.Sprintf("%s refused: nothing was changed", ev.Pair)
	case ev.Outcome == syncer.OutcomeInterrupted:
		return fmt.Sprintf("%s interrupted: %s", ev.Pair, counts)
	}
	return fmt.Sprintf("%s failed: %s", ev.Pair, counts)
}

// logEvent logs an event of the daemon, once: items at info, failed items
// and warnings at warn, refusals at error. Pass starts and ends are logged
// at debug; the daemon's loop logs failed passes itself.
func logEvent(log *zerolog.Logger, ev syncer.Event) {
	var e *zerolog.Event
	switch ev.Kind {
	case syncer.EventUpload, syncer.EventDownload, syncer.EventDeleteRemote, syncer.EventDeleteLocal:
		e = log.Info().Int64("size", ev.Size)
	case syncer.EventConflict:
		e = log.Warn().Str("reason", ev.Reason)
	case syncer.EventResumed:
		e = log.Info().Int("parts", ev.Parts)
	case syncer.EventError:
		e = log.Warn().Str("action", ev.Action).Str("error", ev.Error).Str("error_kind", ev.ErrorKind)
	case syncer.EventWarning:
		w := log.Warn().Str("component", "sync").Str("pair", ev.Pair)
		if ev.Key != "" {
			w = w.Str("key", ev.Key) // one warning per key of a clash: say which
		} else if ev.Path != "" {
			w = w.Str("path", ev.Path)
		}
		w.Msg(ev.Reason)
		return
	case syncer.EventRefused:
		e = log.Error().Str("error", ev.Error)
	case syncer.EventPassEnd:
		e = log.Debug().Str("kind", ev.Action).Str("outcome", string(ev.Outcome)).Float64("duration_seconds", ev.Duration)
	default:
		return
	}
	e.Str("component", "sync").Str("pair", ev.Pair).Str("path", ev.Path).Msg(string(ev.Kind))
}

// close removes the progress display.
func (r *reporter) close() {
	r.mu.Lock()
	r.flush(true)
	r.mu.Unlock()
	if r.term != nil {
		r.term.Close()
	}
	if r.stop != nil {
		r.stop()
	}
}
