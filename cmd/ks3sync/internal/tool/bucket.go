package tool

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/cli"
	"github.com/ks3sync/ks3sync/ks3"
)

// cannedACLs are the canned ACLs the tool commands accept.
var cannedACLs = []string{"private", "public-read", "public-read-write"}

// checkCannedACL fails with a usage error unless acl is "" or a canned ACL.
func checkCannedACL(flag, acl string) error {
	if acl == "" {
		return nil
	}
	for _, c := range cannedACLs {
		if acl == c {
			return nil
		}
	}
	return cli.UsageError("%s %q is not one of private, public-read, public-read-write", flag, acl)
}

type mbCmd struct {
	env      Env
	acl      string
	location string
	typ      string
}

func newMbCmd(env Env) *cobra.Command {
	c := &mbCmd{env: env}
	cmd := &cobra.Command{
		Use:   "mb ks3://BUCKET [--acl private|public-read|public-read-write] [--location REGION] [--type TYPE]",
		Short: "Create a bucket",
		Long: `mb creates a bucket. Bucket names are global across all KS3 accounts: a
name someone else (or you) already uses fails with a conflict (409).

--acl sets a canned ACL (default private). --location names the region
(e.g. BEIJING); by default the endpoint's region is used. --type sets the
bucket type (e.g. NORMAL, IA, ARCHIVE).`,
		Example: `  ks3sync mb ks3://my-backup
  ks3sync mb ks3://my-site --acl public-read
  ks3sync mb ks3://my-archive --location BEIJING --type ARCHIVE`,
		Args: cli.ExactArgs(1, "ks3://BUCKET"),
		RunE: toolRunE(c.run),
	}
	f := cmd.Flags()
	f.StringVar(&c.acl, "acl", "", "canned ACL: private, public-read or public-read-write")
	f.StringVar(&c.location, "location", "", "region of the bucket, e.g. BEIJING (default: the endpoint's)")
	f.StringVar(&c.typ, "type", "", "bucket type, e.g. NORMAL, IA or ARCHIVE (default: the service's)")
	return cmd
}

func (c *mbCmd) run(cmd *cobra.Command, args []string) error {
	u, err := parseURI(args[0])
	if err != nil {
		return err
	}
	if err := u.requireBucketOnly("mb"); err != nil {
		return err
	}
	if err := checkCannedACL("--acl", c.acl); err != nil {
		return err
	}
	ctx := cmd.Context()
	cl, err := c.env.Client(ctx)
	if err != nil {
		return err
	}
	err = cl.CreateBucket(ctx, u.Bucket, ks3.CreateBucketOptions{ACL: c.acl, Location: c.location, Type: c.typ})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "created %s\n", u)
	return err
}

type rbCmd struct {
	env   Env
	force bool
	yes   bool
	quiet bool
}

func newRbCmd(env Env) *cobra.Command {
	c := &rbCmd{env: env}
	cmd := &cobra.Command{
		Use:   "rb ks3://BUCKET [--force [--yes]] [-q]",
		Short: "Delete a bucket",
		Long: `rb deletes a bucket. A bucket that still holds objects or unfinished
multipart uploads is refused, unless --force is given: then rb first deletes
every object (in batches of 1000) and aborts every unfinished upload, then the
bucket.

--force asks for confirmation on a terminal; --yes skips the question. Without
a terminal (a script, cron), --force needs --yes, otherwise rb refuses with a
usage error (exit 2). If some objects cannot be deleted, they are listed, the
bucket stays, and rb exits with 1.`,
		Example: `  ks3sync rb ks3://old-bucket
  ks3sync rb ks3://old-bucket --force
  ks3sync rb ks3://scratch --force --yes -q`,
		Args: cli.ExactArgs(1, "ks3://BUCKET"),
		RunE: toolRunE(c.run),
	}
	f := cmd.Flags()
	f.BoolVar(&c.force, "force", false, "delete every object and abort every unfinished upload first")
	f.BoolVarP(&c.yes, "yes", "y", false, "do not ask for confirmation (needed for --force without a terminal)")
	f.BoolVarP(&c.quiet, "quiet", "q", false, "do not print each deleted object")
	return cmd
}

func (c *rbCmd) run(cmd *cobra.Command, args []string) error {
	u, err := parseURI(args[0])
	if err != nil {
		return err
	}
	if err := u.requireBucketOnly("rb"); err != nil {
		return err
	}
	if c.yes && !c.force {
		return cli.UsageError("--yes only applies to rb --force")
	}
	if c.force && !c.yes {
		if ok, err := c.confirm(cmd, u); err != nil || !ok {
			return err
		}
	}
	ctx := cmd.Context()
	cl, err := c.env.Client(ctx)
	if err != nil {
		return err
	}
	if c.force {
		if err := c.empty(ctx, cl, u, newItemLog(cmd.OutOrStdout(), cmd.ErrOrStderr(), c.quiet)); err != nil {
			return err
		}
	}
	if err := cl.DeleteBucket(ctx, u.Bucket); err != nil {
		return err
	}
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "removed %s\n", u)
	return err
}

// confirm asks on a terminal whether to empty and delete the bucket. With
// no terminal it is a usage error, since nobody can answer.
func (c *rbCmd) confirm(cmd *cobra.Command, u ks3URI) (bool, error) {
	in := cmd.InOrStdin()
	if !isTTY(in) {
		return false, cli.UsageError("rb --force deletes every object in %s: add --yes to confirm when there is no terminal to ask on", u)
	}
	ok, err := confirm(in, cmd.ErrOrStderr(), fmt.Sprintf("Delete every object and unfinished upload in %s, then the bucket?", u))
	if err != nil {
		return false, err
	}
	if !ok {
		return false, errors.New("cancelled: nothing deleted")
	}
	return true, nil
}

// empty deletes every object and aborts every upload of the bucket. Items
// that fail are listed, and then it returns a partial error.
func (c *rbCmd) empty(ctx context.Context, cl *ks3.Client, u ks3URI, log *itemLog) error {
	if err := deleteUnder(ctx, cl, u.Bucket, "", log); err != nil {
		return err
	}
	if err := abortUploads(ctx, cl, u.Bucket, "", nil, log); err != nil {
		return err
	}
	if err := log.result("objects and uploads"); err != nil {
		return cli.PartialError(fmt.Errorf("%s not removed: %w", u, err))
	}
	return nil
}
