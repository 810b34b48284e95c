package tool

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/schollz/progressbar/v3"
)

// lastFrame is the last line a bar drew on out.
func lastFrame(out *bytes.Buffer) string {
	s := out.String()
	return strings.TrimSpace(s[strings.LastIndexByte(s, '\r')+1:])
}

// cp's bar shows no rate and no time left until it has measured a second
// of transfer: 4 MiB buffered in the first millisecond is not 4 GiB/s with
// nothing left to wait (the library's own figures read 64 GB/s and 0s).
// Then the rate is that of the window, as in run's display.
func TestMeterRateIsSaneFromTheStart(t *testing.T) {
	start := time.Now()
	clock := start
	now := func() time.Time { return clock }
	var out bytes.Buffer
	m := newMeter(16<<20, "upload", now, append(barOptions(&out, false), progressbar.OptionThrottle(0))...)

	clock = clock.Add(time.Millisecond)
	m.Add64(4 << 20)
	first := lastFrame(&out)
	if !regexp.MustCompile(`^25% \|[^|]{40}\| +upload +-/s +ETA -$`).MatchString(first) {
		t.Fatalf("after 4 MiB in 1 ms the bar reads %q, want no rate and no time left", first)
	}
	for range 4 {
		clock = clock.Add(500 * time.Millisecond)
		m.Add64(512 << 10)
	}
	// 2 MiB in the 2 s since the first sample; 10 MiB left.
	if got := lastFrame(&out); !regexp.MustCompile(`^37% \|[^|]{40}\| +upload +1\.0 MiB/s +ETA 10s$`).MatchString(got) {
		t.Fatalf("after 2 MiB in 2 s the bar reads %q, want 1.0 MiB/s and 10s left", got)
	}
}

// With an unknown total (stdin) the bar is a spinner with a rate and no
// time left.
func TestMeterUnknownTotal(t *testing.T) {
	clock := time.Now()
	var out bytes.Buffer
	m := newMeter(-1, "upload", func() time.Time { return clock }, append(barOptions(&out, false), progressbar.OptionThrottle(0))...)
	for range 5 {
		clock = clock.Add(500 * time.Millisecond)
		m.Add64(1 << 20)
	}
	m.Finish()
	if got := out.String(); !strings.Contains(got, "upload   2.0 MiB/s") || strings.Contains(got, "ETA") {
		t.Fatalf("spinner drew %q, want a rate of 2.0 MiB/s and no ETA", got)
	}
}
