package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/spf13/cobra"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/cli"
	"github.com/ks3sync/ks3sync/config"
	"github.com/ks3sync/ks3sync/syncer"
)

type restoreFlags struct {
	pair      string
	at        string
	to        string
	overwrite bool
	dryRun    bool
}

func newRestoreCmd(a *app) *cobra.Command {
	var f restoreFlags
	cmd := &cobra.Command{
		Use:   "restore --pair NAME --at TIME [--to DIR] [--overwrite] [--dry-run] [PATH...]",
		Short: "Rebuild files as the bucket held them at a time",
		Long: `restore rebuilds the pair's files, or the given files and folders, exactly as
the bucket held them at TIME: the current objects and the versions kept in the
pair's history, decrypted, verified against their MD5 and given their mtimes.
TIME is RFC 3339 (2026-11-25T10:00:00+08:00) or an age (90m, 2h, 3d, 2w).

Files go into DIR (default: the pair's folder). A local file with the same
content only gets its mtime back; one that differs is left as it is unless
--overwrite. restore never deletes a file. It needs only the config and the
pair's key, not the state database, so it works on a fresh machine.

Exit codes: 0 all restored, 1 some files failed or were left because they
differ, 2 usage or configuration error, 3 interrupted.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.restore(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), f, args)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.pair, "pair", "", "the pair (required)")
	fl.StringVar(&f.at, "at", "", "the time to restore: RFC 3339 or an age such as 2h or 3d (required)")
	fl.StringVar(&f.to, "to", "", "the folder to restore into (default: the pair's folder)")
	fl.BoolVar(&f.overwrite, "overwrite", false, "replace local files that differ from the version restored")
	fl.BoolVar(&f.dryRun, "dry-run", false, "list what would be written; write nothing")
	cmd.MarkFlagRequired("pair")
	cmd.MarkFlagRequired("at")
	return cmd
}

func (a *app) restore(ctx context.Context, out, errw io.Writer, f restoreFlags, args []string) error {
	at, err := parseAt(f.at, time.Now())
	if err != nil {
		return err
	}
	p, client, err := a.openPair(ctx, f.pair)
	if err != nil {
		return err
	}
	paths := make([]string, 0, len(args))
	for _, arg := range args {
		rel, err := pairPath(p, arg)
		if err != nil {
			return err
		}
		paths = append(paths, rel)
	}
	to := p.Local
	if f.to != "" {
		if to, err = filepath.Abs(f.to); err != nil {
			return usageError("--to %s: %v", f.to, err)
		}
	}
	rep := newReporter(out, errw, reporterOptions{progress: !f.dryRun, slots: a.cfg.Transfers})
	// A restore reads the bucket only: the syncer is made read-only (no
	// state store, no folder created for the pair).
	s, err := a.newSyncer(ctx, client, nil, p, true, rep.report, nil)
	if err != nil {
		return err
	}
	res, err := s.Restore(ctx, syncer.RestoreOptions{At: at, To: to, Paths: paths, Overwrite: f.overwrite, DryRun: f.dryRun})
	rep.close()
	if ctx.Err() != nil {
		return &cli.ExitError{Code: cli.ExitInterrupted, Err: errors.New("interrupted; files restored so far are complete, run again to finish")}
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(out, restoreSummary(p, at, to, f.dryRun, res))
	if len(res.Kept) > 0 || len(res.Failed) > 0 {
		return cli.PartialError(fmt.Errorf("%d file(s) left as they are, %d failed", len(res.Kept), len(res.Failed)))
	}
	return nil
}

// restoreSummary is the line that ends a restore.
func restoreSummary(p config.Pair, at time.Time, to string, dryRun bool, res *syncer.RestoreResult) string {
	verb := "restored"
	if dryRun {
		verb = "dry run: would restore"
	}
	line := fmt.Sprintf("%s %d of %d file(s) (%s) of pair %s as of %s into %s", verb, res.Restored, res.Files,
		humanize.IBytes(uint64(res.Bytes)), p.Name, at.Local().Format(timeLayout), to)
	var more []string
	if res.Unchanged > 0 {
		more = append(more, fmt.Sprintf("%d already up to date", res.Unchanged))
	}
	if n := len(res.Kept); n > 0 {
		more = append(more, fmt.Sprintf("%d left as they are because they differ (--overwrite replaces them)", n))
	}
	if n := len(res.Failed); n > 0 {
		more = append(more, fmt.Sprintf("%d failed", n))
	}
	if len(more) > 0 {
		line += "; " + strings.Join(more, "; ")
	}
	return line
}

// parseAt reads restore's TIME: RFC 3339, or an age before now such as
// "2h" or "3d".
func parseAt(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	d, err := config.ParseDuration(s)
	if err != nil || d == 0 {
		return time.Time{}, usageError("--at %q: want a time such as 2026-11-25T10:00:00+08:00, or an age such as 90m, 2h or 3d", s)
	}
	return now.Add(-d), nil
}
