package tool

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/cli"
	"github.com/ks3sync/ks3sync/ks3"
)

func newACLCmd(env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "acl get|set ks3://BUCKET[/KEY] [private|public-read|public-read-write | --xml FILE | --grant-read GRANTEE ...]",
		Short: "Show or set the ACL of a bucket or an object",
		Long: `acl get prints the access control list of a bucket (ks3://BUCKET) or of an
object (ks3://BUCKET/KEY): the owner, then one grant per line with its
permission (FULL_CONTROL, READ, WRITE), the grantee type (CanonicalUser or
Group), the user id or group URI, and the display name.

acl set replaces the ACL with a canned one: private, public-read (anyone may
read; for a bucket, also list) or public-read-write (anyone may also write;
buckets only on KS3); or with an AccessControlPolicy XML document (--xml);
or with grants to users and groups (--grant-read, --grant-write,
--grant-full-control).`,
		Example: `  ks3sync acl get ks3://my-bucket
  ks3sync acl get --json ks3://my-bucket/index.html
  ks3sync acl set ks3://my-bucket/index.html public-read
  ks3sync acl set ks3://my-bucket --xml policy.xml
  ks3sync acl set ks3://my-bucket/a.txt --grant-read id=1234567`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cli.UsageError("acl needs a subcommand: get or set; see 'ks3sync acl --help'")
		},
	}
	cmd.AddCommand(newACLGetCmd(env), newACLSetCmd(env))
	return cmd
}

type aclGetCmd struct {
	env  Env
	json bool
}

func newACLGetCmd(env Env) *cobra.Command {
	c := &aclGetCmd{env: env}
	cmd := &cobra.Command{
		Use:   "get ks3://BUCKET[/KEY] [--json]",
		Short: "Print the grants of a bucket or an object",
		Long: `acl get prints the owner and the grants of a bucket or an object: permission,
grantee type, user id or group URI, display name. --json prints one JSON
object: {"bucket", "key", "owner": {"id", "display_name"}, "grants":
[{"permission", "grantee_type", "id", "uri", "display_name"}]}.`,
		Example: `  ks3sync acl get ks3://my-bucket
  ks3sync acl get ks3://my-bucket/photo.jpg --json`,
		Args: cli.ExactArgs(1, "ks3://BUCKET[/KEY]"),
		RunE: toolRunE(c.run),
	}
	cmd.Flags().BoolVar(&c.json, "json", false, "print one JSON object")
	return cmd
}

func (c *aclGetCmd) run(cmd *cobra.Command, args []string) error {
	u, err := parseURI(args[0])
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	cl, err := c.env.Client(ctx)
	if err != nil {
		return err
	}
	p, err := getACL(ctx, cl, u)
	if err != nil {
		return err
	}
	doc := newACLJSON(u, p)
	if c.json {
		return jsonLines(cmd.OutOrStdout()).Encode(doc)
	}
	return doc.print(cmd.OutOrStdout())
}

func getACL(ctx context.Context, cl *ks3.Client, u ks3URI) (*ks3.AccessControlPolicy, error) {
	if u.Key == "" {
		return cl.GetBucketACL(ctx, u.Bucket)
	}
	return cl.GetObjectACL(ctx, u.Bucket, u.Key)
}

// aclJSON is the output of acl get.
type aclJSON struct {
	Bucket string      `json:"bucket"`
	Key    string      `json:"key,omitempty"`
	Owner  ownerJSON   `json:"owner"`
	Grants []grantJSON `json:"grants"`
}

type ownerJSON struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name,omitempty"`
}

type grantJSON struct {
	Permission  string `json:"permission"`
	GranteeType string `json:"grantee_type"`
	ID          string `json:"id,omitempty"`
	URI         string `json:"uri,omitempty"`
	DisplayName string `json:"display_name,omitempty"`
}

func newACLJSON(u ks3URI, p *ks3.AccessControlPolicy) *aclJSON {
	doc := &aclJSON{Bucket: u.Bucket, Key: u.Key, Owner: ownerJSON{ID: p.Owner.ID, DisplayName: p.Owner.DisplayName},
		Grants: make([]grantJSON, len(p.Grants))}
	for i, g := range p.Grants {
		doc.Grants[i] = grantJSON{Permission: g.Permission, GranteeType: g.GranteeType, ID: g.ID, URI: g.URI,
			DisplayName: g.DisplayName}
	}
	return doc
}

// print writes the owner and a table of grants.
func (d *aclJSON) print(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "owner:\t%s\t%s\n", d.Owner.ID, d.Owner.DisplayName)
	fmt.Fprintln(tw, "PERMISSION\tTYPE\tGRANTEE\tDISPLAY NAME")
	for _, g := range d.Grants {
		grantee := g.ID
		if g.URI != "" {
			grantee = g.URI
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", g.Permission, g.GranteeType, grantee, g.DisplayName)
	}
	return tw.Flush()
}
