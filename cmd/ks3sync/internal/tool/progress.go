package tool

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/progress"
)

// isTTY reports whether v is a terminal (a *os.File on a console).
func isTTY(v any) bool {
	f, ok := v.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// newBar returns a byte-counting progress bar on w, or nil when w is not a
// terminal or progress is off. total < 0 means an unknown total (a spinner).
func newBar(w io.Writer, show bool, total int64, description string) *meter {
	if !show || !isTTY(w) {
		return nil
	}
	// Full width only on a terminal that reports one: at width 0 the bar
	// would have no room at all.
	full := false
	if f, ok := w.(*os.File); ok {
		if width, _, err := term.GetSize(int(f.Fd())); err == nil && width > 0 {
			full = true
		}
	}
	opts := append(barOptions(w, full), progressbar.OptionThrottle(100*time.Millisecond))
	return newMeter(total, description, nil, opts...)
}

// barOptions are the options of cp's bar on w. The library's own rate and
// time left are off: until its first half-second sample it divides the
// bytes by the time since the bar started, so 4 MiB buffered in the first
// millisecond read tens of GB/s with 0s left. The meter shows its own.
func barOptions(w io.Writer, fullWidth bool) []progressbar.Option {
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(w),
		progressbar.OptionShowBytes(false),
		progressbar.OptionSetPredictTime(false),
		progressbar.OptionShowDescriptionAtLineEnd(),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionSetWidth(40),
	}
	if fullWidth {
		opts = append(opts, progressbar.OptionFullWidth())
	}
	return opts
}

// describeEvery is how often a meter rewrites its figures.
const describeEvery = 500 * time.Millisecond

// meter is cp's progress bar: schollz/progressbar draws the bar, and the
// rate and time left, after the label at the end of the line, come from a
// progress.Tracker, the same figures as run's display: a rate measured
// over a window of samples, shown as "-" until the window spans a second.
// It is safe for concurrent use.
type meter struct {
	bar   *progressbar.ProgressBar
	track *progress.Tracker
	label string
	sized bool // the total is known: there is a time left to show
	now   func() time.Time

	mu        sync.Mutex
	described time.Time // when the figures were last rewritten
	shown     string
}

// newMeter returns a bar with opts that counts up to total bytes (-1:
// unknown) and shows label and the figures; now nil means time.Now. Like
// the library's bar, it draws nothing before the first bytes.
func newMeter(total int64, label string, now func() time.Time, opts ...progressbar.Option) *meter {
	if now == nil {
		now = time.Now
	}
	m := &meter{track: progress.NewTracker(now), label: label, sized: total >= 0, now: now}
	if total >= 0 {
		m.track.AddTotal(1, total)
	}
	// No snapshot yet: the rate is measured from the first bytes, not from
	// the start, which may be long before them.
	m.described = now()
	m.shown = label + "  " + meterFigures(progress.Snapshot{}, m.sized)
	m.bar = progressbar.NewOptions64(total, append(opts, progressbar.OptionSetDescription(m.shown))...)
	return m
}

// Add64 moves the bar by n bytes.
func (m *meter) Add64(n int64) {
	m.track.Add("", n)
	m.bar.Add64(n)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.now().Sub(m.described) >= describeEvery {
		m.describe()
	}
}

// describe rewrites the label and figures when they changed; m.mu is held.
func (m *meter) describe() {
	m.described = m.now()
	if text := m.label + "  " + meterFigures(m.track.Snapshot(), m.sized); text != m.shown {
		m.shown = text
		m.bar.Describe(text)
	}
}

// meterFigures is "2.0 MiB/s  ETA 14s", with "-" for what is not known
// yet, padded so that a full-width bar does not jitter as they change.
func meterFigures(s progress.Snapshot, sized bool) string {
	rate := "-"
	if s.Rate > 0 {
		rate = humanize.IBytes(uint64(s.Rate))
	}
	if !sized {
		return fmt.Sprintf("%8s/s", rate)
	}
	eta := "-"
	if d := s.ETA(); d >= 0 {
		eta = d.Round(time.Second).String()
	}
	return fmt.Sprintf("%8s/s  ETA %-7s", rate, eta)
}

// Clear removes the bar from the screen until its next redraw.
func (m *meter) Clear() error { return m.bar.Clear() }

// Finish completes the bar (and clears it).
func (m *meter) Finish() error { return m.bar.Finish() }

// byteProgress moves a bar by the work done on one item of size bytes
// that is read passes times over (hashing, then sending, for example):
// the bar advances by the bytes read divided by passes, never past size.
// A nil *byteProgress does nothing. It is safe for concurrent use.
type byteProgress struct {
	mu     sync.Mutex
	bar    *meter
	size   int64
	passes int64
	read   int64
	shown  int64
}

func newByteProgress(bar *meter, size int64, passes int) *byteProgress {
	if bar == nil {
		return nil
	}
	return &byteProgress{bar: bar, size: size, passes: int64(max(passes, 1))}
}

// add counts n bytes read.
func (p *byteProgress) add(n int) {
	if p == nil || n <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.read += int64(n)
	want := p.read / p.passes
	if p.size >= 0 {
		want = min(want, p.size)
	}
	if want > p.shown {
		p.bar.Add64(want - p.shown)
		p.shown = want
	}
}

// finish moves the bar to the end of the item (its work is done, even if
// fewer bytes than expected were counted).
func (p *byteProgress) finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.size > p.shown {
		p.bar.Add64(p.size - p.shown)
		p.shown = p.size
	}
}

// countingReaderAt counts what is read through it on a byteProgress.
type countingReaderAt struct {
	r io.ReaderAt
	p *byteProgress
}

func (c countingReaderAt) ReadAt(b []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(b, off)
	c.p.add(n)
	return n, err
}

// countingReader counts what is read through it on a byteProgress.
type countingReader struct {
	r io.Reader
	p *byteProgress
}

func (c countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.p.add(n)
	return n, err
}
