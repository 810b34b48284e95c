// Package buildinfo describes the running ks3sync binary: the version,
// commit and date that the release build stamps into it, or else what the Go
// toolchain recorded (the VCS revision of a checkout, the module version of
// `go install`), plus the Go version, the platform and the SQLite driver
// compiled in. It never invents a version: a binary built from source
// without release stamping says so.
package buildinfo

import (
	"runtime"
	"runtime/debug"

	"github.com/ks3sync/ks3sync/internal/sqlitex"
)

// The release build (.goreleaser.yaml) sets these with the linker:
//
//	-X github.com/ks3sync/ks3sync/internal/buildinfo.version=1.2.3
//	-X github.com/ks3sync/ks3sync/internal/buildinfo.commit=<full commit hash>
//	-X github.com/ks3sync/ks3sync/internal/buildinfo.date=<RFC 3339 time>
//	-X github.com/ks3sync/ks3sync/internal/buildinfo.modified=true|false
//
// They are fixed at link time; nothing assigns them while the program runs.
var (
	version  string
	commit   string
	date     string
	modified string // "true": built from a tree with uncommitted changes
)

// Source says where a build's version and commit come from.
type Source string

// The sources, from the most to the least informative.
const (
	// SourceRelease means stamped by the release build; Version, Commit, Date
	// and Modified are set.
	SourceRelease Source = "release"
	// SourceVCS means built from a checkout without stamping; the Go toolchain
	// recorded the commit, its time and whether the tree was modified.
	SourceVCS Source = "vcs"
	// SourceModule means `go install module@version`: Version is the module
	// version the Go toolchain recorded, and there is no commit.
	SourceModule Source = "module"
	// SourceUnknown means built from source with neither stamping nor VCS
	// information (for example with -buildvcs=false).
	SourceUnknown Source = "unknown"
)

// Info describes one build. Empty strings mean "not known".
type Info struct {
	Source   Source `json:"source"`
	Version  string `json:"version"`  // set for SourceRelease and SourceModule
	Commit   string `json:"commit"`   // full commit hash
	Modified bool   `json:"modified"` // the tree had uncommitted changes (release or VCS)
	// Date is the build time for SourceRelease and the commit time for
	// SourceVCS, in RFC 3339.
	Date      string `json:"date"`
	GoVersion string `json:"go_version"`
	Platform  string `json:"platform"` // GOOS/GOARCH
	Cgo       bool   `json:"cgo"`      // built with CGO_ENABLED=1
	SQLite    Module `json:"sqlite"`   // the SQLite driver compiled in
}

// Module is a Go module linked into the binary.
type Module struct {
	Path    string `json:"module"`
	Version string `json:"version"`
}

// Get describes the running binary.
func Get() Info {
	bi, _ := debug.ReadBuildInfo()
	return resolve(stamp{version: version, commit: commit, date: date, modified: modified == "true"}, bi, sqlitex.DriverModule())
}

// UserAgent is the product token ks3sync sends in HTTP requests:
// "ks3sync/VERSION", or "ks3sync/unreleased" for a build without a version.
func (i Info) UserAgent() string {
	if i.Version == "" {
		return "ks3sync/unreleased"
	}
	return "ks3sync/" + i.Version
}

// stamp is what the linker set.
type stamp struct {
	version, commit, date string
	modified              bool
}

// resolve builds the Info of a binary stamped with s and described by bi
// (nil when the binary carries no build information), whose SQLite driver
// is the module driverModule.
func resolve(s stamp, bi *debug.BuildInfo, driverModule string) Info {
	info := Info{
		GoVersion: runtime.Version(),
		Platform:  runtime.GOOS + "/" + runtime.GOARCH,
		SQLite:    Module{Path: driverModule},
	}
	settings := map[string]string{}
	if bi != nil {
		info.SQLite.Version = depVersion(bi, driverModule)
		for _, kv := range bi.Settings {
			settings[kv.Key] = kv.Value
		}
	}
	info.Cgo = settings["CGO_ENABLED"] == "1"
	switch {
	case s.version != "":
		info.Source, info.Version, info.Commit, info.Date = SourceRelease, s.version, s.commit, s.date
		info.Modified = s.modified
	case settings["vcs.revision"] != "":
		info.Source, info.Commit, info.Date = SourceVCS, settings["vcs.revision"], settings["vcs.time"]
		info.Modified = settings["vcs.modified"] == "true"
	case bi != nil && bi.Main.Version != "" && bi.Main.Version != "(devel)":
		info.Source, info.Version = SourceModule, bi.Main.Version
	default:
		info.Source = SourceUnknown
	}
	return info
}

// depVersion is the version of module path among bi's dependencies, or ""
// when it is not linked in.
func depVersion(bi *debug.BuildInfo, path string) string {
	for _, d := range bi.Deps {
		if d.Path != path {
			continue
		}
		if d.Replace != nil {
			d = d.Replace
		}
		return d.Version
	}
	return ""
}
