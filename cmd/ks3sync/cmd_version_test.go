package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ks3sync/ks3sync/internal/buildinfo"
	"github.com/ks3sync/ks3sync/internal/sqlitex"
)

func TestWriteVersion(t *testing.T) {
	base := buildinfo.Info{
		GoVersion: "go1.26.8", Platform: "linux/arm64",
		SQLite: buildinfo.Module{Path: "modernc.org/sqlite", Version: "v1.62.0"},
	}
	release, vcs, module, unknown := base, base, base, base
	release.Source, release.Version, release.Commit, release.Date = buildinfo.SourceRelease, "1.2.3", "0123456789abcdef", "2026-02-03T04:05:06Z"
	vcs.Source, vcs.Commit, vcs.Modified, vcs.Date, vcs.Cgo = buildinfo.SourceVCS, "fedcba9876543210fedc", true, "2026-01-02T03:04:05Z", true
	vcs.SQLite = buildinfo.Module{Path: "github.com/mattn/go-sqlite3", Version: "v1.14.53"}
	module.Source, module.Version = buildinfo.SourceModule, "v1.4.0"
	unknown.Source, unknown.SQLite.Version = buildinfo.SourceUnknown, ""
	for _, tc := range []struct {
		info buildinfo.Info
		want string
	}{
		{release, `ks3sync 1.2.3
commit: 0123456789abcdef
built:  2026-02-03T04:05:06Z
go:     go1.26.8 linux/arm64
sqlite: modernc.org/sqlite v1.62.0 (pure Go, cgo disabled)
`},
		{vcs, `ks3sync (unreleased build) commit fedcba987654 from VCS info
commit:    fedcba9876543210fedc (with uncommitted changes)
committed: 2026-01-02T03:04:05Z
go:        go1.26.8 linux/arm64
sqlite:    github.com/mattn/go-sqlite3 v1.14.53 (cgo enabled)
`},
		{module, `ks3sync v1.4.0 (go install build: module version recorded by the Go toolchain, not release-stamped)
commit: unknown
built:  unknown
go:     go1.26.8 linux/arm64
sqlite: modernc.org/sqlite v1.62.0 (pure Go, cgo disabled)
`},
		{unknown, `ks3sync version unknown: built from source without release stamping
commit: unknown
built:  unknown
go:     go1.26.8 linux/arm64
sqlite: modernc.org/sqlite unknown (pure Go, cgo disabled)
`},
	} {
		var out bytes.Buffer
		if err := writeVersion(&out, tc.info); err != nil {
			t.Fatal(err)
		}
		if out.String() != tc.want {
			t.Errorf("%s build:\n%s\nwant:\n%s", tc.info.Source, out.String(), tc.want)
		}
	}
}

// TestVersionCommand runs `ks3sync version --json` through the command
// tree, next to a config that does not parse: the version needs no config.
func TestVersionCommand(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "ks3sync.yaml")
	if err := os.WriteFile(bad, []byte("endpoint: [unclosed\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	root, app := newRootCmd()
	defer app.close()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetArgs([]string{"version", "--json", "--config", bad})
	if err := root.Execute(); err != nil {
		t.Fatalf("version: %v", err)
	}
	var got map[string]any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	for _, key := range []string{"source", "version", "commit", "modified", "date", "go_version", "platform", "cgo", "sqlite"} {
		if _, ok := got[key]; !ok {
			t.Errorf("JSON lacks %q: %s", key, out.String())
		}
	}
	if got["source"] == string(buildinfo.SourceRelease) {
		t.Errorf("an unstamped test binary claims to be a release: %s", out.String())
	}
	if sq, _ := got["sqlite"].(map[string]any); sq["module"] != sqlitex.DriverModule() {
		t.Errorf("sqlite = %v, want module %s", got["sqlite"], sqlitex.DriverModule())
	}
}

func TestVersionRejectsArguments(t *testing.T) {
	root, app := newRootCmd()
	defer app.close()
	root.SetArgs([]string{"version", "extra"})
	root.SetOut(&bytes.Buffer{})
	err := root.Execute()
	if err == nil || !strings.Contains(err.Error(), "no arguments") {
		t.Fatalf("version extra: %v, want a usage error", err)
	}
}
