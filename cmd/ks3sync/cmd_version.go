package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ks3sync/ks3sync/internal/buildinfo"
)

func newVersionCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version [--json]",
		Short: "Print the version, commit, build date, Go version and SQLite driver",
		Long: `version prints what this binary is: the release version, commit and build
date stamped by the release build, the Go version and platform, and the SQLite
driver compiled in (the cgo github.com/mattn/go-sqlite3 or the pure-Go
modernc.org/sqlite). A binary built from source without release stamping says
so, and names the commit when the Go toolchain recorded one.`,
		Args: exactArgs(0, "no arguments"),
		// The version is a property of the binary: it reads no config, so
		// it answers even where the config is missing or broken.
		PersistentPreRunE: func(*cobra.Command, []string) error { return nil },
		RunE: func(cmd *cobra.Command, _ []string) error {
			info := buildinfo.Get()
			if asJSON {
				return writeVersionJSON(cmd.OutOrStdout(), info)
			}
			return writeVersion(cmd.OutOrStdout(), info)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return cmd
}

func writeVersionJSON(w io.Writer, info buildinfo.Info) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(info); err != nil {
		return fmt.Errorf("write version: %w", err)
	}
	return nil
}

// writeVersion prints a headline, then one aligned line per fact.
func writeVersion(w io.Writer, info buildinfo.Info) error {
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	fmt.Fprintln(tw, versionHeadline(info))
	commit := orUnknown(info.Commit)
	if info.Modified {
		commit += " (with uncommitted changes)"
	}
	fmt.Fprintf(tw, "commit:\t%s\n", commit)
	dateLabel := "built:"
	if info.Source == buildinfo.SourceVCS {
		dateLabel = "committed:"
	}
	fmt.Fprintf(tw, "%s\t%s\n", dateLabel, orUnknown(info.Date))
	fmt.Fprintf(tw, "go:\t%s %s\n", info.GoVersion, info.Platform)
	fmt.Fprintf(tw, "sqlite:\t%s\n", sqliteLine(info))
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write version: %w", err)
	}
	return nil
}

// versionHeadline is the first line: the version, or why there is none.
func versionHeadline(info buildinfo.Info) string {
	switch info.Source {
	case buildinfo.SourceRelease:
		return "ks3sync " + info.Version
	case buildinfo.SourceVCS:
		return fmt.Sprintf("ks3sync (unreleased build) commit %.12s from VCS info", info.Commit)
	case buildinfo.SourceModule:
		return fmt.Sprintf("ks3sync %s (go install build: module version recorded by the Go toolchain, not release-stamped)", info.Version)
	default:
		return "ks3sync version unknown: built from source without release stamping"
	}
}

func sqliteLine(info buildinfo.Info) string {
	mode := "pure Go, cgo disabled"
	if info.Cgo {
		mode = "cgo enabled"
	}
	return fmt.Sprintf("%s %s (%s)", info.SQLite.Path, orUnknown(info.SQLite.Version), mode)
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
