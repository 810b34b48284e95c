package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/spf13/cobra"

	"github.com/ks3sync/ks3sync/ks3server"
	"github.com/ks3sync/ks3sync/ks3server/faults"
	"github.com/ks3sync/ks3sync/ks3server/handlers"
)

// faultsEnv holds a fault specification for serve when --faults is not
// given.
const faultsEnv = "KS3SYNC_FAULTS"

// serveFlags are the options of serve.
type serveFlags struct {
	root, addr, faults    string
	noFsync, privateHooks bool
	imports               []string // BUCKET=FOLDER
}

func newServeCmd(a *app) *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve --root DIR [--addr 127.0.0.1:9000]",
		Short: "Run a KS3-compatible server over a local folder",
		Long: `serve runs a KS3-compatible object server that stores its buckets in DIR:
metadata in SQLite, object bytes in files (small objects inside the
database). It verifies KSS signatures (and presigned URLs, and AWS signatures
for S3 tools) like KS3 does, so ks3sync, the KS3 SDKs and S3 tools can use it
as an endpoint. An upload answered 200 is on disk: it survives a crash of the
server and a power loss (see --no-fsync).

It accepts the credentials given with --access-key and --secret-key,
KS3_ACCESS_KEY/KS3_SECRET_KEY, or the config file. Without any, it accepts
the embedded store's built-in key pair, which it prints, and then only on a
loopback address: to listen anywhere else, configure keys.

It listens on loopback unless --addr names another address.

Seeding: --import BUCKET=FOLDER (repeatable) loads an existing folder tree
into BUCKET (created if missing) before serving: every regular file becomes
the object named by its path under FOLDER. Files up to 64 KiB are copied into
the database, larger ones hard-linked (copied across file systems), and the
objects are committed in batches of 10,000, so a million files take minutes.
A hard-linked object shares its bytes with the file: replace imported files
rather than editing them in place. Symbolic links, special files and names
that cannot be keys are skipped and counted.

Testing failures: --faults SPEC (or the ` + faultsEnv + ` environment variable)
makes the server fail requests on purpose, so that clients can rehearse
errors, resets, slow answers and a server that never answers.

` + faults.SpecHelp,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd.Context(), cmd.OutOrStdout(), a, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.root, "root", "", "folder that holds the buckets (created if missing)")
	fl.StringVar(&f.addr, "addr", "127.0.0.1:9000", "address to listen on")
	fl.BoolVar(&f.noFsync, "no-fsync", false, "do not flush uploads to disk before answering (for benchmarks and scratch stores): "+
		"a crash of the server loses nothing, but after a power loss or OS crash, uploads answered before it "+
		"(as far back as the OS delays writes, often 30 seconds) may be missing, back at their previous version, or truncated")
	fl.BoolVar(&f.privateHooks, "allow-private-callbacks", false, "let upload callbacks (x-kss-callbackurl) reach loopback, private "+
		"and link-local addresses, which they are refused by default")
	fl.StringVar(&f.faults, "faults", "", "fail requests on purpose, as SPEC says (see above; default $"+faultsEnv+")")
	fl.StringArrayVar(&f.imports, "import", nil, "load folder FOLDER into bucket BUCKET before serving, as BUCKET=FOLDER (repeatable)")
	return cmd
}

// runServe serves until ctx is done.
func runServe(ctx context.Context, out io.Writer, a *app, f serveFlags) error {
	if f.root == "" {
		return usageError("serve needs --root DIR")
	}
	imports, err := parseImports(f.imports)
	if err != nil {
		return err
	}
	ak, sk, builtin, err := serveCredentials(a)
	if err != nil {
		return err
	}
	injector, err := serveFaults(f.faults)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return usageError("listen on %s: %v", f.addr, err)
	}
	defer ln.Close()
	if builtin && !isLoopback(ln.Addr()) {
		return usageError("serve accepts its built-in key pair only on a loopback address, and --addr %s listens on %s: "+
			"configure keys with --access-key and --secret-key, KS3_ACCESS_KEY and KS3_SECRET_KEY, or access_key and secret_key in the config file",
			f.addr, ln.Addr())
	}
	opts := ks3server.Options{
		Root:                  f.root,
		Credentials:           map[string]string{ak: sk},
		Logger:                a.log, // the server scopes it as component=ks3server
		NoSync:                f.noFsync,
		AllowPrivateCallbacks: f.privateHooks,
	}
	if injector != nil {
		opts.Interceptor = injector
	}
	srv, err := ks3server.New(opts)
	if err != nil {
		return err
	}
	defer srv.Close()
	if err := importFolders(ctx, out, srv, imports); err != nil {
		return err
	}
	printServing(out, ln.Addr(), f.root, ak, sk, builtin, injector != nil)
	err = srv.Serve(ctx, ln)
	if ctx.Err() != nil {
		return nil // stopped by a signal: a clean shutdown
	}
	return err
}

