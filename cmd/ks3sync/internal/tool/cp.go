package tool

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/cli"
	"github.com/ks3sync/ks3sync/config"
	ks3crypto "github.com/ks3sync/ks3sync/crypto"
	"github.com/ks3sync/ks3sync/ks3"
)

// cpKind is the direction of a cp.
type cpKind int

const (
	cpUpload         cpKind = iota // local file or folder -> ks3
	cpUploadStdin                  // - -> ks3
	cpDownload                     // ks3 -> local file or folder
	cpDownloadStdout               // ks3 -> -
	cpCopy                         // ks3 -> ks3, on the server
)

// cpFlags are the options of cp.
type cpFlags struct {
	recursive    bool
	quiet        bool
	noProgress   bool
	storageClass string
	acl          string
	contentType  string
	meta         []string
	callbackURL  string
	callbackBody string
	callbackVars []string
	encryptKey   string
	threshold    string
	partSize     string
}

type cpCmd struct {
	env Env
	f   cpFlags
}

func newCpCmd(env Env) *cobra.Command {
	c := &cpCmd{env: env}
	cmd := &cobra.Command{
		Use:   "cp SRC DST [-r] [--encrypt-key FILE] [--storage-class C] [--acl A] [--meta K=V]...",
		Short: "Copy files to, from and within KS3",
		Long:  cpLong,
		Example: `  ks3sync cp report.pdf ks3://my-bucket/docs/
  ks3sync cp ks3://my-bucket/docs/report.pdf .
  ks3sync cp -r ./photos ks3://my-bucket/photos --storage-class STANDARD_IA
  ks3sync cp -r ks3://my-bucket/photos ./restore
  ks3sync cp --encrypt-key ~/.ks3sync/key secret.db ks3://my-bucket/secret.db
  ks3sync cp ks3://my-bucket/a.txt ks3://other-bucket/b.txt --meta owner=alice
  tar cz ./src | ks3sync cp - ks3://my-bucket/src.tar.gz
  ks3sync cp ks3://my-bucket/src.tar.gz - | tar xz`,
		Args: cli.ExactArgs(2, "SRC and DST"),
		RunE: toolRunE(c.run),
	}
	f := cmd.Flags()
	f.BoolVarP(&c.f.recursive, "recursive", "r", false, "copy a folder: every file under it, or every object under a prefix")
	f.BoolVarP(&c.f.quiet, "quiet", "q", false, "print nothing but errors")
	f.BoolVar(&c.f.noProgress, "no-progress", false, "no progress bar, even on a terminal")
	f.StringVar(&c.f.storageClass, "storage-class", "", "storage class of new objects, e.g. STANDARD or STANDARD_IA")
	f.StringVar(&c.f.acl, "acl", "", "canned ACL of new objects: private, public-read or public-read-write")
	f.StringVar(&c.f.contentType, "content-type", "", "Content-Type of new objects (default: guessed from the file name)")
	f.StringArrayVar(&c.f.meta, "meta", nil, "user metadata NAME=VALUE (x-kss-meta-NAME), repeatable; on a copy it replaces the source's")
	f.StringVar(&c.f.callbackURL, "callback-url", "", "URL the service POSTs to once an upload is stored (needs --callback-body)")
	f.StringVar(&c.f.callbackBody, "callback-body", "", "callback body template, e.g. 'key=${key}&etag=${etag}&user=${kss-user}'")
	f.StringArrayVar(&c.f.callbackVars, "callback-var", nil, "custom callback variable NAME=VALUE for ${kss-NAME}, repeatable")
	f.StringVar(&c.f.encryptKey, "encrypt-key", "", "key FILE for KS3 SDK client-side encryption: encrypt uploads, decrypt downloads")
	f.StringVar(&c.f.threshold, "multipart-threshold", "", "largest size sent as one PUT, e.g. 64MiB (default: multipart_threshold in the config)")
	f.StringVar(&c.f.partSize, "part-size", "", "multipart part size, e.g. 8MiB (default: part_size in the config)")
	// Read by the host when it makes the client (Env.Client), which keeps
	// every transfer to it.
	f.String("bandwidth", "", "limit transfers to this many bytes per second, e.g. 10MiB (default: bandwidth in the config)")
	return cmd
}

