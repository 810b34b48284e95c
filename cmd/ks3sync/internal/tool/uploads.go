package tool

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/cli"
	"github.com/ks3sync/ks3sync/ks3"
)

func newUploadsCmd(env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "uploads ls|parts|abort ks3://BUCKET[/PREFIX] [--upload-id ID] [--older-than 24h]",
		Short: "List or abort unfinished multipart uploads",
		Long: `An interrupted multipart upload leaves its parts on the service, where they
take space (and are billed) until the upload is completed or aborted.

uploads ls lists the unfinished uploads whose key starts with PREFIX, with
their parts count and size so far. uploads parts lists the parts of one
upload (ks3://BUCKET/KEY --upload-id ID). uploads abort aborts one upload
(ks3://BUCKET/KEY --upload-id ID), those older than a duration
(--older-than 24h), or all of them (--all).`,
		Example: `  ks3sync uploads ls ks3://my-bucket
  ks3sync uploads parts ks3://my-bucket/big.iso --upload-id 2f1c...
  ks3sync uploads abort ks3://my-bucket/big.iso --upload-id 2f1c...
  ks3sync uploads abort ks3://my-bucket --older-than 24h
  ks3sync uploads abort ks3://my-bucket/tmp/ --all`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cli.UsageError("uploads needs a subcommand: ls, parts or abort; see 'ks3sync uploads --help'")
		},
	}
	cmd.AddCommand(newUploadsLsCmd(env), newUploadsPartsCmd(env), newUploadsAbortCmd(env))
	return cmd
}

type uploadsLsCmd struct {
	env  Env
	json bool
}

func newUploadsLsCmd(env Env) *cobra.Command {
	c := &uploadsLsCmd{env: env}
	cmd := &cobra.Command{
		Use:   "ls ks3://BUCKET[/PREFIX] [--json]",
		Short: "List unfinished multipart uploads",
		Long: `uploads ls lists the unfinished multipart uploads whose key starts with
PREFIX: when each was initiated, how many parts it has and their total size,
its upload id and its key. --json prints one JSON object per upload:
{"bucket", "key", "upload_id", "initiated", "storage_class", "parts", "size"}.`,
		Example: `  ks3sync uploads ls ks3://my-bucket
  ks3sync uploads ls ks3://my-bucket/backups/ --json`,
		Args: cli.ExactArgs(1, "ks3://BUCKET[/PREFIX]"),
		RunE: toolRunE(c.run),
	}
	cmd.Flags().BoolVar(&c.json, "json", false, "print one JSON object per line")
	return cmd
}

// uploadJSON describes one unfinished upload.
type uploadJSON struct {
	Bucket       string    `json:"bucket"`
	Key          string    `json:"key"`
	UploadID     string    `json:"upload_id"`
	Initiated    time.Time `json:"initiated"`
	StorageClass string    `json:"storage_class,omitempty"`
	Parts        int       `json:"parts"`
	Size         int64     `json:"size"`
}

func (c *uploadsLsCmd) run(cmd *cobra.Command, args []string) error {
	u, err := parseURI(args[0])
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	cl, err := c.env.Client(ctx)
	if err != nil {
		return err
	}
	ups, err := c.list(ctx, cl, u)
	if err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	if c.json {
		enc := jsonLines(w)
		for _, up := range ups {
			if err := enc.Encode(up); err != nil {
				return err
			}
		}
		return nil
	}
	return printUploads(w, ups)
}

// list lists the uploads under u's key and sums up their parts, several
// uploads at a time.
func (c *uploadsLsCmd) list(ctx context.Context, cl *ks3.Client, u ks3URI) ([]uploadJSON, error) {
	var ups []uploadJSON
	for up, err := range cl.ListMultipartUploads(ctx, u.Bucket, ks3.ListUploadsOptions{Prefix: u.Key}) {
		if err != nil {
			return nil, err
		}
		if up.Prefix == "" {
			ups = append(ups, uploadJSON{Bucket: u.Bucket, Key: up.Key, UploadID: up.UploadID,
				Initiated: up.Initiated.UTC(), StorageClass: up.StorageClass})
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(c.env.Settings().Transfers, 1))
	for i := range ups {
		g.Go(func() error {
			return countParts(gctx, cl, &ups[i])
		})
	}
	return ups, g.Wait()
}

// countParts fills in the parts count and size of up.
func countParts(ctx context.Context, cl *ks3.Client, up *uploadJSON) error {
	for p, err := range cl.ListParts(ctx, up.Bucket, up.Key, up.UploadID) {
		if err != nil {
			return err
		}
		up.Parts++
		up.Size += p.Size
	}
	return nil
}

func printUploads(w io.Writer, ups []uploadJSON) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "INITIATED\tPARTS\tSIZE\tUPLOAD ID\tOBJECT")
	for _, up := range ups {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\n", up.Initiated.Local().Format(timeLayout), up.Parts, up.Size,
			up.UploadID, ks3URI{Bucket: up.Bucket, Key: up.Key})
	}
	return tw.Flush()
}

