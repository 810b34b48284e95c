package tool

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/cli"
	"github.com/ks3sync/ks3sync/ks3"
)

type rmCmd struct {
	env       Env
	recursive bool
	quiet     bool
}

func newRmCmd(env Env) *cobra.Command {
	c := &rmCmd{env: env}
	cmd := &cobra.Command{
		Use:   "rm ks3://BUCKET/KEY... [-r] [-q]",
		Short: "Delete objects",
		Long: `rm deletes the named objects, with Delete Multiple Objects requests of up
to 1000 keys each. Keys are taken verbatim: ks3://b/dir/ deletes the object
"dir/" only. Deleting a key that does not exist is not an error.

With -r (--recursive) every argument is a folder: rm deletes every object
under it (ks3://b/photos deletes photos/..., not photos-old/...;
ks3://b deletes the whole content of the bucket).

Each deleted object is printed (unless -q); each object the service refused
is printed with its error on stderr, and rm then exits with 1.`,
		Example: `  ks3sync rm ks3://my-bucket/old.txt
  ks3sync rm ks3://my-bucket/a.txt ks3://my-bucket/b.txt
  ks3sync rm -r ks3://my-bucket/tmp/`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cli.UsageError("rm needs at least one ks3://BUCKET/KEY; see 'ks3sync rm --help'")
			}
			return nil
		},
		RunE: toolRunE(c.run),
	}
	f := cmd.Flags()
	f.BoolVarP(&c.recursive, "recursive", "r", false, "delete every object under each folder")
	f.BoolVarP(&c.quiet, "quiet", "q", false, "do not print each deleted object")
	return cmd
}

func (c *rmCmd) run(cmd *cobra.Command, args []string) error {
	targets := make([]ks3URI, len(args))
	for i, arg := range args {
		u, err := parseURI(arg)
		if err != nil {
			return err
		}
		if !c.recursive {
			if err := u.requireKey("rm"); err != nil {
				return cli.UsageError("%v (use rm -r to delete everything in it)", err)
			}
		}
		targets[i] = u
	}
	ctx := cmd.Context()
	cl, err := c.env.Client(ctx)
	if err != nil {
		return err
	}
	log := newItemLog(cmd.OutOrStdout(), cmd.ErrOrStderr(), c.quiet)
	if c.recursive {
		err = c.removeFolders(ctx, cl, targets, log)
	} else {
		err = c.removeKeys(ctx, cl, targets, log)
	}
	if err != nil {
		return err
	}
	return log.result("objects")
}

// removeKeys deletes the named objects, batching consecutive keys of one
// bucket.
func (c *rmCmd) removeKeys(ctx context.Context, cl *ks3.Client, targets []ks3URI, log *itemLog) error {
	var d *objectDeleter
	for _, u := range targets {
		if d == nil || d.bucket != u.Bucket {
			if d != nil {
				if err := d.flush(ctx); err != nil {
					return err
				}
			}
			d = newObjectDeleter(cl, u.Bucket, log)
		}
		if err := d.add(ctx, u.Key); err != nil {
			return err
		}
	}
	return d.flush(ctx)
}

// removeFolders deletes everything under each target.
func (c *rmCmd) removeFolders(ctx context.Context, cl *ks3.Client, targets []ks3URI, log *itemLog) error {
	for _, u := range targets {
		if err := deleteUnder(ctx, cl, u.Bucket, u.folderPrefix(), log); err != nil {
			return err
		}
	}
	return nil
}