const cpLong = `cp copies one file or object, or with -r a whole folder:

  cp FILE ks3://BUCKET/KEY        upload (ks3://BUCKET/DIR/ or ks3://BUCKET
                                  keeps the file's name: DIR/FILE)
  cp ks3://BUCKET/KEY FILE|DIR    download (into DIR under the key's name)
  cp ks3://B1/KEY ks3://B2/KEY2   server-side copy, no data through this machine
  cp -r DIR ks3://BUCKET/PREFIX   upload every file under DIR as PREFIX/REL/PATH
  cp -r ks3://BUCKET/PREFIX DIR   download every object under PREFIX/ into DIR
  cp - ks3://BUCKET/KEY           upload stdin
  cp ks3://BUCKET/KEY -           download to stdout

Uploads up to the multipart threshold (multipart_threshold in the config,
64 MiB by default, or --multipart-threshold) are one PUT with Content-MD5;
larger files go in parts, several at a time (transfers in the config). Every
upload records the file's modification time and the MD5 of its content as
x-kss-meta-mtime and x-kss-meta-md5, which downloads and ks3sync run use. A
file that changes while it is uploaded is reported as failed.

Downloads go to a temporary file in the target folder, are checked against
the object's MD5 (x-kss-meta-md5, the SDK's unencrypted-content-md5, or a
plain ETag) and CRC-64, synced to disk and renamed into place, and get the
recorded modification time. Nothing is left behind when a check fails.

--encrypt-key FILE encrypts uploads the way the KS3 SDK does (AES-128-CBC,
compatible in both directions, also for multipart uploads, whose parts then go
in order) and decrypts downloads. An encrypted object cannot be downloaded
without its key, and the wrong key is refused before anything is written.

Stdin is buffered up to the multipart threshold; a longer stream is sent as a
multipart upload while it is read (without x-kss-meta-md5, which is only known
at the end). A server-side copy keeps the source's metadata, unless --meta or
--content-type is given: then they replace it (the encryption metadata and
ks3sync's mtime and md5 are kept, so the copy stays readable).

--callback-url asks the service to POST the --callback-body template, filled
in (${bucket}, ${key}, ${etag}, ${objectSize}, ${mimeType}, ${createTime},
and ${kss-NAME} from --callback-var), to that URL once an upload is stored.
The application server must answer HTTP 200 with the JSON body
{"result":true} for the upload to count as done; {"result":false}, another
answer or none in time fails it (CallbackFail or CallbackTimeout), and cp
reports the upload as failed.

Local names follow the folder's file name rules, as sync does: where Windows
rules apply (Windows, FAT and exFAT), a key such as "a:b" is written "a：b"
and uploaded back as "a:b", and on a case-insensitive folder a key whose
local name another key already has is refused instead of overwriting it.

Transfers keep to bandwidth in the config, or --bandwidth, in bytes per
second across all files.

With -r, files go several at a time; each is printed when done and failures
are listed on stderr (exit code 1). Keys that would land outside the target
folder on download ("..", absolute paths) are refused. Symbolic links are
skipped on upload.`

func (c *cpCmd) run(cmd *cobra.Command, args []string) error {
	src, dst := args[0], args[1]
	kind, err := classifyCp(src, dst)
	if err != nil {
		return err
	}
	if err := c.f.check(kind); err != nil {
		return err
	}
	ctx := cmd.Context()
	t, err := c.newCopier(ctx, cmd)
	if err != nil {
		return err
	}
	switch kind {
	case cpUpload:
		return c.upload(ctx, t, src, dst)
	case cpUploadStdin:
		return c.uploadStdin(ctx, t, cmd, dst)
	case cpDownload:
		return c.download(ctx, t, src, dst)
	case cpDownloadStdout:
		return c.downloadStdout(ctx, t, cmd, src)
	default:
		return c.copy(ctx, t, src, dst)
	}
}

// classifyCp tells the direction of a cp from its arguments.
func classifyCp(src, dst string) (cpKind, error) {
	srcRemote, dstRemote := isRemote(src), isRemote(dst)
	switch {
	case src == "-" && dst == "-":
		return 0, cli.UsageError("cp cannot copy stdin to stdout")
	case src == "-" && dstRemote:
		return cpUploadStdin, nil
	case src == "-":
		return 0, cli.UsageError("cp copies stdin only to a ks3:// destination")
	case dst == "-" && srcRemote:
		return cpDownloadStdout, nil
	case dst == "-":
		return 0, cli.UsageError("cp copies only a ks3:// source to stdout")
	case srcRemote && dstRemote:
		return cpCopy, nil
	case srcRemote:
		return cpDownload, nil
	case dstRemote:
		return cpUpload, nil
	}
	return 0, cli.UsageError("one of SRC and DST must be a ks3:// URI (cp does not copy between local paths)")
}

