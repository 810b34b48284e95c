package progress

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dustin/go-humanize"
)

// Widths: a terminal that reports no width is taken as defaultWidth wide,
// one narrower than minWidth as minWidth; every terminal gets a bar of at
// least minBar columns.
const (
	defaultWidth = 80
	minWidth     = 20
	minBar       = 10
)

// Render returns the lines of the display: the overall bar, then up to
// slots transfers in flight, each cut to width runes.
func Render(s Snapshot, width, slots int) []string {
	if width <= 0 {
		width = defaultWidth
	}
	width = max(width, minWidth)
	lines := []string{overall(s, width)}
	for i, tr := range s.Active {
		if i == slots {
			lines = append(lines, cut(fmt.Sprintf("  … and %d more", len(s.Active)-slots), width))
			break
		}
		lines = append(lines, cut("  "+transferLine(tr), width))
	}
	return lines
}

// Line is the one-line form, for logs and other non-terminals.
func Line(s Snapshot) string {
	return strings.TrimSpace(figures(s))
}

// overall is "[=====>    ] 3/10 files  1.0 MiB/4.0 MiB  512 KiB/s  ETA 6s".
func overall(s Snapshot, width int) string {
	text := figures(s)
	barWidth := max(width-utf8.RuneCountInString(text)-2, minBar)
	return cut("["+bar(fraction(s), barWidth)+"]"+text, width)
}

func figures(s Snapshot) string {
	var b strings.Builder
	fmt.Fprintf(&b, " %d/%d files", s.Done, s.Files)
	if s.Failed > 0 {
		fmt.Fprintf(&b, " (%d failed)", s.Failed)
	}
	fmt.Fprintf(&b, "  %s/%s", humanize.IBytes(uint64(s.Sent)), humanize.IBytes(uint64(s.Bytes)))
	if s.Rate > 0 {
		fmt.Fprintf(&b, "  %s/s", humanize.IBytes(uint64(s.Rate)))
	} else {
		b.WriteString("  -/s")
	}
	if eta := s.ETA(); eta >= 0 {
		fmt.Fprintf(&b, "  ETA %s", eta.Round(time.Second))
	} else {
		b.WriteString("  ETA -")
	}
	return b.String()
}

// fraction is how much of the work is done: by bytes when there are any,
// else by files.
func fraction(s Snapshot) float64 {
	switch {
	case s.Bytes > 0:
		return min(float64(s.Sent)/float64(s.Bytes), 1)
	case s.Files > 0:
		return min(float64(s.Done)/float64(s.Files), 1)
	}
	return 0
}

func bar(f float64, width int) string {
	n := int(f * float64(width))
	if n >= width {
		return strings.Repeat("=", width)
	}
	return strings.Repeat("=", n) + ">" + strings.Repeat(" ", width-n-1)
}

func transferLine(tr Transfer) string {
	if tr.Size < 0 {
		return fmt.Sprintf("%s  %s", tr.Label, humanize.IBytes(uint64(tr.Done)))
	}
	pct := 100.0
	if tr.Size > 0 {
		pct = float64(tr.Done) * 100 / float64(tr.Size)
	}
	return fmt.Sprintf("%s  %3.0f%%  %s/%s", tr.Label, pct, humanize.IBytes(uint64(tr.Done)), humanize.IBytes(uint64(tr.Size)))
}

// cut shortens s to width runes, marking the cut with an ellipsis.
func cut(s string, width int) string {
	if utf8.RuneCountInString(s) <= width {
		return s
	}
	r := []rune(s)
	return string(r[:width-1]) + "…"
}
