package tool

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/cli"
)

type uploadsPartsCmd struct {
	env      Env
	uploadID string
	json     bool
}

func newUploadsPartsCmd(env Env) *cobra.Command {
	c := &uploadsPartsCmd{env: env}
	cmd := &cobra.Command{
		Use:   "parts ks3://BUCKET/KEY --upload-id ID [--json]",
		Short: "List the parts of an unfinished multipart upload",
		Long: `uploads parts lists the parts the service holds for one unfinished multipart
upload of ks3://BUCKET/KEY (its id is in 'ks3sync uploads ls'): part number,
size in bytes, ETag and when it was uploaded, in part-number order, then the
count and total size. --json prints one JSON object per part:
{"part_number", "size", "etag", "last_modified"}.`,
		Example: `  ks3sync uploads parts ks3://my-bucket/big.iso --upload-id 2f1c...
  ks3sync uploads parts ks3://my-bucket/big.iso --upload-id 2f1c... --json`,
		Args: cli.ExactArgs(1, "ks3://BUCKET/KEY"),
		RunE: toolRunE(c.run),
	}
	f := cmd.Flags()
	f.StringVar(&c.uploadID, "upload-id", "", "the upload whose parts to list (required)")
	f.BoolVar(&c.json, "json", false, "print one JSON object per line")
	return cmd
}

// partJSON describes one uploaded part.
type partJSON struct {
	PartNumber   int       `json:"part_number"`
	Size         int64     `json:"size"`
	ETag         string    `json:"etag"`
	LastModified time.Time `json:"last_modified"`
}

func (c *uploadsPartsCmd) run(cmd *cobra.Command, args []string) error {
	u, err := parseURI(args[0])
	if err != nil {
		return err
	}
	if err := u.requireKey("uploads parts"); err != nil {
		return err
	}
	if c.uploadID == "" {
		return cli.UsageError("uploads parts needs --upload-id ID (see 'ks3sync uploads ls %s')", ks3URI{Bucket: u.Bucket})
	}
	ctx := cmd.Context()
	cl, err := c.env.Client(ctx)
	if err != nil {
		return err
	}
	var parts []partJSON
	for p, err := range cl.ListParts(ctx, u.Bucket, u.Key, c.uploadID) {
		if err != nil {
			return fmt.Errorf("list parts of %s (upload id %s): %w", u, c.uploadID, err)
		}
		parts = append(parts, partJSON{PartNumber: p.PartNumber, Size: p.Size, ETag: p.ETag, LastModified: p.LastModified.UTC()})
	}
	if c.json {
		enc := jsonLines(cmd.OutOrStdout())
		for _, p := range parts {
			if err := enc.Encode(p); err != nil {
				return err
			}
		}
		return nil
	}
	return printParts(cmd.OutOrStdout(), parts)
}

func printParts(w io.Writer, parts []partJSON) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "PART\tSIZE\tETAG\tUPLOADED\t")
	var total int64
	for _, p := range parts {
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t\n", p.PartNumber, p.Size, p.ETag, p.LastModified.Local().Format(timeLayout))
		total += p.Size
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d parts, %d bytes\n", len(parts), total)
	return err
}
