package tool

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/cli"
	"github.com/ks3sync/ks3sync/ks3"
)

type aclSetCmd struct {
	env         Env
	xmlFile     string
	read        []string
	write       []string
	fullControl []string
}

func newACLSetCmd(env Env) *cobra.Command {
	c := &aclSetCmd{env: env}
	cmd := &cobra.Command{
		Use:   "set ks3://BUCKET[/KEY] (private|public-read|public-read-write | --xml FILE | --grant-PERMISSION GRANTEE...)",
		Short: "Replace the ACL of a bucket or an object",
		Long: `acl set replaces the ACL of a bucket or an object, in one of three ways:

  a canned ACL      private (only the owner), public-read (anyone may read;
                    for a bucket, also list), public-read-write (anyone may
                    also write; buckets only on KS3)
  --xml FILE        an AccessControlPolicy document, as 'acl get' shows it
                    and the SDK's set_xml_acl sends it; "-" reads stdin
  grants            --grant-read, --grant-write and --grant-full-control,
                    each repeatable or with a comma-separated list of
                    grantees: id=USER_ID for an account, uri=URI for a group
                    (uri=http://acs.ksyun.com/groups/global/AllUsers is
                    everyone). The owner keeps FULL_CONTROL; every other
                    grant is replaced.

The document is checked before anything is sent: each grantee needs
xsi:type CanonicalUser with an ID or Group with a URI, and each grant one
of the permissions FULL_CONTROL, READ, WRITE, READ_ACP, WRITE_ACP.`,
		Example: `  ks3sync acl set ks3://my-bucket/index.html public-read
  ks3sync acl get ks3://my-bucket --json   # see the current grants
  ks3sync acl set ks3://my-bucket --xml policy.xml
  ks3sync acl set ks3://my-bucket/a.txt --grant-read id=1234567,id=7654321
  ks3sync acl set ks3://my-bucket --grant-read uri=http://acs.ksyun.com/groups/global/AllUsers`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 1 || len(args) > 2 {
				return cli.UsageError("acl set takes ks3://BUCKET[/KEY] and a canned ACL, --xml FILE or grants")
			}
			return nil
		},
		RunE: toolRunE(c.run),
	}
	f := cmd.Flags()
	f.StringVar(&c.xmlFile, "xml", "", "AccessControlPolicy XML document FILE (- for stdin)")
	f.StringArrayVar(&c.read, "grant-read", nil, "grant READ to id=USER_ID or uri=GROUP_URI, repeatable")
	f.StringArrayVar(&c.write, "grant-write", nil, "grant WRITE to id=USER_ID or uri=GROUP_URI, repeatable")
	f.StringArrayVar(&c.fullControl, "grant-full-control", nil, "grant FULL_CONTROL to id=USER_ID or uri=GROUP_URI, repeatable")
	return cmd
}

func (c *aclSetCmd) run(cmd *cobra.Command, args []string) error {
	u, err := parseURI(args[0])
	if err != nil {
		return err
	}
	canned := ""
	if len(args) == 2 {
		canned = args[1]
	}
	grants, err := c.grants()
	if err != nil {
		return err
	}
	if err := c.checkOneWay(canned, len(grants) > 0); err != nil {
		return err
	}
	ctx := cmd.Context()
	var policy *ks3.AccessControlPolicy
	if c.xmlFile != "" {
		if policy, err = readPolicy(c.xmlFile, cmd); err != nil {
			return err
		}
	}
	cl, err := c.env.Client(ctx)
	if err != nil {
		return err
	}
	what := canned
	switch {
	case canned != "":
		err = setCannedACL(ctx, cl, u, canned)
	case policy != nil:
		what = fmt.Sprintf("the policy of %s (%d grants)", c.xmlFile, len(policy.Grants))
		err = putPolicy(ctx, cl, u, policy)
	default:
		what = fmt.Sprintf("%d grants", len(grants))
		err = c.putGrants(ctx, cl, u, grants)
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "set %s on %s\n", what, u)
	return err
}

