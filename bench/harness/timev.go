package harness

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Usage is what `/usr/bin/time -v` reports about one command.
type Usage struct {
	UserSec, SysSec float64
	MaxRSSKiB       int64
	ExitStatus      int
}

// CPUSec is user plus system CPU time in seconds.
func (u Usage) CPUSec() float64 { return u.UserSec + u.SysSec }

// ParseTimeV reads the report that `/usr/bin/time -v -o FILE` writes. A
// command killed by a signal has a "Command terminated by signal N" line
// and an "Exit status: 0" line; it is reported as exit status 128+N.
func ParseTimeV(r io.Reader) (Usage, error) {
	var u Usage
	seen, signaled := 0, false
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if sig, ok := strings.CutPrefix(line, "Command terminated by signal "); ok {
			n, err := strconv.Atoi(sig)
			if err != nil {
				return Usage{}, fmt.Errorf("parse time report: signal %q: %w", sig, err)
			}
			u.ExitStatus, signaled = 128+n, true
			continue
		}
		name, value, ok := strings.Cut(line, ": ")
		if !ok {
			continue
		}
		var err error
		switch name {
		case "User time (seconds)":
			u.UserSec, err = strconv.ParseFloat(value, 64)
			seen++
		case "System time (seconds)":
			u.SysSec, err = strconv.ParseFloat(value, 64)
			seen++
		case "Maximum resident set size (kbytes)":
			u.MaxRSSKiB, err = strconv.ParseInt(value, 10, 64)
			seen++
		case "Exit status":
			if !signaled {
				u.ExitStatus, err = strconv.Atoi(value)
			}
		}
		if err != nil {
			return Usage{}, fmt.Errorf("parse time report: %s: %w", name, err)
		}
	}
	if err := sc.Err(); err != nil {
		return Usage{}, fmt.Errorf("parse time report: %w", err)
	}
	if seen < 3 {
		return Usage{}, fmt.Errorf("parse time report: missing fields (found %d of 3)", seen)
	}
	return u, nil
}