// serveCredentials returns the key pair serve accepts: the configured one,
// or the built-in pair (builtin) when none is configured.
func serveCredentials(a *app) (ak, sk string, builtin bool, err error) {
	ak, sk = a.cfg.AccessKey, a.cfg.SecretKey
	switch {
	case ak == "" && sk == "":
		return localAccessKey, localSecretKey, true, nil
	case ak == "" || sk == "":
		return "", "", false, usageError("serve needs both an access key and a secret key")
	}
	return ak, sk, false, nil
}

// serveFaults returns the fault injector that spec (or $KS3SYNC_FAULTS when
// spec is empty) asks for, or nil for none.
func serveFaults(spec string) (*faults.Injector, error) {
	source := "--faults"
	if spec == "" {
		spec, source = os.Getenv(faultsEnv), faultsEnv
	}
	if spec == "" {
		return nil, nil
	}
	rules, err := faults.Parse(spec, handlers.Operations())
	if err != nil {
		return nil, usageError("%s: %v", source, err)
	}
	return faults.New(rules...), nil
}

// folderImport is one --import: a folder and the bucket it goes into.
type folderImport struct{ bucket, dir string }

// parseImports reads the BUCKET=FOLDER values of --import.
func parseImports(values []string) ([]folderImport, error) {
	out := make([]folderImport, 0, len(values))
	for _, v := range values {
		bucket, dir, ok := strings.Cut(v, "=")
		if !ok || bucket == "" || dir == "" {
			return nil, usageError("--import %q: want BUCKET=FOLDER", v)
		}
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return nil, usageError("--import %q: %s is not a folder", v, dir)
		}
		out = append(out, folderImport{bucket: bucket, dir: dir})
	}
	return out, nil
}

// importFolders runs the imports in order and reports each.
func importFolders(ctx context.Context, out io.Writer, srv *ks3server.Server, imports []folderImport) error {
	for _, im := range imports {
		start := time.Now()
		sum, err := srv.Import(ctx, im.bucket, im.dir)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "ks3sync serve: imported %d objects (%s) from %s into %s in %s\n",
			sum.Objects, humanize.IBytes(uint64(sum.Bytes)), im.dir, im.bucket, time.Since(start).Round(time.Millisecond))
		if sum.Skipped > 0 {
			fmt.Fprintf(out, "ks3sync serve: skipped %d entries that are no regular file or no valid key, such as %s\n",
				sum.Skipped, strings.Join(sum.SkippedPaths, ", "))
		}
	}
	return nil
}

// isLoopback reports whether a listener's address is a loopback address.
func isLoopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// printServing tells where the server listens, and the built-in key pair
// when it accepts that: tools pointed at it with --endpoint need both.
func printServing(out io.Writer, addr net.Addr, root, ak, sk string, builtin, faulty bool) {
	fmt.Fprintf(out, "ks3sync serve: listening on http://%s (root %s, access key %s)\n", addr, root, ak)
	if builtin {
		fmt.Fprintf(out, "ks3sync serve: no keys configured; accepting the built-in pair on loopback only:\n"+
			"  KS3_ACCESS_KEY=%s\n  KS3_SECRET_KEY=%s\n", ak, sk)
	}
	if faulty {
		fmt.Fprintln(out, "ks3sync serve: injecting faults: some requests will fail on purpose")
	}
}
