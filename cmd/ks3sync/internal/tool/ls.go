package tool

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/cli"
	"github.com/ks3sync/ks3sync/ks3"
)

// timeLayout is how the tool commands print times in text output.
const timeLayout = "2006-01-02 15:04:05"

type lsCmd struct {
	env       Env
	recursive bool
	long      bool
	json      bool
}

func newLsCmd(env Env) *cobra.Command {
	c := &lsCmd{env: env}
	cmd := &cobra.Command{
		Use:   "ls [ks3://BUCKET[/PREFIX]] [-r] [-l] [--json]",
		Short: "List buckets, or the objects under a prefix",
		Long: `ls with no argument lists the buckets of the account.

ls ks3://BUCKET[/PREFIX] lists one level under PREFIX, like a folder: the
objects whose keys start with PREFIX and have no further '/', and the common
prefixes ("sub-folders", ending in '/'). PREFIX is a plain key prefix, so
ks3://b/ph lists photos/ as well as phone.txt. With -r it lists every object
under PREFIX, at any depth.

Text output prints one key per line; -l adds the last-modified time, the size
in bytes, the storage class and the ETag (common prefixes show DIR). --json
prints one JSON object per line for scripts: {"type":"object", "bucket", "key",
"size", "last_modified", "storage_class", "etag"} or {"type":"prefix",
"bucket", "prefix"}; buckets as {"name", "region", "type", "created"}.`,
		Example: `  ks3sync ls
  ks3sync ls ks3://my-bucket
  ks3sync ls -l ks3://my-bucket/photos/2024/
  ks3sync ls -r --json ks3://my-bucket/logs/`,
		Args: cobra.MaximumNArgs(1),
		RunE: toolRunE(c.run),
	}
	f := cmd.Flags()
	f.BoolVarP(&c.recursive, "recursive", "r", false, "list every object under the prefix, at any depth")
	f.BoolVarP(&c.long, "long", "l", false, "long format: last modified, size, storage class, ETag")
	f.BoolVar(&c.json, "json", false, "print one JSON object per line")
	return cmd
}

func (c *lsCmd) run(cmd *cobra.Command, args []string) error {
	ctx := cmd.Context()
	if len(args) == 0 {
		if c.recursive {
			return cli.UsageError("ls -r needs ks3://BUCKET[/PREFIX]")
		}
		cl, err := c.env.Client(ctx)
		if err != nil {
			return err
		}
		return c.listBuckets(ctx, cl, cmd.OutOrStdout())
	}
	u, err := parseURI(args[0])
	if err != nil {
		return err
	}
	cl, err := c.env.Client(ctx)
	if err != nil {
		return err
	}
	return c.listObjects(ctx, cl, u, cmd.OutOrStdout())
}

// bucketJSON is one bucket in ls --json.
type bucketJSON struct {
	Name    string    `json:"name"`
	Region  string    `json:"region,omitempty"`
	Type    string    `json:"type,omitempty"`
	Created time.Time `json:"created"`
}

func (c *lsCmd) listBuckets(ctx context.Context, cl *ks3.Client, w io.Writer) error {
	buckets, err := cl.ListBuckets(ctx)
	if err != nil {
		return err
	}
	enc := jsonLines(w)
	for _, b := range buckets {
		switch {
		case c.json:
			err = enc.Encode(bucketJSON{Name: b.Name, Region: b.Region, Type: b.Type, Created: b.CreationDate.UTC()})
		case c.long:
			_, err = fmt.Fprintf(w, "%s  %-12s %s\n", b.CreationDate.Local().Format(timeLayout), b.Region, b.Name)
		default:
			_, err = fmt.Fprintln(w, b.Name)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// objectJSON is one object in ls --json.
type objectJSON struct {
	Type         string    `json:"type"`
	Bucket       string    `json:"bucket"`
	Key          string    `json:"key"`
	Size         int64     `json:"size"`
	LastModified time.Time `json:"last_modified"`
	StorageClass string    `json:"storage_class"`
	ETag         string    `json:"etag"`
}

// prefixJSON is one common prefix in ls --json.
type prefixJSON struct {
	Type   string `json:"type"`
	Bucket string `json:"bucket"`
	Prefix string `json:"prefix"`
}

func (c *lsCmd) listObjects(ctx context.Context, cl *ks3.Client, u ks3URI, w io.Writer) error {
	opts := ks3.ListObjectsOptions{Prefix: u.Key}
	if !c.recursive {
		opts.Delimiter = "/"
	}
	enc := jsonLines(w)
	for item, err := range cl.Walk(ctx, u.Bucket, opts) {
		if err != nil {
			return err
		}
		if err := c.printItem(w, enc, u.Bucket, item); err != nil {
			return err
		}
	}
	return nil
}

func (c *lsCmd) printItem(w io.Writer, enc jsonEncoder, bucket string, item ks3.ListItem) error {
	o := item.Object
	var err error
	switch {
	case c.json && item.Prefix != "":
		err = enc.Encode(prefixJSON{Type: "prefix", Bucket: bucket, Prefix: item.Prefix})
	case c.json:
		err = enc.Encode(objectJSON{Type: "object", Bucket: bucket, Key: o.Key, Size: o.Size,
			LastModified: o.LastModified.UTC(), StorageClass: o.StorageClass, ETag: o.ETag})
	case c.long && item.Prefix != "":
		_, err = fmt.Fprintf(w, "%19s  %12s  %-11s  %-34s  %s\n", "", "DIR", "", "", printable(item.Prefix))
	case c.long:
		_, err = fmt.Fprintf(w, "%s  %12d  %-11s  %-34s  %s\n", o.LastModified.Local().Format(timeLayout),
			o.Size, o.StorageClass, o.ETag, printable(o.Key))
	case item.Prefix != "":
		_, err = fmt.Fprintln(w, printable(item.Prefix))
	default:
		_, err = fmt.Fprintln(w, printable(o.Key))
	}
	return err
}

// jsonEncoder is what the commands need of *json.Encoder.
type jsonEncoder interface{ Encode(v any) error }
