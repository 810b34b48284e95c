package main

import (
	"fmt"
	"net"

	"github.com/spf13/cobra"

	"github.com/ks3sync/ks3sync/ks3server"
)

func newServeCmd(a *app) *cobra.Command {
	var (
		root, addr string
		noFsync    bool
	)
	cmd := &cobra.Command{
		Use:   "serve --root DIR [--addr 127.0.0.1:9000]",
		Short: "Run a KS3-compatible server over a local folder",
		Long: `serve runs a KS3-compatible object server that stores its buckets in DIR:
object bytes as files, metadata in SQLite. It verifies KSS signatures (and
presigned URLs) like KS3 does, so ks3sync, the KS3 SDKs and S3 tools can use
it as an endpoint. It accepts the credentials given with --access-key and
--secret-key, KS3_ACCESS_KEY/KS3_SECRET_KEY, or the config file; without any,
it accepts the embedded store's fixed local key pair.

It listens on loopback unless --addr names another address.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if root == "" {
				return usageError("serve needs --root DIR")
			}
			ak, sk := a.cfg.AccessKey, a.cfg.SecretKey
			if ak == "" && sk == "" {
				ak, sk = localAccessKey, localSecretKey
			} else if ak == "" || sk == "" {
				return usageError("serve needs both an access key and a secret key")
			}
			srv, err := ks3server.New(ks3server.Options{
				Root:        root,
				Credentials: map[string]string{ak: sk},
				Logger:      a.log.With().Str("component", "serve").Logger(),
				NoSync:      noFsync,
			})
			if err != nil {
				return err
			}
			defer srv.Close()
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return usageError("listen on %s: %v", addr, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "ks3sync serve: listening on http://%s (root %s, access key %s)\n", ln.Addr(), root, ak)
			err = srv.Serve(cmd.Context(), ln)
			if cmd.Context().Err() != nil {
				return nil // stopped by a signal: a clean shutdown
			}
			return err
		},
	}
	cmd.Flags().StringVar(&root, "root", "", "folder that holds the buckets (created if missing)")
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:9000", "address to listen on")
	cmd.Flags().BoolVar(&noFsync, "no-fsync", false, "do not fsync object data (for benchmarks and tests: uploads survive a crash of the server, not a power loss)")
	return cmd
}