// checkOneWay checks that exactly one way of setting the ACL was chosen.
func (c *aclSetCmd) checkOneWay(canned string, grants bool) error {
	n := 0
	for _, set := range []bool{canned != "", c.xmlFile != "", grants} {
		if set {
			n++
		}
	}
	if n != 1 {
		return cli.UsageError("acl set needs exactly one of a canned ACL, --xml FILE and --grant-* flags")
	}
	return checkCannedACL("ACL", canned)
}

// grants parses the --grant-* flags.
func (c *aclSetCmd) grants() ([]ks3.Grant, error) {
	var out []ks3.Grant
	for _, set := range []struct {
		flag, perm string
		values     []string
	}{
		{"--grant-read", ks3.PermissionRead, c.read},
		{"--grant-write", ks3.PermissionWrite, c.write},
		{"--grant-full-control", ks3.PermissionFullControl, c.fullControl},
	} {
		for _, v := range set.values {
			for _, g := range strings.Split(v, ",") {
				grant, err := parseGrantee(set.flag, strings.TrimSpace(g))
				if err != nil {
					return nil, err
				}
				grant.Permission = set.perm
				out = append(out, grant)
			}
		}
	}
	return out, nil
}

// parseGrantee reads id=USER_ID or uri=GROUP_URI (the value may be quoted,
// as in the x-kss-grant-* headers).
func parseGrantee(flag, s string) (ks3.Grant, error) {
	kind, value, ok := strings.Cut(s, "=")
	value = strings.Trim(value, `"`)
	switch {
	case !ok || value == "":
	case strings.EqualFold(kind, "id"):
		return ks3.Grant{GranteeType: ks3.GranteeCanonicalUser, ID: value}, nil
	case strings.EqualFold(kind, "uri"):
		return ks3.Grant{GranteeType: ks3.GranteeGroup, URI: value}, nil
	}
	return ks3.Grant{}, cli.UsageError("%s %q: want id=USER_ID or uri=GROUP_URI", flag, s)
}

// readPolicy reads and checks the --xml document; "-" is stdin.
func readPolicy(name string, cmd *cobra.Command) (*ks3.AccessControlPolicy, error) {
	r := cmd.InOrStdin()
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, cli.UsageError("--xml: %v", err)
		}
		defer f.Close()
		r = f
	}
	p, err := ks3.ParseAccessControlPolicy(r)
	if err != nil {
		return nil, cli.UsageError("--xml %s: %v", name, err)
	}
	return p, nil
}

// putGrants replaces the ACL of u with the owner's full control and grants.
func (c *aclSetCmd) putGrants(ctx context.Context, cl *ks3.Client, u ks3URI, grants []ks3.Grant) error {
	current, err := getACL(ctx, cl, u)
	if err != nil {
		return err
	}
	owner := ks3.Grant{GranteeType: ks3.GranteeCanonicalUser, ID: current.Owner.ID,
		DisplayName: current.Owner.DisplayName, Permission: ks3.PermissionFullControl}
	return putPolicy(ctx, cl, u, &ks3.AccessControlPolicy{Owner: current.Owner, Grants: append([]ks3.Grant{owner}, grants...)})
}

func putPolicy(ctx context.Context, cl *ks3.Client, u ks3URI, p *ks3.AccessControlPolicy) error {
	if u.Key == "" {
		return cl.PutBucketACLPolicy(ctx, u.Bucket, p)
	}
	return cl.PutObjectACLPolicy(ctx, u.Bucket, u.Key, p)
}

func setCannedACL(ctx context.Context, cl *ks3.Client, u ks3URI, canned string) error {
	if u.Key == "" {
		return cl.SetBucketACL(ctx, u.Bucket, canned)
	}
	return cl.SetObjectACL(ctx, u.Bucket, u.Key, canned)
}
