package objmeta

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// FormatMTime returns t as ks3sync writes it: seconds since the epoch with
// exactly nine fraction digits, for example "1700000000.500000000", which
// rclone reads as well. t must lie within the range of int64 nanoseconds.
func FormatMTime(t time.Time) string {
	ns := t.UnixNano()
	sign, mag := "", uint64(ns)
	if ns < 0 {
		sign, mag = "-", -mag
	}
	return fmt.Sprintf("%s%d.%09d", sign, mag/1e9, mag%1e9)
}

// ParseMTime reads an mtime value: a decimal number of seconds since the
// Unix epoch, as ks3sync and rclone (following the Swift convention) write
// it:
//
//	mtime    = [ "-" ] seconds [ "." fraction ]
//	seconds  = 1*DIGIT
//	fraction = 1*DIGIT
//
// The sign applies to the whole number: "-1.5" is one and a half seconds
// before the epoch. Digits of the fraction past the ninth are dropped, as
// rclone drops them. Nothing else is accepted: no spaces, no "+", no
// exponent, no empty part on either side of the point ("12." or ".5"), no
// value outside the range of int64 nanoseconds (years 1678 to 2262); such a
// value is an error that quotes it. rclone 1.60 writes "1700000000",
// "1700000000.5", "1700000000.123456789" and "-1.5".
func ParseMTime(s string) (time.Time, error) {
	ns, ok := parseNanos(s)
	if !ok {
		return time.Time{}, fmt.Errorf("mtime %q is not Unix seconds with an optional fraction, such as 1700000000.5", s)
	}
	return time.Unix(0, ns), nil
}

// parseNanos reads the grammar of ParseMTime into Unix nanoseconds.
func parseNanos(s string) (int64, bool) {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	secText, fracText, hasFrac := strings.Cut(s, ".")
	if !isDigits(secText) || (hasFrac && !isDigits(fracText)) {
		return 0, false
	}
	sec, err := strconv.ParseInt(secText, 10, 64)
	if err != nil {
		return 0, false
	}
	frac, _ := strconv.ParseInt((fracText + "000000000")[:9], 10, 64)
	if sec > (math.MaxInt64-frac)/1e9 {
		return 0, false
	}
	ns := sec*1e9 + frac
	if neg {
		ns = -ns
	}
	return ns, true
}

// isDigits reports whether s is one or more ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
