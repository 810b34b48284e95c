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
	"github.com/ks3sync/ks3sync/history"
)

type pruneFlags struct {
	pair   string
	dryRun bool
}

func newPruneCmd(a *app) *cobra.Command {
	var f pruneFlags
	cmd := &cobra.Command{
		Use:   "prune --pair NAME [--dry-run]",
		Short: "Delete the kept versions the pair's history policy no longer keeps",
		Long: `prune applies the pair's history policy to its whole history area: it
deletes the kept versions that are both older than history.keep (counted from
when they were displaced) and not among the newest history.versions of their
file. Sync passes do the same in bounded slices; prune does all of it at once.
A pair whose history is off is refused rather than emptied.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.prune(cmd.Context(), cmd.OutOrStdout(), f)
		},
	}
	cmd.Flags().StringVar(&f.pair, "pair", "", "the pair (required)")
	cmd.Flags().BoolVar(&f.dryRun, "dry-run", false, "list what would be deleted; delete nothing")
	cmd.MarkFlagRequired("pair")
	return cmd
}

func (a *app) prune(ctx context.Context, out io.Writer, f pruneFlags) error {
	p, client, err := a.openPair(ctx, f.pair)
	if err != nil {
		return err
	}
	policy := historyPolicy(p)
	verb := "pruned"
	if f.dryRun {
		verb = "would prune"
	}
	res, err := history.Prune(ctx, client, history.Area{Bucket: p.Bucket, Prefix: p.Prefix}, history.PruneOptions{
		Policy: policy, Now: time.Now(), DryRun: f.dryRun,
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
