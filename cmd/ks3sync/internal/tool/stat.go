package tool

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/cli"
	ks3crypto "github.com/ks3sync/ks3sync/crypto"
	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/objmeta"
)

type statCmd struct {
	env  Env
	json bool
}

func newStatCmd(env Env) *cobra.Command {
	c := &statCmd{env: env}
	cmd := &cobra.Command{
		Use:   "stat ks3://BUCKET/KEY [--json]",
		Short: "Show an object's metadata (or a bucket's region)",
		Long: `stat prints what a HEAD request tells about an object: size, ETag, last
modified, content type, storage class, the CRC-64 the service computed, and
the user metadata (x-kss-meta-*). It also says whether the object is
client-side encrypted in the KS3 SDK format, and decodes ks3sync's own
metadata: the source file's modification time (mtime) and the MD5 of the
plaintext (md5).

For a bucket (ks3://BUCKET) it checks that the bucket exists and prints its
region.

--json prints one JSON object instead: {"bucket", "key", "size", "etag",
"last_modified", "content_type", "storage_class", "metadata", "encrypted", ...}.`,
		Example: `  ks3sync stat ks3://my-bucket/report.pdf
  ks3sync stat --json ks3://my-bucket/report.pdf
  ks3sync stat ks3://my-bucket`,
		Args: cli.ExactArgs(1, "ks3://BUCKET[/KEY]"),
		RunE: toolRunE(c.run),
	}
	cmd.Flags().BoolVar(&c.json, "json", false, "print one JSON object")
	return cmd
}

func (c *statCmd) run(cmd *cobra.Command, args []string) error {
	u, err := parseURI(args[0])
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	cl, err := c.env.Client(ctx)
	if err != nil {
		return err
	}
	if u.Key == "" {
		return c.statBucket(ctx, cl, u, cmd.OutOrStdout())
	}
	info, err := cl.HeadObject(ctx, u.Bucket, u.Key)
	if err != nil {
		return headError(ctx, cl, u, err)
	}
	s := newObjectStat(u.Bucket, info)
	if c.json {
		return jsonLines(cmd.OutOrStdout()).Encode(s)
	}
	return s.print(cmd.OutOrStdout())
}

// headError refines a failed HEAD: its 404 has no body, so it cannot say
// whether the object or the whole bucket is missing; a HEAD of the bucket
// tells.
func headError(ctx context.Context, cl *ks3.Client, u ks3URI, err error) error {
	if ks3.ErrorCode(err) != "NoSuchKey" {
		return err
	}
	if berr := cl.HeadBucket(ctx, u.Bucket); ks3.ErrorCode(berr) == "NoSuchBucket" {
		return berr
	}
	return err
}

// bucketStat is what stat prints for a bucket.
type bucketStat struct {
	Bucket   string `json:"bucket"`
	Location string `json:"location"`
}

func (c *statCmd) statBucket(ctx context.Context, cl *ks3.Client, u ks3URI, w io.Writer) error {
	if err := cl.HeadBucket(ctx, u.Bucket); err != nil {
		return err
	}
	loc, err := cl.GetBucketLocation(ctx, u.Bucket)
	if err != nil {
		return err
	}
	if c.json {
		return jsonLines(w).Encode(bucketStat{Bucket: u.Bucket, Location: loc})
	}
	_, err = fmt.Fprintf(w, "Bucket:    %s\nLocation:  %s\n", u.Bucket, loc)
	return err
}

// objectStat is what stat prints for an object.
type objectStat struct {
	Bucket             string            `json:"bucket"`
	Key                string            `json:"key"`
	Size               int64             `json:"size"`
	ETag               string            `json:"etag"`
	LastModified       time.Time         `json:"last_modified"`
	ContentType        string            `json:"content_type,omitempty"`
	StorageClass       string            `json:"storage_class"`
	CacheControl       string            `json:"cache_control,omitempty"`
	ContentDisposition string            `json:"content_disposition,omitempty"`
	ContentEncoding    string            `json:"content_encoding,omitempty"`
	CRC64ECMA          string            `json:"crc64ecma,omitempty"`
	Metadata           map[string]string `json:"metadata"`
	Encrypted          bool              `json:"encrypted"`
	// PlainSize is the plaintext size of an encrypted object, when its
	// metadata records it.
	PlainSize *int64 `json:"plain_size,omitempty"`
	// MTime is ks3sync's recorded source modification time.
	MTime *time.Time `json:"mtime,omitempty"`
}

func newObjectStat(bucket string, info *ks3.ObjectInfo) *objectStat {
	s := &objectStat{
		Bucket: bucket, Key: info.Key, Size: info.Size, ETag: info.ETag,
		LastModified: info.LastModified.UTC(), ContentType: info.ContentType, StorageClass: info.StorageClass,
		CacheControl: info.CacheControl, ContentDisposition: info.ContentDisposition,
		ContentEncoding: info.ContentEncoding, CRC64ECMA: info.CRC64ECMA, Metadata: info.Metadata,
	}
	if s.Metadata == nil {
		s.Metadata = map[string]string{}
	}
	if m, ok, _ := ks3crypto.ParseMetadata(info.Metadata); ok {
		s.Encrypted = true
		if m != nil && m.PlainLength >= 0 {
			s.PlainSize = &m.PlainLength
		}
	}
	if t := objmeta.Read(info.Metadata).MTime; !t.IsZero() {
		t = t.UTC()
		s.MTime = &t
	}
	return s
}

// print writes s as aligned "Name: value" lines, then the metadata.
func (s *objectStat) print(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(name, value string) {
		if value != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", name, value)
		}
	}
	row("Object", ks3URI{Bucket: s.Bucket, Key: s.Key}.String())
	row("Size", strconv.FormatInt(s.Size, 10))
	row("ETag", s.ETag)
	row("Last-Modified", s.LastModified.Local().Format(timeLayout))
	row("Content-Type", s.ContentType)
	row("Storage-Class", s.StorageClass)
	row("Cache-Control", s.CacheControl)
	row("Content-Disposition", s.ContentDisposition)
	row("Content-Encoding", s.ContentEncoding)
	row("CRC64-ECMA", s.CRC64ECMA)
	row("Encrypted", s.encryptedText())
	if s.MTime != nil {
		row("Source mtime", s.MTime.Local().Format(timeLayout+".000000000"))
	}
	if len(s.Metadata) > 0 {
		row("Metadata", fmt.Sprintf("%d entries", len(s.Metadata)))
		for _, name := range slices.Sorted(maps.Keys(s.Metadata)) {
			fmt.Fprintf(tw, "  x-kss-meta-%s:\t%s\n", printable(name), printable(s.Metadata[name]))
		}
	}
	return tw.Flush()
}

func (s *objectStat) encryptedText() string {
	switch {
	case !s.Encrypted:
		return "no"
	case s.PlainSize != nil:
		return fmt.Sprintf("yes (KS3 SDK client-side encryption, %d bytes of plaintext)", *s.PlainSize)
	default:
		return "yes (KS3 SDK client-side encryption)"
	}
}