type uploadsAbortCmd struct {
	env       Env
	uploadID  string
	olderThan time.Duration
	all       bool
	quiet     bool
}

func newUploadsAbortCmd(env Env) *cobra.Command {
	c := &uploadsAbortCmd{env: env}
	cmd := &cobra.Command{
		Use:   "abort ks3://BUCKET[/PREFIX] (--upload-id ID | --older-than 24h | --all)",
		Short: "Abort unfinished multipart uploads",
		Long: `uploads abort aborts unfinished multipart uploads and frees their parts.
Exactly one of these selects what to abort:

  --upload-id ID     the one upload of ks3://BUCKET/KEY with this id
  --older-than DUR   every upload under PREFIX initiated more than DUR ago
  --all              every upload under PREFIX

Each aborted upload is printed (unless -q); uploads that cannot be aborted are
printed on stderr and the exit code is 1.`,
		Example: `  ks3sync uploads abort ks3://my-bucket/big.iso --upload-id 2f1c...
  ks3sync uploads abort ks3://my-bucket --older-than 24h
  ks3sync uploads abort ks3://my-bucket/tmp/ --all`,
		Args: cli.ExactArgs(1, "ks3://BUCKET[/PREFIX]"),
		RunE: toolRunE(c.run),
	}
	f := cmd.Flags()
	f.StringVar(&c.uploadID, "upload-id", "", "abort the upload with this id (needs ks3://BUCKET/KEY)")
	f.DurationVar(&c.olderThan, "older-than", 0, "abort uploads initiated more than this long ago, e.g. 24h")
	f.BoolVar(&c.all, "all", false, "abort every upload under the prefix")
	f.BoolVarP(&c.quiet, "quiet", "q", false, "do not print each aborted upload")
	return cmd
}

func (c *uploadsAbortCmd) run(cmd *cobra.Command, args []string) error {
	u, err := parseURI(args[0])
	if err != nil {
		return err
	}
	keep, err := c.selection(u, cmd.Flags().Changed("older-than"), time.Now())
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	cl, err := c.env.Client(ctx)
	if err != nil {
		return err
	}
	log := newItemLog(cmd.OutOrStdout(), cmd.ErrOrStderr(), c.quiet)
	if c.uploadID != "" {
		if err := cl.AbortMultipartUpload(ctx, u.Bucket, u.Key, c.uploadID); err != nil {
			return err
		}
		log.ok("abort: " + u.String() + " (upload id " + c.uploadID + ")")
		return nil
	}
	if err := abortUploads(ctx, cl, u.Bucket, u.Key, keep, log); err != nil {
		return err
	}
	return log.result("uploads")
}

// selection checks that exactly one selector is given (olderThan: the
// flag was) and returns the filter of uploads to keep (nil keeps none).
func (c *uploadsAbortCmd) selection(u ks3URI, olderThan bool, now time.Time) (func(ks3.Upload) bool, error) {
	n := 0
	for _, set := range []bool{c.uploadID != "", olderThan, c.all} {
		if set {
			n++
		}
	}
	switch {
	case n != 1:
		return nil, cli.UsageError("uploads abort needs exactly one of --upload-id, --older-than and --all")
	case c.uploadID != "":
		return nil, u.requireKey("uploads abort --upload-id")
	case c.all:
		return nil, nil
	case c.olderThan <= 0:
		return nil, cli.UsageError("--older-than %s: want a positive duration such as 24h", c.olderThan)
	}
	cutoff := now.Add(-c.olderThan)
	return func(up ks3.Upload) bool { return !up.Initiated.Before(cutoff) }, nil
}
