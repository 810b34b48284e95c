package objmeta

import (
	"strings"
	"testing"
	"time"
)

// mtimeText pins the wire form of mtime with fixed strings: what ks3sync
// writes, what rclone 1.60 wrote for the same files (captured from its
// uploads to ks3sync serve), and what must be refused.
var mtimeText = []struct {
	in   string
	want time.Time // zero: refused
	from string
}{
	{"1700000000.000000000", time.Unix(1700000000, 0), "ks3sync"},
	{"1700000000.123456789", time.Unix(1700000000, 123456789), "ks3sync, rclone"},
	{"1700000000.500000000", time.Unix(1700000000, 500000000), "ks3sync"},
	{"-1.500000000", time.Unix(-2, 500000000), "ks3sync, before the epoch"},
	{"1700000000", time.Unix(1700000000, 0), "rclone, whole second"},
	{"1700000000.5", time.Unix(1700000000, 500000000), "rclone, trailing zeros dropped"},
	{"86400.25", time.Unix(86400, 250000000), "rclone"},
	{"-1.5", time.Unix(-2, 500000000), "rclone, the sign covers the fraction"},
	{"-0.5", time.Unix(-1, 500000000), "before the epoch, under a second"},
	{"0", time.Unix(0, 0), "the epoch"},
	{"1714979289.1234567899", time.Unix(1714979289, 123456789), "ten fraction digits: the tenth dropped"},
	{"9223372036.854775807", time.Unix(0, 1<<63-1), "the largest int64 nanosecond"},
	{"-9223372036.854775807", time.Unix(0, -(1<<63 - 1)), "the smallest"},
	{"", time.Time{}, "empty"},
	{" 1700000000", time.Time{}, "leading space"},
	{"1700000000 ", time.Time{}, "trailing space"},
	{"12.", time.Time{}, "empty fraction"},
	{".5", time.Time{}, "empty seconds"},
	{"-", time.Time{}, "sign alone"},
	{"+5", time.Time{}, "plus sign"},
	{"--1", time.Time{}, "two signs"},
	{"1.-5", time.Time{}, "signed fraction"},
	{"1.2.3", time.Time{}, "two points"},
	{"1.5e3", time.Time{}, "exponent"},
	{"0x10", time.Time{}, "hexadecimal"},
	{"1_000", time.Time{}, "digit separator"},
	{"1,5", time.Time{}, "decimal comma"},
	{"１２", time.Time{}, "non-ASCII digits"},
	{"2024-01-01T00:00:00Z", time.Time{}, "RFC 3339"},
	{"9223372036.854775808", time.Time{}, "one nanosecond past int64"},
	{"99999999999", time.Time{}, "seconds past int64 nanoseconds"},
	{"99999999999999999999", time.Time{}, "seconds past int64"},
}

func TestParseMTime(t *testing.T) {
	for _, tc := range mtimeText {
		got, err := ParseMTime(tc.in)
		switch {
		case tc.want.IsZero() && err == nil:
			t.Errorf("ParseMTime(%q) (%s) = %v, want an error", tc.in, tc.from, got)
		case tc.want.IsZero() && !strings.Contains(err.Error(), `"`+tc.in+`"`):
			t.Errorf("ParseMTime(%q) (%s): error %q does not quote the value", tc.in, tc.from, err)
		case !tc.want.IsZero() && (err != nil || !got.Equal(tc.want)):
			t.Errorf("ParseMTime(%q) (%s) = %v, %v; want %v", tc.in, tc.from, got, err, tc.want)
		}
	}
}

func TestFormatMTime(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.Unix(1700000000, 0), "1700000000.000000000"},
		{time.Unix(1714979289, 123456789), "1714979289.123456789"},
		{time.Unix(5, 7), "5.000000007"},
		{time.Unix(0, 0), "0.000000000"},
		{time.Unix(-2, 500000000), "-1.500000000"},
		{time.Unix(0, -1), "-0.000000001"},
		{time.Unix(0, 1<<63-1), "9223372036.854775807"},
		{time.Unix(0, -1<<63), "-9223372036.854775808"},
		{time.Unix(1700000000, 5).In(time.FixedZone("UTC+8", 8*3600)), "1700000000.000000005"},
	} {
		if got := FormatMTime(tc.t); got != tc.want {
			t.Errorf("FormatMTime(%v) = %q, want %q", tc.t, got, tc.want)
		}
	}
}

func FuzzMTime(f *testing.F) {
	for _, tc := range mtimeText {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseMTime(s)
		if err != nil {
			return
		}
		// Whatever parses is written back in ks3sync's form, which parses
		// to the same instant.
		back, err := ParseMTime(FormatMTime(got))
		if err != nil || !back.Equal(got) {
			t.Fatalf("%q -> %v -> %q -> %v, %v", s, got, FormatMTime(got), back, err)
		}
	})
}
