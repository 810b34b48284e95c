package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/cli"
	"github.com/ks3sync/ks3sync/config"
)

func TestParseAt(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"2026-11-25T10:00:00+08:00":      time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC),
		"2026-11-25T02:41:00.123456789Z": time.Date(2026, 11, 25, 2, 41, 0, 123456789, time.UTC),
		"2h":                             now.Add(-2 * time.Hour),
		"90m":                            now.Add(-90 * time.Minute),
		"3d":                             now.Add(-72 * time.Hour),
		"1w":                             now.Add(-168 * time.Hour),
	} {
		got, err := parseAt(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseAt(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "0", "yesterday", "-2h", "2026-11-25", "2026-11-25 10:00"} {
		_, err := parseAt(bad, now)
		if cli.Code(err, 0) != cli.ExitUsage || !strings.Contains(err.Error(), "--at") {
			t.Errorf("parseAt(%q) error = %v, want a usage error naming --at", bad, err)
		}
	}
}

func TestPairPath(t *testing.T) {
	root := filepath.Join(t.TempDir(), "docs")
	p := config.Pair{Name: "docs", Local: root}
	for in, want := range map[string]string{
		"a/b.txt":                         "a/b.txt",
		"./a//b/":                         "a/b",
		".":                               "",
		"a/../c":                          "c",
		filepath.Join(root, "x", "y.txt"): "x/y.txt",
		root:                              "",
		"caf\u0065\u0301.txt":             "caf\u00e9.txt",
	} {
		got, err := pairPath(p, in)
		if err != nil || got != want {
			t.Errorf("pairPath(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"..", "../x", "a/../../x", filepath.Join(root, "..", "other"), filepath.Dir(root)} {
		if got, err := pairPath(p, bad); cli.Code(err, 0) != cli.ExitUsage {
			t.Errorf("pairPath(%q) = %q, %v; want a usage error", bad, got, err)
		}
	}
}
