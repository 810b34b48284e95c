package tool

import (
	"io"
	"os"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// isTTY reports whether v is a terminal (a *os.File on a console).
func isTTY(v any) bool {
	f, ok := v.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// newBar returns a byte-counting progress bar on w, or nil when w is not a
// terminal or progress is off. total < 0 means an unknown total (a spinner).
func newBar(w io.Writer, show bool, total int64, description string) *progressbar.ProgressBar {
	if !show || !isTTY(w) {
		return nil
	}
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(w),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetDescription(description),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionSetWidth(40),
	}
	// Full width only on a terminal that reports one: at width 0 the bar
	// would have no room at all.
	if f, ok := w.(*os.File); ok {
		if width, _, err := term.GetSize(int(f.Fd())); err == nil && width > 0 {
			opts = append(opts, progressbar.OptionFullWidth())
		}
	}
	return progressbar.NewOptions64(total, opts...)
}

// byteProgress moves a bar by the work done on one item of size bytes
// that is read passes times over (hashing, then sending, for example):
// the bar advances by the bytes read divided by passes, never past size.
// A nil *byteProgress does nothing. It is safe for concurrent use.
type byteProgress struct {
	mu     sync.Mutex
	bar    *progressbar.ProgressBar
	size   int64
	passes int64
	read   int64
	shown  int64
}

func newByteProgress(bar *progressbar.ProgressBar, size int64, passes int) *byteProgress {
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
