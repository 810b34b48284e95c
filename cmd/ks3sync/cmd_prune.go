package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/spf13/cobra"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/cli"
	"github.com/ks3sync/ks3sync/config"
	"github.com/ks3sync/ks3sync/history"
	"github.com/ks3sync/ks3sync/ks3"
)

type pruneFlags struct {
	pair   string
	dryRun bool
}

func newPruneCmd(a *app) *cobra.Command {
	var f pruneFlags
	cmd := &cobra.Command{
		Use:   "prune [--pair NAME] [--dry-run]",
		Short: "Delete the kept versions the pairs' history policies no longer keep",
		Long: `prune applies a pair's history policy to its whole history area: it
deletes the kept versions that are both older than history.keep (counted from
when they were displaced) and not among the newest history.versions of their
file. Sync passes do the same in bounded slices; prune does all of it at once.

Without --pair it prunes every pair whose history is on and says which pairs
it passed over. A pair named with --pair whose history is off is refused
rather than emptied.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.prune(cmd.Context(), cmd.OutOrStdout(), f)
		},
	}
	cmd.Flags().StringVar(&f.pair, "pair", "", "the pair (default: every pair with history on)")
	cmd.Flags().BoolVar(&f.dryRun, "dry-run", false, "list what would be deleted; delete nothing")
	return cmd
}

func (a *app) prune(ctx context.Context, out io.Writer, f pruneFlags) error {
	if f.pair != "" {
		p, client, err := a.openPair(ctx, f.pair)
		if err != nil {
			return err
		}
		if !p.History.On() {
			return usageError("pair %s: %v", p.Name, history.ErrHistoryOff)
		}
		return a.prunePair(ctx, out, client, p, f.dryRun)
	}
	pairs, err := a.selectPairs("")
	if err != nil {
		return err
	}
	var on []config.Pair
	for _, p := range pairs {
		if p.History.On() {
			on = append(on, p)
		} else {
			fmt.Fprintf(out, "pair %s: history is off; nothing to prune\n", p.Name)
		}
	}
	if len(on) == 0 {
		return usageError("no pair in %s keeps history (history.keep); nothing to prune", a.cfg.Path())
	}
	client, err := a.Client(ctx)
	if err != nil {
		return err
	}
	var failed []error
	for _, p := range on {
		if err := a.ensureLocalBucket(ctx, client, p.Bucket); err != nil {
			return err
		}
		err := a.prunePair(ctx, out, client, p, f.dryRun)
		var ee *cli.ExitError
		switch {
		case err == nil:
		case errors.As(err, &ee) && ee.Code == cli.ExitInterrupted:
			return err
		default:
			failed = append(failed, fmt.Errorf("pair %s: %w", p.Name, err))
		}
	}
	if len(failed) > 0 {
		return cli.PartialError(errors.Join(failed...))
	}
	return nil
}

// prunePair prunes the history area of one pair whose history is on.
func (a *app) prunePair(ctx context.Context, out io.Writer, client *ks3.Client, p config.Pair, dryRun bool) error {
	policy := historyPolicy(p)
	verb := "pruned"
	if dryRun {
		verb = "would prune"
	}
	res, err := history.Prune(ctx, client, history.Area{Bucket: p.Bucket, Prefix: p.Prefix}, history.PruneOptions{
		Policy: policy, Now: time.Now(), DryRun: dryRun,
		Report: func(v history.Version) {
			fmt.Fprintf(out, "%s  %s  version written %s, %s %s (%s)\n", verb, v.Name,
				v.Written.Local().Format(timeLayout), v.Cause, v.Displaced.Local().Format(timeLayout), humanize.IBytes(uint64(v.Size)))
		},
	})
	switch {
	case errors.Is(err, history.ErrHistoryOff):
		return usageError("pair %s: %v", p.Name, err)
	case ctx.Err() != nil:
		return &cli.ExitError{Code: cli.ExitInterrupted, Err: errors.New("interrupted; run prune again to finish")}
	}
	fmt.Fprintf(out, "pair %s (%s): %s %d version(s), %s; %d kept\n", p.Name, policy, verb, res.Deleted, humanize.IBytes(uint64(res.DeletedBytes)), res.Kept)
	if err != nil {
		return cli.PartialError(err)
	}
	return nil
}