// check refuses flags that do not apply to the direction, and malformed
// values.
func (f *cpFlags) check(kind cpKind) error {
	attrs := []struct {
		name       string
		set        bool
		uploadOnly bool // not for server-side copies either
	}{
		{"--storage-class", f.storageClass != "", false}, {"--acl", f.acl != "", false},
		{"--meta", len(f.meta) > 0, false}, {"--content-type", f.contentType != "", false},
		{"--callback-url", f.callbackURL != "", true}, {"--callback-body", f.callbackBody != "", true},
		{"--callback-var", len(f.callbackVars) > 0, true},
		{"--multipart-threshold", f.threshold != "", true}, {"--part-size", f.partSize != "", true},
	}
	for _, a := range attrs {
		switch {
		case !a.set:
		case kind == cpDownload || kind == cpDownloadStdout:
			return cli.UsageError("%s applies to uploads and copies, not to downloads", a.name)
		case kind == cpCopy && a.uploadOnly:
			return cli.UsageError("%s applies to uploads, not to server-side copies", a.name)
		}
	}
	switch {
	case kind == cpCopy && f.encryptKey != "":
		return cli.UsageError("a server-side copy keeps the bytes as they are: --encrypt-key applies to uploads and downloads")
	case f.recursive && (kind == cpUploadStdin || kind == cpDownloadStdout):
		return cli.UsageError("-r does not apply to stdin or stdout")
	case (f.callbackURL == "") != (f.callbackBody == ""):
		return cli.UsageError("--callback-url and --callback-body go together")
	case len(f.callbackVars) > 0 && f.callbackURL == "":
		return cli.UsageError("--callback-var needs --callback-url and --callback-body")
	}
	return checkCannedACL("--acl", f.acl)
}

// newCopier parses the flag values and connects.
func (c *cpCmd) newCopier(ctx context.Context, cmd *cobra.Command) (*copier, error) {
	meta, err := parseUserMeta(c.f.meta)
	if err != nil {
		return nil, err
	}
	vars, err := parsePairs("--callback-var", c.f.callbackVars)
	if err != nil {
		return nil, err
	}
	set := c.env.Settings()
	t := &copier{
		userMeta: meta,
		put: ks3.PutOptions{ContentType: c.f.contentType, StorageClass: c.f.storageClass, ACL: c.f.acl,
			CallbackURL: c.f.callbackURL, CallbackBody: c.f.callbackBody, CallbackVars: vars},
		threshold:    set.MultipartThreshold,
		partSize:     set.PartSize,
		transfers:    set.Transfers,
		nameRules:    set.NameRules,
		log:          newItemLog(cmd.OutOrStdout(), cmd.ErrOrStderr(), c.f.quiet),
		errw:         cmd.ErrOrStderr(),
		showProgress: !c.f.quiet && !c.f.noProgress,
	}
	if err := c.f.sizes(t); err != nil {
		return nil, err
	}
	if c.f.encryptKey != "" {
		key, err := ks3crypto.LoadKey(c.f.encryptKey)
		if err != nil {
			return nil, &cli.ExitError{Code: cli.ExitUsage, Err: fmt.Errorf("--encrypt-key: %w", err)}
		}
		t.key = &key
	}
	if t.cl, err = c.env.Client(ctx); err != nil {
		return nil, err
	}
	return t, nil
}

// sizes applies --multipart-threshold and --part-size over the config, and
// the defaults.
func (f *cpFlags) sizes(t *copier) error {
	for _, s := range []struct {
		flag, text string
		dst        *int64
	}{{"--multipart-threshold", f.threshold, &t.threshold}, {"--part-size", f.partSize, &t.partSize}} {
		if s.text == "" {
			continue
		}
		v, err := config.ParseSize(s.text)
		if err != nil {
			return cli.UsageError("%s: %v", s.flag, err)
		}
		if v < ks3.MinPartSize || v > ks3.MaxPartSize {
			return cli.UsageError("%s %s is outside 100KiB..5GiB", s.flag, s.text)
		}
		*s.dst = int64(v)
	}
	if t.threshold <= 0 {
		t.threshold = ks3.DefaultThreshold
	}
	if t.transfers <= 0 {
		t.transfers = ks3.DefaultConcurrency
	}
	return nil
}

