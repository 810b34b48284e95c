package tool

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"os"
	"path/filepath"
	"time"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/objmeta"
)

// copier carries out the transfers of one cp command.
type copier struct {
	cl  *ks3.Client
	key *ks3crypto.Key // nil: no client-side encryption
	// put holds the attributes of new objects given on the command line;
	// its Metadata is unused (see userMeta).
	put       ks3.PutOptions
	userMeta  map[string]string
	threshold int64 // largest single PUT
	partSize  int64 // preferred part size, 0 = ks3.DefaultPartSize
	transfers int   // files, and parts of one file, in flight

	nameRules string // forced local file name rules, "" to probe (Settings.NameRules)

	log          *itemLog
	errw         io.Writer
	showProgress bool
	bar          *meter // nil without a terminal
}

// startBar shows a progress bar for total bytes (-1: unknown) when stderr
// is a terminal and progress is on.
func (t *copier) startBar(total int64, description string) {
	t.bar = newBar(t.errw, t.showProgress, total, description)
	t.log.setBar(t.bar)
}

// finishBar completes and removes the progress bar, if any.
func (t *copier) finishBar() {
	if t.bar != nil {
		t.bar.Finish()
		t.bar = nil
		t.log.setBar(nil)
	}
}

// uploadSource is the content of an upload.
type uploadSource struct {
	r     io.ReaderAt
	size  int64
	mtime time.Time // zero when unknown (stdin)
	name  string    // local file name ("-" for stdin), for messages and the content type
}

// uploadFile uploads the local file at path to dst, and fails if the file
// changed while it was read.
func (t *copier) uploadFile(ctx context.Context, path string, dst ks3URI) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", path)
	}
	src := uploadSource{r: f, size: fi.Size(), mtime: fi.ModTime(), name: path}
	if err := t.upload(ctx, src, dst); err != nil {
		return err
	}
	return checkUnchanged(path, fi)
}

// checkUnchanged fails when the file at path no longer has the size and
// modification time it had before the upload.
func checkUnchanged(path string, before fs.FileInfo) error {
	after, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("check %s after upload: %w", path, err)
	}
	if after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime()) {
		return fmt.Errorf("%s changed while it was being uploaded, so the object may not match it: copy it again", path)
	}
	return nil
}

// upload sends src to dst: plain with the client's Put (one PUT or a
// parallel multipart upload), or encrypted in the SDK's format (one PUT, or
// an ordered multipart upload above the threshold). Empty content is never
// encrypted, as in the SDK.
func (t *copier) upload(ctx context.Context, src uploadSource, dst ks3URI) error {
	encrypt := t.key != nil && src.size > 0
	passes := 3 // the MD5 pass, then two reads per part: its MD5 and the send
	if !encrypt && src.size <= t.threshold {
		passes = 2 // the MD5 pass doubles as Content-MD5: one read to send
	}
	prog := newByteProgress(t.bar, src.size, passes)
	r := countingReaderAt{r: src.r, p: prog}
	sum, err := md5Of(io.NewSectionReader(r, 0, src.size))
	if err != nil {
		return fmt.Errorf("read %s: %w", src.name, err)
	}
	opts := t.putOptions(src, sum, encrypt)
	switch {
	case !encrypt:
		err = t.putPlain(ctx, r, src.size, sum, dst, opts)
	case src.size <= t.threshold:
		err = t.putEncrypted(ctx, r, src.size, sum, dst, opts)
	default:
		err = t.putEncryptedMultipart(ctx, r, src.size, dst, opts)
	}
	if err != nil {
		return err
	}
	prog.finish()
	return nil
}

// putOptions are the attributes of an upload of src whose plaintext MD5 is
// sum (nil when unknown): the command line's, plus ks3sync's metadata and a
// content type guessed from the file name. An encrypted upload records the
// MD5 keyed (md5-sealed), so the bucket does not tell what it holds.
func (t *copier) putOptions(src uploadSource, sum []byte, encrypt bool) ks3.PutOptions {
	opts := t.put
	attrs := objmeta.Attrs{MTime: src.mtime, MD5: hex.EncodeToString(sum)}
	if encrypt && sum != nil {
		attrs.KeyedMD5, attrs.MD5 = objmeta.NewIdentity(*t.key).Of(attrs.MD5), ""
	}
	opts.Metadata = mergeMeta(t.userMeta, attrs.Metadata())
	if opts.ContentType == "" && src.name != "" {
		opts.ContentType = mime.TypeByExtension(filepath.Ext(src.name))
	}
	return opts
}

// putPlain uploads unencrypted content with the client's Put.
func (t *copier) putPlain(ctx context.Context, r io.ReaderAt, size int64, sum []byte, dst ks3URI, opts ks3.PutOptions) error {
	opts.ContentMD5 = sum
	_, err := t.cl.Put(ctx, dst.Bucket, dst.Key, r, size, ks3.UploadOptions{
		PutOptions: opts, Threshold: t.threshold, PartSize: t.partSize, Concurrency: t.transfers})
	return err
}

// putEncrypted uploads content encrypted as one PUT, with the SDK's
// single-PUT metadata and the ciphertext's Content-MD5.
func (t *copier) putEncrypted(ctx context.Context, r io.ReaderAt, size int64, sum []byte, dst ks3URI, opts ks3.PutOptions) error {
	iv, err := ks3crypto.NewIV(nil)
	if err != nil {
		return err
	}
	part, err := ks3crypto.EncryptPart(*t.key, iv, true, true, io.NewSectionReader(r, 0, size))
	if err != nil {
		return err
	}
	cipherSum, err := md5Rewind(part)
	if err != nil {
		return fmt.Errorf("encrypt %s: %w", dst, err)
	}
	// Without the SDK's optional plaintext MD5 in clear, which would
	// confirm a guessed file; the keyed identity is in the metadata.
	opts.Metadata = mergeMeta(opts.Metadata, ks3crypto.SinglePutMetadata(*t.key, iv, size, nil))
	opts.ContentMD5 = cipherSum
	_, err = t.cl.PutObject(ctx, dst.Bucket, dst.Key, part, part.Size(), opts)
	return err
}

// md5Of returns the MD5 of everything r holds.
func md5Of(r io.Reader) ([]byte, error) {
	h := md5.New()
	if _, err := io.Copy(h, r); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// md5Rewind returns the MD5 of r's content and rewinds r.
func md5Rewind(r io.ReadSeeker) ([]byte, error) {
	sum, err := md5Of(r)
	if err != nil {
		return nil, err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return sum, nil
}
