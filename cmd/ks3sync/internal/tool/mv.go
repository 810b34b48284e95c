package tool

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/cli"
	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/objmeta"
)

// objectMover is what mv needs of the service.
type objectMover interface {
	HeadObject(ctx context.Context, bucket, key string) (*ks3.ObjectInfo, error)
	CopyObject(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, opts ks3.CopyOptions) (*ks3.CopyResult, error)
	DeleteObject(ctx context.Context, bucket, key string) error
}

var _ objectMover = (*ks3.Client)(nil)

type mvCmd struct {
	env       Env
	recursive bool
	quiet     bool
}

func newMvCmd(env Env) *cobra.Command {
	c := &mvCmd{env: env}
	cmd := &cobra.Command{
		Use:   "mv ks3://BUCKET/KEY ks3://BUCKET2/KEY2 [-r]",
		Short: "Move objects within KS3 (server-side copy, then delete)",
		Long: `mv moves an object: the service copies it to the destination (no data goes
through this machine; metadata, content type and client-side encryption
come along), ks3sync checks that the copy is there with the source's size
and content ETag, and only then deletes the source. When the copy fails or
cannot be confirmed, the source stays and mv fails.

A destination ending in '/' (or a bare bucket) keeps the object's name:
ks3://b2/dir/ receives dir/NAME. With -r every object under the source
folder (ks3://b/photos means photos/) moves to the same relative key under
the destination folder, several at a time; each is printed when done,
failures go to stderr and the exit code is 1. The source and destination
folders of mv -r may not contain each other in one bucket.`,
		Example: `  ks3sync mv ks3://my-bucket/inbox/a.pdf ks3://my-bucket/done/a.pdf
  ks3sync mv ks3://my-bucket/report.pdf ks3://archive-bucket/2026/
  ks3sync mv -r ks3://my-bucket/tmp/upload ks3://my-bucket/photos`,
		Args: cli.ExactArgs(2, "ks3://BUCKET/KEY and ks3://BUCKET2/KEY2"),
		RunE: toolRunE(c.run),
	}
	cmd.Flags().BoolVarP(&c.recursive, "recursive", "r", false, "move every object under a folder")
	cmd.Flags().BoolVarP(&c.quiet, "quiet", "q", false, "print nothing but errors")
	return cmd
}

func (c *mvCmd) run(cmd *cobra.Command, args []string) error {
	src, dst, err := c.endpoints(args[0], args[1])
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	cl, err := c.env.Client(ctx)
	if err != nil {
		return err
	}
	log := newItemLog(cmd.OutOrStdout(), cmd.ErrOrStderr(), c.quiet)
	if !c.recursive {
		if err := moveObject(ctx, cl, src, dst); err != nil {
			return err
		}
		log.ok("move: " + src.String() + " -> " + dst.String())
		return nil
	}
	return c.moveAll(ctx, cl, src, dst, log)
}

// endpoints parses and checks the source and destination.
func (c *mvCmd) endpoints(from, to string) (src, dst ks3URI, err error) {
	if src, err = parseURI(from); err != nil {
		return src, dst, err
	}
	if dst, err = parseURI(to); err != nil {
		return src, dst, err
	}
	if c.recursive {
		sp, dp := src.folderPrefix(), dst.folderPrefix()
		if src.Bucket == dst.Bucket && (strings.HasPrefix(sp, dp) || strings.HasPrefix(dp, sp)) {
			return src, dst, cli.UsageError("mv -r: %s and %s overlap; move to a folder outside the source", src.with(sp), dst.with(dp))
		}
		return src, dst, nil
	}
	if src.isFolder() {
		return src, dst, cli.UsageError("%s names a folder, not an object: use mv -r to move everything under it", src)
	}
	if dst.isFolder() {
		dst = dst.with(dst.Key + baseName(src.Key))
	}
	if src == dst {
		return src, dst, cli.UsageError("mv: %s is both the source and the destination", src)
	}
	return src, dst, nil
}

// moveObject copies src to dst on the server, confirms the copy and then
// deletes src. The source is deleted only once the copy is known to be in
// place with the source's size (and content ETag, when that is an MD5).
func moveObject(ctx context.Context, cl objectMover, src, dst ks3URI) error {
	before, err := cl.HeadObject(ctx, src.Bucket, src.Key)
	if err != nil {
		return fmt.Errorf("move %s: %w", src, err)
	}
	if _, err := cl.CopyObject(ctx, src.Bucket, src.Key, dst.Bucket, dst.Key, ks3.CopyOptions{}); err != nil {
		return fmt.Errorf("move %s: source kept: %w", src, err)
	}
	after, err := cl.HeadObject(ctx, dst.Bucket, dst.Key)
	if err != nil {
		return fmt.Errorf("move %s: source kept, the copy %s cannot be confirmed: %w", src, dst, err)
	}
	if after.Size != before.Size || objmeta.IsMD5Hex(before.ETag) && !strings.EqualFold(after.ETag, before.ETag) {
		return fmt.Errorf("move %s: source kept, the copy %s differs (size %d, ETag %s; the source has %d, %s)",
			src, dst, after.Size, after.ETag, before.Size, before.ETag)
	}
	if err := cl.DeleteObject(ctx, src.Bucket, src.Key); err != nil {
		return fmt.Errorf("move %s: copied to %s, but the source could not be deleted: %w", src, dst, err)
	}
	return nil
}

// moveAll moves every object under src's folder to dst's folder.
func (c *mvCmd) moveAll(ctx context.Context, cl *ks3.Client, src, dst ks3URI, log *itemLog) error {
	prefix, dstPrefix := src.folderPrefix(), dst.folderPrefix()
	var keys []string
	for item, err := range cl.Walk(ctx, src.Bucket, ks3.ListObjectsOptions{Prefix: prefix}) {
		if err != nil {
			return fmt.Errorf("list %s: %w", src.with(prefix), err)
		}
		keys = append(keys, item.Object.Key)
	}
	if len(keys) == 0 {
		log.warn("no objects under " + src.with(prefix).String())
		return nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(c.env.Settings().Transfers, 1))
	for _, k := range keys {
		from, to := src.with(k), dst.with(dstPrefix+strings.TrimPrefix(k, prefix))
		g.Go(func() error {
			if err := moveObject(gctx, cl, from, to); err != nil {
				if gctx.Err() == nil {
					log.fail("move: "+from.String(), err)
				}
				return nil
			}
			log.ok("move: " + from.String() + " -> " + to.String())
			return nil
		})
	}
	g.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	return log.result("objects")
}
