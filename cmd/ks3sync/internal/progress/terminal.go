package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	"golang.org/x/term"
)

// redrawEvery is how often a Terminal redraws.
const redrawEvery = 200 * time.Millisecond

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// Terminal draws a Tracker on a terminal and redraws it in place until
// Close. Lines printed with Println appear above it. Its methods are safe
// for concurrent use.
type Terminal struct {
	w     io.Writer
	t     *Tracker
	slots int
	width func() int

	mu     sync.Mutex
	drawn  int // lines of the display now on the screen
	closed bool
	quit   chan struct{}
	done   chan struct{}
}

// NewTerminal starts drawing t on w with up to slots transfer lines.
func NewTerminal(w io.Writer, t *Tracker, slots int) *Terminal {
	d := &Terminal{w: w, t: t, slots: max(slots, 1), width: widthOf(w), quit: make(chan struct{}), done: make(chan struct{})}
	go d.loop()
	return d
}

// widthOf returns the width of the terminal w, 0 when it does not say.
func widthOf(w io.Writer) func() int {
	return func() int {
		f, ok := w.(*os.File)
		if !ok {
			return 0
		}
		width, _, err := term.GetSize(int(f.Fd()))
		if err != nil {
			return 0
		}
		return width
	}
}

func (d *Terminal) loop() {
	defer close(d.done)
	tick := time.NewTicker(redrawEvery)
	defer tick.Stop()
	for {
		d.mu.Lock()
		d.redraw()
		d.mu.Unlock()
		select {
		case <-tick.C:
		case <-d.quit:
			return
		}
	}
}

// Println prints line above the display.
func (d *Terminal) Println(line string) { d.PrintTo(d.w, line) }

// PrintTo prints line on w (the display's terminal or another stream on
// the same screen, such as stdout for stderr) above the display.
func (d *Terminal) PrintTo(w io.Writer, line string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		fmt.Fprintln(w, line)
		return
	}
	d.erase()
	fmt.Fprintln(w, line)
	d.redraw()
}

// Close stops redrawing and removes the display from the screen.
func (d *Terminal) Close() {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	d.closed = true
	d.mu.Unlock()
	close(d.quit)
	<-d.done
	d.mu.Lock()
	d.erase()
	d.mu.Unlock()
}

// erase moves to the display's first line and clears to the end of the
// screen.
func (d *Terminal) erase() {
	if d.drawn > 0 {
		fmt.Fprintf(d.w, "\r\x1b[%dA\x1b[J", d.drawn)
		d.drawn = 0
	}
}

// redraw draws the display anew, below what was printed.
func (d *Terminal) redraw() {
	lines := Render(d.t.Snapshot(), d.width()-1, d.slots)
	var b strings.Builder
	if d.drawn > 0 {
		fmt.Fprintf(&b, "\r\x1b[%dA", d.drawn)
	}
	for _, l := range lines {
		b.WriteString("\x1b[2K")
		b.WriteString(l)
		b.WriteByte('\n')
	}
	b.WriteString("\x1b[J")
	io.WriteString(d.w, b.String())
	d.drawn = len(lines)
}
