package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ks3sync/ks3sync/config"
	"github.com/ks3sync/ks3sync/internal/lockfile"
	"github.com/ks3sync/ks3sync/planner"
	"github.com/ks3sync/ks3sync/state"
)

// syncFlags are the options of `ks3sync sync SRC DST`: the pair options
// that make sense on a command line, and run's output flags.
type syncFlags struct {
	run              runFlags
	delete           bool
	encryptKey       string
	include, exclude []string
	transfers        int
	keepMode         bool
	keepEmptyFolders bool
}

// uriScheme starts the remote argument of sync: ks3://BUCKET[/PREFIX].
const uriScheme = "ks3://"

func newSyncCmd(a *app) *cobra.Command {
	var f syncFlags
	cmd := &cobra.Command{
		Use:   "sync SRC DST [--delete] [--dry-run] [--encrypt-key FILE] [--include GLOB]... [--exclude GLOB]... [--transfers N] [--bandwidth RATE]",
		Short: "Sync a folder and a bucket prefix once, without a config file",
		Long: `sync makes DST follow SRC once, with the engine of run. One side is a local
folder, the other ks3://BUCKET[/PREFIX]: a folder first pushes it to the
bucket, ks3://... first pulls the bucket into the folder (created if
missing).

Nothing is deleted on DST unless --delete is given; then what is gone
from SRC since the last sync of this pair is deleted on DST, within
--max-delete (default 50% of the files). The endpoint and credentials come
from --endpoint, --access-key/--secret-key, KS3_ACCESS_KEY/KS3_SECRET_KEY or
the config file, as for the tool commands (the built-in pair of a local
'ks3sync serve' works the same way); no pair needs to be configured.

What was synced is remembered in a state database of its own in the
per-user state folder, named after the pair (a hash of the endpoint,
bucket, prefix and absolute folder), so a second sync of the same pair
transfers only what changed. Overwritten and deleted objects are kept in
the prefix's version history for 30 days, as for a configured pair.

Exit codes: 0 all done, 1 some items failed, or the pass failed or was
refused, 2 usage or configuration error, 3 interrupted.`,
		Example: `  ks3sync sync ./photos ks3://my-bucket/photos
  ks3sync sync ks3://my-bucket/photos ./photos --delete --dry-run
  ks3sync sync ./docs ks3://my-bucket/docs --exclude '*.tmp' --encrypt-key docs.key`,
		Args: exactArgs(2, "SRC and DST: a folder and ks3://BUCKET[/PREFIX], in either order"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.syncAdHoc(cmd, args[0], args[1], f)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.delete, "delete", false, "delete on DST what was deleted from SRC since the last sync of this pair")
	fl.BoolVar(&f.run.dryRun, "dry-run", false, "print the plan; change nothing on either side")
	fl.StringVar(&f.encryptKey, "encrypt-key", "", "encrypt uploads and decrypt downloads with this key file (see 'ks3sync keygen')")
	fl.StringArrayVar(&f.include, "include", nil, "sync only paths matching this glob (repeatable)")
	fl.StringArrayVar(&f.exclude, "exclude", nil, "skip paths matching this glob (repeatable)")
	fl.IntVar(&f.transfers, "transfers", 0, "files in flight at once, 1..256 (default: the config's transfers, else 4)")
	fl.String("bandwidth", "", "limit transfers to this rate in bytes per second, e.g. 10MiB (default: the config's bandwidth)")
	fl.BoolVar(&f.keepMode, "keep-mode", false, "store each file's Unix mode in its object and restore it on download (keep_mode)")
	fl.BoolVar(&f.keepEmptyFolders, "keep-empty-folders", false, "sync empty folders as zero-byte folder/ objects (keep_empty_folders)")
	fl.BoolVar(&f.run.json, "json", false, "print one JSON object per event")
	fl.BoolVar(&f.run.noProgress, "no-progress", false, "no progress display, even on a terminal")
	fl.StringVar(&f.run.maxDelete, "max-delete", "", "with --delete, the most files one pass may delete: a count, or a percentage such as 100% (default 50%)")
	fl.StringVar(&f.run.maxOverwrite, "max-overwrite", "", "the most existing objects one pass may overwrite when history is off: a count or a percentage")
	return cmd
}

// syncAdHoc runs `ks3sync sync SRC DST`.
func (a *app) syncAdHoc(cmd *cobra.Command, src, dst string, f syncFlags) error {
	if cmd.Flags().Changed("transfers") {
		if f.transfers < 1 || f.transfers > 256 {
			return usageError("--transfers: %d is outside 1..256", f.transfers)
		}
		a.cfg.Transfers = f.transfers
	}
	p, err := a.adHocPair(src, dst, f)
	if err != nil {
		return err
	}
	a.adHocCommand = syncCommandLine(cmd, src, dst)
	rep := a.runReporter(cmd, f.run)
	defer rep.close()
	ctx := cmd.Context()
	if err := checkOverrides(f.run); err != nil {
		return err
	}
	db, err := a.openAdHocState(ctx, p, f.run.dryRun)
	if err != nil {
		return err
	}
	client, err := a.client(ctx, false)
	if err != nil {
		return err
	}
	return a.syncPairs(ctx, client, db, []config.Pair{p}, f.run, rep)
}

// checkOverrides checks run's --max-delete and --max-overwrite.
func checkOverrides(f runFlags) error {
	if f.maxDelete != "" {
		if _, err := planner.ParseMaxDelete(f.maxDelete); err != nil {
			return usageError("--max-delete: %v", err)
		}
	}
	if _, err := planner.ParseMaxOverwrite(f.maxOverwrite); err != nil {
		return usageError("--max-overwrite: %v", err)
	}
	return nil
}

// adHocPair builds the pair of `sync SRC DST` and validates it like a
// configured one.
func (a *app) adHocPair(src, dst string, f syncFlags) (config.Pair, error) {
	srcRemote, dstRemote := isRemoteArg(src), isRemoteArg(dst)
	var local, remote, direction string
	switch {
	case srcRemote && dstRemote:
		return config.Pair{}, usageError("sync: %s and %s are both buckets; one side must be a local folder", src, dst)
	case !srcRemote && !dstRemote:
		return config.Pair{}, usageError("sync: %s and %s are both local; one side must be ks3://BUCKET[/PREFIX]", src, dst)
	case srcRemote:
		local, remote, direction = dst, src, "pull"
	default:
		local, remote, direction = src, dst, "push"
	}
	bucket, prefix, err := splitRemote(remote)
	if err != nil {
		return config.Pair{}, err
	}
	abs, err := filepath.Abs(local)
	if err != nil {
		return config.Pair{}, usageError("sync: %s: %v", local, err)
	}
	if err := checkLocalArg(abs, direction); err != nil {
		return config.Pair{}, err
	}
	p := config.Pair{
		Name: adHocPairName(a.cfg.Endpoint, bucket, prefix, abs), Local: abs, Bucket: bucket, Prefix: prefix,
		Direction: direction, Delete: "keep", Include: f.include, Exclude: f.exclude, KeepMode: f.keepMode,
		KeepEmptyFolders: f.keepEmptyFolders,
	}
	if f.delete {
		p.Delete = "propagate"
	}
	if f.encryptKey != "" {
		p.Encryption.KeyFile = f.encryptKey
	}
	if err := config.CheckPair(&p, "sync", func(w string) { a.log.Warn().Msg(w) }); err != nil {
		return config.Pair{}, usageError("%v", err)
	}
	return p, nil
}

// isRemoteArg reports whether an argument of sync names a bucket.
func isRemoteArg(arg string) bool {
	return len(arg) >= len(uriScheme) && strings.EqualFold(arg[:len(uriScheme)], uriScheme)
}

// splitRemote parses ks3://BUCKET[/PREFIX] into the bucket and the pair's
// prefix ("" or ending in "/").
func splitRemote(arg string) (bucket, prefix string, err error) {
	bucket, prefix, _ = strings.Cut(arg[len(uriScheme):], "/")
	if bucket == "" {
		return "", "", usageError("sync: %q names no bucket; want ks3://BUCKET[/PREFIX]", arg)
	}
	if strings.HasPrefix(prefix, "/") {
		return "", "", usageError("sync: %q: the prefix must not start with '/'", arg)
	}
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	return bucket, prefix, nil
}

// checkLocalArg refuses a local side that is not a folder: a file, or
// (for a push, which reads it) nothing at all.
func checkLocalArg(abs, direction string) error {
	fi, err := os.Stat(abs)
	switch {
	case err == nil && !fi.IsDir():
		return usageError("sync: %s is not a folder", abs)
	case errors.Is(err, os.ErrNotExist) && direction == "push":
		return usageError("sync: the folder %s does not exist", abs)
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return usageError("sync: %v", err)
	}
	return nil
}

// adHocPairName names the pair of a sync: "sync-" and a hash of where it
// syncs, so the same folder and prefix find their state again.
func adHocPairName(endpoint, bucket, prefix, abs string) string {
	sum := sha256.Sum256([]byte(strings.Join([]string{endpoint, bucket, prefix, abs}, "\x00")))
	return "sync-" + hex.EncodeToString(sum[:8])
}

// adHocStatePath is the state database of an ad-hoc pair: one per pair in
// the per-user state folder, beside the daemon's.
func adHocStatePath(pair string) string {
	return filepath.Join(filepath.Dir(config.DefaultStatePath()), "sync", pair+".db")
}

// openAdHocState opens the pair's state database (closed with the app),
// after taking its lock unless the pass only reads.
func (a *app) openAdHocState(ctx context.Context, p config.Pair, readOnly bool) (*state.DB, error) {
	path := adHocStatePath(p.Name)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, usageError("state: %v", err)
	}
	if !readOnly {
		lock, err := lockfile.Acquire(path + ".lock")
		if errors.Is(err, lockfile.ErrLocked) {
			return nil, fmt.Errorf("another ks3sync sync of %s and ks3://%s/%s is running; wait for it to finish", p.Local, p.Bucket, p.Prefix)
		} else if err != nil {
			return nil, err
		}
		a.closers = append(a.closers, func() { lock.Release() })
	}
	db, err := state.Open(path)
	if err != nil {
		return nil, usageError("state %s: %v", path, err)
	}
	a.closers = append(a.closers, func() { db.Close() })
	a.log.Debug().Str("pair", p.Name).Str("state", path).Msg("ad-hoc pair")
	return db, nil
}

