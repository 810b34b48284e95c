package tool

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"text/tabwriter"

	"github.com/dustin/go-humanize"
	"github.com/spf13/cobra"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/cli"
	"github.com/ks3sync/ks3sync/ks3"
)

type duCmd struct {
	env  Env
	json bool
}

func newDuCmd(env Env) *cobra.Command {
	c := &duCmd{env: env}
	cmd := &cobra.Command{
		Use:   "du ks3://BUCKET[/PREFIX] [--json]",
		Short: "Count the objects and bytes under a prefix, by storage class",
		Long: `du lists every object of a bucket, or under a folder of it (ks3://b/photos
means everything under photos/, as with cp -r), and prints how many objects
and bytes each storage class holds, then the total. Folder markers count as
objects of zero bytes; parts of unfinished multipart uploads are not objects
(see 'ks3sync uploads ls'). --json prints one JSON object: {"bucket",
"prefix", "objects", "bytes", "classes": [{"storage_class", "objects",
"bytes"}]}.`,
		Example: `  ks3sync du ks3://my-bucket
  ks3sync du ks3://my-bucket/photos --json`,
		Args: cli.ExactArgs(1, "ks3://BUCKET[/PREFIX]"),
		RunE: toolRunE(c.run),
	}
	cmd.Flags().BoolVar(&c.json, "json", false, "print one JSON object")
	return cmd
}

// duJSON is the output of du.
type duJSON struct {
	Bucket  string      `json:"bucket"`
	Prefix  string      `json:"prefix"`
	Objects int64       `json:"objects"`
	Bytes   int64       `json:"bytes"`
	Classes []classJSON `json:"classes"`
}

// classJSON is what one storage class holds.
type classJSON struct {
	StorageClass string `json:"storage_class"`
	Objects      int64  `json:"objects"`
	Bytes        int64  `json:"bytes"`
}

func (c *duCmd) run(cmd *cobra.Command, args []string) error {
	u, err := parseURI(args[0])
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	cl, err := c.env.Client(ctx)
	if err != nil {
		return err
	}
	doc := &duJSON{Bucket: u.Bucket, Prefix: u.folderPrefix(), Classes: []classJSON{}}
	classes := map[string]*classJSON{}
	for item, err := range cl.Walk(ctx, u.Bucket, ks3.ListObjectsOptions{Prefix: doc.Prefix}) {
		if err != nil {
			return fmt.Errorf("list %s: %w", u.with(doc.Prefix), err)
		}
		o := item.Object
		class := cmp.Or(o.StorageClass, "STANDARD")
		if classes[class] == nil {
			classes[class] = &classJSON{StorageClass: class}
		}
		classes[class].Objects++
		classes[class].Bytes += o.Size
		doc.Objects++
		doc.Bytes += o.Size
	}
	for _, name := range slices.Sorted(maps.Keys(classes)) {
		doc.Classes = append(doc.Classes, *classes[name])
	}
	if c.json {
		return jsonLines(cmd.OutOrStdout()).Encode(doc)
	}
	return doc.print(cmd.OutOrStdout())
}

// print writes a table of storage classes and the total.
func (d *duJSON) print(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "STORAGE CLASS\tOBJECTS\tBYTES\tSIZE\t")
	for _, c := range d.Classes {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t\n", c.StorageClass, c.Objects, c.Bytes, humanize.IBytes(uint64(c.Bytes)))
	}
	fmt.Fprintf(tw, "total\t%d\t%d\t%s\t\n", d.Objects, d.Bytes, humanize.IBytes(uint64(d.Bytes)))
	return tw.Flush()
}
