package tool

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/cli"
	"github.com/ks3sync/ks3sync/ks3"
)

type urlCmd struct {
	env                Env
	expires            time.Duration
	expiresAt          int64
	method             string
	contentType        string
	contentDisposition string
	responseType       string
}

func newURLCmd(env Env) *cobra.Command {
	c := &urlCmd{env: env}
	cmd := &cobra.Command{
		Use:   "url ks3://BUCKET/KEY (--expires 1h | --expires-at UNIX) [--method GET|PUT|HEAD|DELETE]",
		Short: "Print a presigned URL for an object",
		Long: `url prints a presigned URL: anyone who has it may do one request on the
object (GET by default, --method PUT to let someone upload it) until it
expires, without credentials. Exactly one of --expires (a duration from now,
such as 30m, 1h or 168h) and --expires-at (an absolute Unix time in seconds,
in the future) is required. The URL is computed locally; nothing is sent to the service.

For a GET, --response-content-type and --response-content-disposition make
the service answer with those headers (e.g. attachment; filename="a.pdf" to
make browsers download). For a PUT, --content-type is signed into the URL and
the uploader must send exactly that Content-Type.`,
		Example: `  ks3sync url ks3://my-bucket/report.pdf --expires 1h
  ks3sync url ks3://my-bucket/report.pdf --expires-at 1767225600
  ks3sync url ks3://my-bucket/incoming/data.csv --method PUT --expires 15m
  curl -T data.csv "$(ks3sync url ks3://my-bucket/incoming/data.csv --method PUT --expires 15m)"`,
		Args: cli.ExactArgs(1, "ks3://BUCKET/KEY"),
		RunE: toolRunE(c.run),
	}
	f := cmd.Flags()
	f.DurationVar(&c.expires, "expires", 0, "validity from now, e.g. 30m, 1h, 168h")
	f.Int64Var(&c.expiresAt, "expires-at", 0, "expiry as an absolute Unix time in seconds")
	f.StringVar(&c.method, "method", "GET", "HTTP method the URL allows: GET, PUT, HEAD or DELETE")
	f.StringVar(&c.contentType, "content-type", "", "Content-Type the uploader must send (PUT)")
	f.StringVar(&c.responseType, "response-content-type", "", "Content-Type of the answer (GET)")
	f.StringVar(&c.contentDisposition, "response-content-disposition", "", "Content-Disposition of the answer (GET)")
	return cmd
}

func (c *urlCmd) run(cmd *cobra.Command, args []string) error {
	u, err := parseURI(args[0])
	if err != nil {
		return err
	}
	if err := u.requireKey("url"); err != nil {
		return err
	}
	flags := cmd.Flags()
	expires, err := c.expiry(flags.Changed("expires"), flags.Changed("expires-at"), time.Now())
	if err != nil {
		return err
	}
	opts, err := c.presignOptions()
	if err != nil {
		return err
	}
	cl, err := c.env.Client(cmd.Context())
	if err != nil {
		return err
	}
	link, err := cl.PresignURL(c.method, u.Bucket, u.Key, expires, opts)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(cmd.OutOrStdout(), link)
	return err
}

// expiry returns the expiry time from exactly one of --expires (rel: it
// was given) and --expires-at (abs).
func (c *urlCmd) expiry(rel, abs bool, now time.Time) (time.Time, error) {
	switch {
	case rel && abs:
		return time.Time{}, cli.UsageError("give either --expires or --expires-at, not both")
	case rel:
		if c.expires <= 0 {
			return time.Time{}, cli.UsageError("--expires %s: want a positive duration such as 1h", c.expires)
		}
		return now.Add(c.expires), nil
	case abs:
		if c.expiresAt <= 0 {
			return time.Time{}, cli.UsageError("--expires-at %d: want a Unix time in seconds", c.expiresAt)
		}
		at := time.Unix(c.expiresAt, 0)
		if !at.After(now) {
			return time.Time{}, cli.UsageError("--expires-at %d is %s, which is in the past: the URL would never work",
				c.expiresAt, at.UTC().Format(time.RFC3339))
		}
		return at, nil
	}
	return time.Time{}, cli.UsageError("url needs --expires DURATION or --expires-at UNIX")
}

// presignOptions checks the method and the headers that go with it.
func (c *urlCmd) presignOptions() (ks3.PresignOptions, error) {
	c.method = strings.ToUpper(c.method)
	var opts ks3.PresignOptions
	switch c.method {
	case "GET", "HEAD", "DELETE":
		if c.contentType != "" {
			return opts, cli.UsageError("--content-type applies to --method PUT")
		}
	case "PUT":
		if c.responseType != "" || c.contentDisposition != "" {
			return opts, cli.UsageError("--response-* flags apply to GET and HEAD")
		}
		if c.contentType != "" {
			opts.Headers = map[string]string{"Content-Type": c.contentType}
		}
		return opts, nil
	default:
		return opts, cli.UsageError("--method %q is not one of GET, PUT, HEAD, DELETE", c.method)
	}
	if c.responseType != "" || c.contentDisposition != "" {
		if c.method == "DELETE" {
			return opts, cli.UsageError("--response-* flags apply to GET and HEAD")
		}
		opts.ResponseHeaders = map[string]string{}
		if c.responseType != "" {
			opts.ResponseHeaders["response-content-type"] = c.responseType
		}
		if c.contentDisposition != "" {
			opts.ResponseHeaders["response-content-disposition"] = c.contentDisposition
		}
	}
	return opts, nil
}