// syncCommandLine is the sync command that reruns this pass, for the
// message of a refused pass (which appends the override).
func syncCommandLine(cmd *cobra.Command, src, dst string) string {
	parts := []string{"ks3sync"}
	if f := cmd.Flags().Lookup("config"); f != nil && f.Changed {
		parts = append(parts, "--config", shellQuote(f.Value.String()))
	}
	if f := cmd.Flags().Lookup("endpoint"); f != nil && f.Changed {
		parts = append(parts, "--endpoint", shellQuote(f.Value.String()))
	}
	parts = append(parts, "sync", shellQuote(src), shellQuote(dst))
	for _, name := range []string{"delete", "keep-mode", "keep-empty-folders"} {
		if f := cmd.Flags().Lookup(name); f != nil && f.Changed {
			parts = append(parts, "--"+name)
		}
	}
	for _, name := range []string{"encrypt-key", "transfers"} {
		if f := cmd.Flags().Lookup(name); f != nil && f.Changed {
			parts = append(parts, "--"+name, shellQuote(f.Value.String()))
		}
	}
	for _, name := range []string{"include", "exclude"} {
		vals, _ := cmd.Flags().GetStringArray(name)
		for _, v := range vals {
			parts = append(parts, "--"+name, shellQuote(v))
		}
	}
	return strings.Join(parts, " ")
}
