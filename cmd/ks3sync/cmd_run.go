package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/spf13/cobra"
	"golang.org/x/time/rate"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/cli"
	"github.com/ks3sync/ks3sync/config"
	ks3crypto "github.com/ks3sync/ks3sync/crypto"
	"github.com/ks3sync/ks3sync/internal/lockfile"
	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/planner"
	"github.com/ks3sync/ks3sync/state"
	"github.com/ks3sync/ks3sync/syncer"
)

type runFlags struct {
	pair         string
	dryRun       bool
	json         bool
	noProgress   bool
	maxDelete    string
	maxOverwrite string
}

func newRunCmd(a *app) *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run [--config F] [--pair NAME] [--dry-run] [--json] [--no-progress] [--max-delete N|N%] [--max-overwrite N|N%]",
		Short: "Reconcile every pair once and exit",
		Long: `run scans each pair's folder, lists its bucket prefix, and uploads, downloads
and deletes what the pair's direction and delete policy call for. A second run
with nothing changed transfers nothing. Interrupted multipart uploads resume
where they stopped.

A pass that would delete more than the pair's max_delete, or overwrite more
than max_overwrite of the existing objects of a pair without history, is
refused: nothing is changed and the message says which command lets it proceed
once (--max-delete and --max-overwrite, N or N%, 100% for no limit, override
the pair's setting for this run).

On a terminal, a progress display shows the files and bytes done of the
total, the rate, the time left and the transfers in flight; elsewhere a
progress line is logged every 10 seconds. --json prints one JSON object per
event instead (see the README for the schema).

Exit codes: 0 all done, 1 some items failed, or a pass failed or was refused
(the rest done), 2 usage or configuration error, 3 interrupted.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			rep := a.runReporter(cmd, f)
			return a.runPairs(cmd.Context(), f, rep)
		},
	}
	cmd.Flags().StringVar(&f.pair, "pair", "", "sync only this pair")
	cmd.Flags().BoolVar(&f.dryRun, "dry-run", false, "print the plan; change nothing on either side")
	cmd.Flags().BoolVar(&f.json, "json", false, "print one JSON object per event")
	cmd.Flags().BoolVar(&f.noProgress, "no-progress", false, "no progress display, even on a terminal")
	cmd.Flags().StringVar(&f.maxDelete, "max-delete", "", "override max_delete for this run: a count, or a percentage such as 100%")
	cmd.Flags().StringVar(&f.maxOverwrite, "max-overwrite", "", "override max_overwrite for this run: a count, or a percentage such as 100%")
	return cmd
}

// runReporter is the reporter of run and sync: a dry run prints its plan
// (a line per planned action); otherwise items are printed above the
// progress display on a terminal, and logged elsewhere.
func (a *app) runReporter(cmd *cobra.Command, f runFlags) *reporter {
	o := reporterOptions{json: f.json, progress: !f.noProgress && !f.dryRun, slots: a.cfg.Transfers}
	if !f.dryRun {
		o.log = &a.log
	}
	return newReporter(cmd.OutOrStdout(), cmd.ErrOrStderr(), o)
}

// selectPairs returns the pairs a command works on.
func (a *app) selectPairs(name string) ([]config.Pair, error) {
	if len(a.cfg.Pairs) == 0 {
		where := a.cfg.Path()
		if where == "" {
			where = "no config file found (use --config)"
		}
		return nil, usageError("no pairs configured: %s", where)
	}
	if name == "" {
		return a.cfg.Pairs, nil
	}
	p, ok := a.cfg.Pair(name)
	if !ok {
		return nil, usageError("no pair named %q in %s", name, a.cfg.Path())
	}
	return []config.Pair{*p}, nil
}

// openPairs selects the pairs a sync command works on and opens what they
// share: the state store (closed with the app) and the client. Unless the
// command only reads (a dry run), it first takes the state store's lock, so
// a one-shot run and a daemon never sync with the same state at once.
func (a *app) openPairs(ctx context.Context, name string, readOnly bool) ([]config.Pair, *state.DB, *ks3.Client, error) {
	pairs, err := a.selectPairs(name)
	if err != nil {
		return nil, nil, nil, err
	}
	if !readOnly {
		if err := os.MkdirAll(filepath.Dir(a.cfg.State), 0o700); err != nil {
			return nil, nil, nil, usageError("state: %v", err)
		}
		lock, err := lockfile.Acquire(a.cfg.State + ".lock")
		if errors.Is(err, lockfile.ErrLocked) {
			return nil, nil, nil, fmt.Errorf("another ks3sync (run or watch) is syncing with %s; wait for it to finish", a.cfg.State)
		} else if err != nil {
			return nil, nil, nil, err
		}
		a.closers = append(a.closers, func() { lock.Release() })
	}
	db, err := state.Open(a.cfg.State)
	if err != nil {
		return nil, nil, nil, usageError("state: %v", err)
	}
	a.closers = append(a.closers, func() { db.Close() })
	client, err := a.client(ctx, false)
	if err != nil {
		return nil, nil, nil, err
	}
	return pairs, db, client, nil
}

func (a *app) runPairs(ctx context.Context, f runFlags, rep *reporter) error {
	defer rep.close()
	if err := checkOverrides(f); err != nil {
		return err
	}
	pairs, db, client, err := a.openPairs(ctx, f.pair, f.dryRun)
	if err != nil {
		return err
	}
	return a.syncPairs(ctx, client, db, pairs, f, rep)
}

// syncPairs runs one pass of each pair, with the --max-delete and
// --max-overwrite overrides of f, and turns the outcomes into the exit
// code of run: a failed or refused pass, or a failed item, is a partial
// failure; an interrupt stops at once.
func (a *app) syncPairs(ctx context.Context, client *ks3.Client, db *state.DB, pairs []config.Pair, f runFlags, rep *reporter) error {
	var failed []string
	for _, p := range pairs {
		if f.maxDelete != "" {
			p.MaxDelete = f.maxDelete
		}
		if f.maxOverwrite != "" {
			p.MaxOverwrite = f.maxOverwrite
		}
		res, err := a.runPair(ctx, client, db, p, f.dryRun, rep)
		if ctx.Err() != nil {
			return &cli.ExitError{Code: cli.ExitInterrupted, Err: errors.New("interrupted; the next run resumes where this one stopped")}
		}
		if err != nil {
			var ee *cli.ExitError
			if errors.As(err, &ee) {
				return err
			}
			failed = append(failed, fmt.Sprintf("pair %s: %v", p.Name, err))
			continue
		}
		if res.Counts.Failed > 0 {
			failed = append(failed, fmt.Sprintf("pair %s: %d item(s) failed", p.Name, res.Counts.Failed))
		}
	}
	rep.close()
	if len(failed) > 0 {
		return cli.PartialError(errors.New(strings.Join(failed, "\n")))
	}
	return nil
}

func (a *app) runPair(ctx context.Context, client *ks3.Client, db *state.DB, p config.Pair, dryRun bool, rep *reporter) (*syncer.Result, error) {
	s, err := a.newSyncer(ctx, client, db, p, dryRun, rep.report, nil)
	if err != nil {
		return nil, err
	}
	if !dryRun {
		if n, err := s.AbortStale(ctx, a.cfg.StaleUploads.D()); err != nil {
			a.log.Warn().Err(err).Str("pair", p.Name).Msg("abort stale uploads")
		} else if n > 0 {
			a.log.Info().Int("aborted", n).Str("pair", p.Name).Msg("aborted stale multipart uploads")
		}
	}
	return s.Run(ctx, "run")
}

// newSyncer builds the syncer of one pair from the configuration.
func (a *app) newSyncer(ctx context.Context, client *ks3.Client, db *state.DB, p config.Pair, dryRun bool, report func(syncer.Event), echoes syncer.Echoes) (*syncer.Syncer, error) {
	md, err := planner.ParseMaxDelete(p.MaxDelete)
	if err != nil {
		return nil, usageError("pair %s: max_delete: %v", p.Name, err)
	}
	mo, err := planner.ParseMaxOverwrite(p.MaxOverwrite)
	if err != nil {
		return nil, usageError("pair %s: max_overwrite: %v", p.Name, err)
	}
	var key *ks3crypto.Key
	if p.Encryption.KeyFile != "" {
		k, err := ks3crypto.LoadKey(p.Encryption.KeyFile)
		if err != nil {
			return nil, usageError("pair %s: encryption.key_file: %v", p.Name, err)
		}
		key = &k
	}
	if err := a.ensureLocalBucket(ctx, client, p.Bucket); err != nil {
		return nil, err
	}
	if !dryRun && p.Direction != "push" {
		if err := os.MkdirAll(p.Local, 0o755); err != nil {
			return nil, fmt.Errorf("pair %s: create %s: %w", p.Name, p.Local, err)
		}
	}
	var lim *rate.Limiter
	if a.cfg.Bandwidth > 0 {
		lim = newLimiter(int64(a.cfg.Bandwidth))
	}
	return syncer.New(client, db, syncer.Options{
		Pair: p.Name, Root: p.Local, Bucket: p.Bucket, Prefix: p.Prefix, RunCommand: a.runCommand(p.Name), Host: a.cfg.Device,
		Direction: planner.Direction(p.Direction), Delete: planner.DeletePolicy(p.Delete), MaxDelete: md,
		MaxOverwrite: mo, History: historyPolicy(p), Conflict: planner.ConflictPolicy(p.Conflict),
		StorageClass: p.StorageClass, ACL: p.ACL,
		Include: p.Include, Exclude: p.Exclude, FollowSymlinks: p.FollowSymlinks, KeepMode: p.KeepMode,
		KeepEmptyFolders:   p.KeepEmptyFolders,
		Key:                key,
		Transfers:          a.cfg.Transfers,
		MultipartThreshold: int64(a.cfg.MultipartThreshold),
		PartSize:           int64(a.cfg.PartSize),
		Limiter:            lim,
		DryRun:             dryRun,
		Journal:            p.WritesJournal(),
		LockHeld:           !dryRun, // openPairs took the state store's lock
		NameRules:          os.Getenv(nameRulesEnv),
		Logger:             a.log,
		Report:             report,
		Echoes:             echoes,
	})
}

// ensureLocalBucket creates the pair's bucket on the embedded store, which
// a new user has never had a chance to set up.
func (a *app) ensureLocalBucket(ctx context.Context, client *ks3.Client, bucket string) error {
	if a.cfg.LocalStore() == "" {
		return nil
	}
	err := client.CreateBucket(ctx, bucket, ks3.CreateBucketOptions{})
	if err != nil && ks3.ErrorCode(err) != "BucketAlreadyExists" && ks3.ErrorCode(err) != "BucketAlreadyOwnedByYou" {
		return fmt.Errorf("create bucket %s on the embedded store: %w", bucket, err)
	}
	return nil
}

// runCommand is the command line that runs the pair once with this
// configuration, for the message of a refused pass.
func (a *app) runCommand(pair string) string {
	if a.adHocCommand != "" {
		return a.adHocCommand
	}
	cmd := "ks3sync"
	if path := a.cfg.Path(); path != "" {
		cmd += " --config " + shellQuote(path)
	}
	return cmd + " run --pair " + shellQuote(pair)
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '/' || r == '.' || r == '_' || r == '-' || r == ':' || r == '\\' || unicode.IsLetter(r) || unicode.IsDigit(r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
