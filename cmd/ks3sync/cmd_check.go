package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/cli"
	"github.com/ks3sync/ks3sync/syncer"
)

type checkFlags struct {
	pair     string
	download bool
	json     bool
}

func newCheckCmd(a *app) *cobra.Command {
	var f checkFlags
	cmd := &cobra.Command{
		Use:   "check --pair NAME [--download] [--json]",
		Short: "Compare a pair's folder with its bucket, changing neither",
		Long: `check compares every file of the pair's folder with its object: files missing
on either side, a different size, or content whose MD5 differs from the one the
object records. With --download it also reads every object back (decrypting
it) and reports objects whose bytes do not match the MD5 they record. It does
not use the state database and changes nothing. This is how to verify a
backup.

One line per difference (one JSON object with --json), then a summary on
stderr. Exit codes: 0 the folder and the bucket match, 1 they differ, 2 usage
or configuration error, 3 interrupted.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.check(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), f)
		},
	}
	cmd.Flags().StringVar(&f.pair, "pair", "", "the pair (required)")
	cmd.Flags().BoolVar(&f.download, "download", false, "read every object back and check its bytes")
	cmd.Flags().BoolVar(&f.json, "json", false, "print one JSON object per difference")
	cmd.MarkFlagRequired("pair")
	return cmd
}

func (a *app) check(ctx context.Context, out, errw io.Writer, f checkFlags) error {
	p, client, err := a.openPair(ctx, f.pair)
	if err != nil {
		return err
	}
	rep := newReporter(out, errw, reporterOptions{progress: f.download && !f.json, slots: a.cfg.Transfers})
	// A check changes nothing: the syncer is made read-only (no state
	// store, no folder created for the pair).
	s, err := a.newSyncer(ctx, client, nil, p, true, rep.report, nil)
	if err != nil {
		return err
	}
	res, err := s.Check(ctx, syncer.CheckOptions{Download: f.download})
	rep.close()
	if ctx.Err() != nil {
		return &cli.ExitError{Code: cli.ExitInterrupted, Err: errors.New("interrupted")}
	}
	if err != nil {
		return err
	}
	if err := printDifferences(out, res.Differences, f.json); err != nil {
		return err
	}
	fmt.Fprintf(errw, "pair %s: %d file(s) and %d object(s) compared, %d difference(s)\n", p.Name, res.Files, res.Objects, len(res.Differences))
	if len(res.Differences) > 0 {
		return &cli.ExitError{Code: cli.ExitPartial, Err: fmt.Errorf("pair %s: the folder and the bucket differ", p.Name)}
	}
	return nil
}

// printDifferences prints one line, or one JSON object, per difference.
func printDifferences(out io.Writer, diffs []syncer.Difference, asJSON bool) error {
	enc := json.NewEncoder(out)
	for _, d := range diffs {
		if asJSON {
			if err := enc.Encode(d); err != nil {
				return err
			}
			continue
		}
		where := d.Path
		if where == "" {
			where = d.Key
		}
		if _, err := fmt.Fprintf(out, "%-18s %s  (%s)\n", d.Kind, where, d.Detail); err != nil {
			return err
		}
	}
	return nil
}
