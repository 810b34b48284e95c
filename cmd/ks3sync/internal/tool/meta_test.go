package tool

import (
	"errors"
	"maps"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/cli"
)

func TestFormatMTime(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.Unix(1732500000, 123456789), "1732500000.123456789"},
		{time.Unix(1732500000, 0), "1732500000.000000000"},
		{time.Unix(5, 7), "5.000000007"},
		{time.Unix(-1, 500000000), "-1.500000000"},
	} {
		got := formatMTime(tc.t)
		if got != tc.want {
			t.Errorf("formatMTime(%v) = %q, want %q", tc.t, got, tc.want)
		}
		if back, ok := parseMTime(got); !ok || !back.Equal(tc.t) {
			t.Errorf("parseMTime(%q) = %v, %v; want %v", got, back, ok, tc.t)
		}
	}
}

func TestParseMTime(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"1732500000", time.Unix(1732500000, 0), true},
		{"1732500000.5", time.Unix(1732500000, 500000000), true},
		{" 1732500000.000000001 ", time.Unix(1732500000, 1), true},
		{"", time.Time{}, false},
		{"abc", time.Time{}, false},
		{"1.", time.Time{}, false},
		{"1.1234567890", time.Time{}, false},
		{"1.-5", time.Time{}, false},
		{"1.5e3", time.Time{}, false},
		{"2024-01-01T00:00:00Z", time.Time{}, false},
	} {
		got, ok := parseMTime(tc.in)
		if ok != tc.ok || !got.Equal(tc.want) {
			t.Errorf("parseMTime(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestIsMD5Hex(t *testing.T) {
	for s, want := range map[string]bool{
		"d41d8cd98f00b204e9800998ecf8427e":   true,
		"D41D8CD98F00B204E9800998ECF8427E":   true,
		"d41d8cd98f00b204e9800998ecf8427e-3": false,
		"d41d8cd98f00b204e9800998ecf8427":    false,
		"z41d8cd98f00b204e9800998ecf8427e":   false,
	} {
		if isMD5Hex(s) != want {
			t.Errorf("isMD5Hex(%q) != %v", s, want)
		}
	}
}

func TestParseUserMeta(t *testing.T) {
	got, err := parseUserMeta([]string{"Owner=alice", "note=a=b", "empty="})
	want := map[string]string{"owner": "alice", "note": "a=b", "empty": ""}
	if err != nil || !maps.Equal(got, want) {
		t.Errorf("parseUserMeta = %v, %v; want %v", got, err, want)
	}
	if got, err := parseUserMeta(nil); got != nil || err != nil {
		t.Errorf("parseUserMeta(nil) = %v, %v", got, err)
	}
	for _, bad := range [][]string{{"novalue"}, {"=x"}, {"a=1", "A=2"}, {"md5=x"}, {"MTime=1"}, {"iv=x"}, {"unencrypted-content-md5=x"}} {
		_, err := parseUserMeta(bad)
		var ee *cli.ExitError
		if !errors.As(err, &ee) || ee.Code != cli.ExitUsage {
			t.Errorf("parseUserMeta(%q) = %v, want a usage error", bad, err)
		}
	}
}

func TestReplacedMeta(t *testing.T) {
	source := map[string]string{"owner": "alice", "md5": "m", "mtime": "1.0", "iv": "i", "key": "k"}
	if got := replacedMeta(source, nil); !maps.Equal(got, source) {
		t.Errorf("without --meta: %v", got)
	}
	got := replacedMeta(source, map[string]string{"team": "blue"})
	want := map[string]string{"team": "blue", "md5": "m", "mtime": "1.0", "iv": "i", "key": "k"}
	if !maps.Equal(got, want) {
		t.Errorf("with --meta: %v, want %v", got, want)
	}
	got["x"] = "y"
	if _, ok := source["x"]; ok {
		t.Error("replacedMeta shares the source map")
	}
}
