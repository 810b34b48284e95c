package buildinfo

import (
	"runtime/debug"
	"testing"

	"github.com/ks3sync/ks3sync/internal/sqlitex"
)

func TestResolve(t *testing.T) {
	const rev = "0123456789abcdef0123456789abcdef01234567"
	vcs := func(extra ...debug.BuildSetting) *debug.BuildInfo {
		return &debug.BuildInfo{
			Main: debug.Module{Path: "github.com/ks3sync/ks3sync", Version: "v0.0.0-20260102030405-0123456789ab+dirty"},
			Settings: append([]debug.BuildSetting{
				{Key: "CGO_ENABLED", Value: "1"},
				{Key: "vcs", Value: "git"},
				{Key: "vcs.revision", Value: rev},
				{Key: "vcs.time", Value: "2026-01-02T03:04:05Z"},
			}, extra...),
		}
	}
	for _, tc := range []struct {
		name  string
		stamp stamp
		bi    *debug.BuildInfo
		want  Info
	}{{
		name:  "release stamp wins over VCS info",
		stamp: stamp{version: "1.2.3", commit: "abc", date: "2026-02-03T04:05:06Z"},
		bi:    vcs(),
		want:  Info{Source: SourceRelease, Version: "1.2.3", Commit: "abc", Date: "2026-02-03T04:05:06Z", Cgo: true},
	}, {
		name:  "release of a modified tree",
		stamp: stamp{version: "0.0.1-snapshot+abc.modified", commit: "abc", date: "2026-02-03T04:05:06Z", modified: true},
		bi:    vcs(),
		want:  Info{Source: SourceRelease, Version: "0.0.1-snapshot+abc.modified", Commit: "abc", Modified: true, Date: "2026-02-03T04:05:06Z", Cgo: true},
	}, {
		name: "checkout with uncommitted changes",
		bi:   vcs(debug.BuildSetting{Key: "vcs.modified", Value: "true"}),
		want: Info{Source: SourceVCS, Commit: rev, Modified: true, Date: "2026-01-02T03:04:05Z", Cgo: true},
	}, {
		name: "clean checkout: the pseudo-version is not reported as a version",
		bi:   vcs(debug.BuildSetting{Key: "vcs.modified", Value: "false"}),
		want: Info{Source: SourceVCS, Commit: rev, Date: "2026-01-02T03:04:05Z", Cgo: true},
	}, {
		name: "go install module@version",
		bi: &debug.BuildInfo{
			Main:     debug.Module{Path: "github.com/ks3sync/ks3sync", Version: "v1.4.0"},
			Settings: []debug.BuildSetting{{Key: "CGO_ENABLED", Value: "0"}},
		},
		want: Info{Source: SourceModule, Version: "v1.4.0"},
	}, {
		name: "source build without VCS info",
		bi:   &debug.BuildInfo{Main: debug.Module{Path: "github.com/ks3sync/ks3sync", Version: "(devel)"}},
		want: Info{Source: SourceUnknown},
	}, {
		name: "no build information at all",
		want: Info{Source: SourceUnknown},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got := resolve(tc.stamp, tc.bi, "modernc.org/sqlite")
			tc.want.GoVersion, tc.want.Platform = got.GoVersion, got.Platform
			tc.want.SQLite = Module{Path: "modernc.org/sqlite"}
			if got != tc.want {
				t.Errorf("resolve:\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestResolveDriverVersion(t *testing.T) {
	bi := &debug.BuildInfo{Deps: []*debug.Module{
		{Path: "github.com/mattn/go-isatty", Version: "v0.0.24"},
		{Path: "modernc.org/sqlite", Version: "v1.62.0"},
		{Path: "github.com/mattn/go-sqlite3", Version: "v1.14.0", Replace: &debug.Module{Path: "example.com/fork", Version: "v1.14.53-fork"}},
	}}
	for driver, want := range map[string]string{
		"modernc.org/sqlite":          "v1.62.0",
		"github.com/mattn/go-sqlite3": "v1.14.53-fork",
		"example.com/absent":          "",
	} {
		if got := resolve(stamp{}, bi, driver).SQLite; got != (Module{Path: driver, Version: want}) {
			t.Errorf("driver %s: %+v, want version %q", driver, got, want)
		}
	}
}

func TestGetNamesLinkedDriver(t *testing.T) {
	info := Get()
	if info.SQLite.Path != sqlitex.DriverModule() {
		t.Errorf("SQLite module %q, want %q", info.SQLite.Path, sqlitex.DriverModule())
	}
	if info.Source == SourceRelease {
		t.Errorf("an unstamped test binary claims to be a release: %+v", info)
	}
}

func TestUserAgent(t *testing.T) {
	for info, want := range map[Info]string{
		{Source: SourceRelease, Version: "1.2.3"}: "ks3sync/1.2.3",
		{Source: SourceModule, Version: "v1.4.0"}: "ks3sync/v1.4.0",
		{Source: SourceVCS, Commit: "abc"}:        "ks3sync/unreleased",
		{Source: SourceUnknown}:                   "ks3sync/unreleased",
	} {
		if got := info.UserAgent(); got != want {
			t.Errorf("%+v: %q, want %q", info, got, want)
		}
	}
}
