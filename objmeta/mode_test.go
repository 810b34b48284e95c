package objmeta

import (
	"io/fs"
	"testing"
)

func TestFormatMode(t *testing.T) {
	for m, want := range map[fs.FileMode]string{
		0o644: "0644", 0o755: "0755", 0: "0000", 0o600 | fs.ModeSetuid: "0600", 0o777 | fs.ModeDir: "0777",
	} {
		if got := FormatMode(m); got != want {
			t.Errorf("FormatMode(%v) = %q, want %q", m, got, want)
		}
	}
}

func TestParseMode(t *testing.T) {
	for s, want := range map[string]fs.FileMode{"0644": 0o644, "755": 0o755, "0": 0, "0777": 0o777, "0000": 0} {
		if got, err := ParseMode(s); err != nil || got != want {
			t.Errorf("ParseMode(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "4755", "0800", "rwxr-xr-x", "-644", "+644", "00644", "0x1ff", "420 ", "9"} {
		if got, err := ParseMode(s); err == nil {
			t.Errorf("ParseMode(%q) = %v, want an error", s, got)
		}
	}
}