// upload copies a local file, or with -r a folder, to ks3.
func (c *cpCmd) upload(ctx context.Context, t *copier, src, dst string) error {
	u, err := parseURI(dst)
	if err != nil {
		return err
	}
	fi, err := os.Stat(src)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		if !c.f.recursive {
			return cli.UsageError("%s is a folder: use cp -r to copy everything in it", src)
		}
		jobs, err := t.uploadFolderJobs(src, u)
		if err != nil {
			return err
		}
		return t.runJobs(ctx, jobs, "files")
	}
	target := u.with(uploadKey(u, src))
	t.startBar(fi.Size(), "upload")
	if err := t.uploadFile(ctx, src, target); err != nil {
		return err
	}
	t.finishBar()
	t.log.ok("upload: " + src + " -> " + target.String())
	return nil
}

// uploadKey is the key an upload of the local file path to u goes to: u's
// key, or for a folder (ks3://b/dir/ or ks3://b) the file's name in it.
func uploadKey(u ks3URI, path string) string {
	if u.isFolder() {
		return u.Key + normalizeKey(filepath.Base(path))
	}
	return u.Key
}

func (c *cpCmd) uploadStdin(ctx context.Context, t *copier, cmd *cobra.Command, dst string) error {
	u, err := parseURI(dst)
	if err != nil {
		return err
	}
	if u.isFolder() {
		return cli.UsageError("cp - needs the object's key: ks3://%s/KEY", u.Bucket)
	}
	if err := t.uploadStdin(ctx, cmd.InOrStdin(), u); err != nil {
		return err
	}
	t.log.ok("upload: - -> " + u.String())
	return nil
}

// remoteSource parses the source of a download or copy; without -r it must
// name one object.
func (c *cpCmd) remoteSource(src string) (ks3URI, error) {
	u, err := parseURI(src)
	if err != nil {
		return u, err
	}
	if !c.f.recursive && u.isFolder() {
		return u, cli.UsageError("%s names a folder, not an object: use cp -r to copy everything under it", u)
	}
	return u, nil
}

// download copies an object, or with -r every object under a prefix, to
// the local disk.
func (c *cpCmd) download(ctx context.Context, t *copier, src, dst string) error {
	u, err := c.remoteSource(src)
	if err != nil {
		return err
	}
	if c.f.recursive {
		jobs, err := t.downloadPrefixJobs(ctx, u, dst)
		if err != nil {
			return err
		}
		return t.runJobs(ctx, jobs, "objects")
	}
	target, err := downloadPath(dst, u.Key)
	if err != nil {
		return err
	}
	if err := t.downloadFile(ctx, u, target, true); err != nil {
		return err
	}
	t.finishBar()
	t.log.ok("download: " + u.String() + " -> " + target)
	return nil
}

// downloadPath is where a download of key to dst goes: dst itself, or when
// dst is a folder (an existing one, or a path ending in a separator) the
// key's base name in it.
func downloadPath(dst, key string) (string, error) {
	isDir := strings.HasSuffix(dst, "/") || strings.HasSuffix(dst, string(filepath.Separator))
	if fi, err := os.Stat(dst); err == nil && fi.IsDir() {
		isDir = true
	}
	if !isDir {
		return dst, nil
	}
	return localPathFor(dst, baseName(key))
}

func (c *cpCmd) downloadStdout(ctx context.Context, t *copier, cmd *cobra.Command, src string) error {
	u, err := parseURI(src)
	if err != nil {
		return err
	}
	if u.isFolder() {
		return cli.UsageError("%s names a folder, not an object", u)
	}
	return t.downloadTo(ctx, u, cmd.OutOrStdout())
}

// copy copies an object, or with -r every object under a prefix, on the
// server.
func (c *cpCmd) copy(ctx context.Context, t *copier, src, dst string) error {
	s, err := c.remoteSource(src)
	if err != nil {
		return err
	}
	d, err := parseURI(dst)
	if err != nil {
		return err
	}
	if c.f.recursive {
		jobs, err := t.copyPrefixJobs(ctx, s, d)
		if err != nil {
			return err
		}
		return t.runJobs(ctx, jobs, "objects")
	}
	if d.isFolder() {
		d = d.with(d.Key + baseName(s.Key))
	}
	if err := t.copyObject(ctx, s, d); err != nil {
		return err
	}
	t.log.ok("copy: " + s.String() + " -> " + d.String())
	return nil
}
