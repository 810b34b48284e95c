package tool

import (
	"context"
	"fmt"
	"io"
	"time"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
	"github.com/ks3sync/ks3sync/ks3"
)

// abortTimeout bounds the clean-up of a failed multipart upload, which runs
// even when the command was interrupted.
const abortTimeout = 30 * time.Second

// putEncryptedMultipart uploads size bytes of r encrypted, as a multipart
// upload whose parts form one CBC chain: they are encrypted and sent in
// order, each continuing from the last ciphertext block of the one before.
func (t *copier) putEncryptedMultipart(ctx context.Context, r io.ReaderAt, size int64, dst ks3URI, opts ks3.PutOptions) error {
	plan, err := ks3.PlanParts(size, ks3crypto.AlignPartSize(t.partSize))
	if err != nil {
		return err
	}
	iv, err := ks3crypto.NewIV(nil)
	if err != nil {
		return err
	}
	id, err := t.initiate(ctx, dst, opts, ks3crypto.MultipartMetadata(*t.key, iv))
	if err != nil {
		return err
	}
	chain := ks3crypto.NewChain(*t.key, iv)
	parts := make([]ks3.CompletedPart, 0, plan.Count)
	for n := 1; n <= plan.Count; n++ {
		off, length := plan.Part(n)
		part, err := t.sendEncryptedPart(ctx, dst, id, chain, io.NewSectionReader(r, off, length), n == plan.Count)
		if err != nil {
			return t.abort(ctx, dst, id, err)
		}
		parts = append(parts, part)
	}
	return t.complete(ctx, dst, id, parts, opts)
}

// initiate starts a multipart upload with the attributes of opts plus the
// extra metadata; the callback waits for complete.
func (t *copier) initiate(ctx context.Context, dst ks3URI, opts ks3.PutOptions, extra map[string]string) (string, error) {
	opts.Metadata = mergeMeta(opts.Metadata, extra)
	opts.ContentMD5 = nil
	opts.CallbackURL, opts.CallbackBody, opts.CallbackVars = "", "", nil
	return t.cl.InitiateMultipartUpload(ctx, dst.Bucket, dst.Key, opts)
}

// sendEncryptedPart encrypts plaintext as the next part of chain and sends
// it with its Content-MD5.
func (t *copier) sendEncryptedPart(ctx context.Context, dst ks3URI, id string, chain *ks3crypto.Chain, plaintext *io.SectionReader, last bool) (ks3.CompletedPart, error) {
	n, part, err := chain.Next(plaintext, last)
	if err != nil {
		return ks3.CompletedPart{}, fmt.Errorf("encrypt part %d: %w", chain.Parts()+1, err)
	}
	sum, err := md5Rewind(part)
	if err != nil {
		return ks3.CompletedPart{}, fmt.Errorf("encrypt part %d: %w", n, err)
	}
	etag, err := t.cl.UploadPart(ctx, dst.Bucket, dst.Key, id, n, part, part.Size(), sum)
	if err != nil {
		return ks3.CompletedPart{}, err
	}
	return ks3.CompletedPart{PartNumber: n, ETag: etag}, nil
}

// complete completes a multipart upload (with the callback of opts), and
// aborts it if that fails.
func (t *copier) complete(ctx context.Context, dst ks3URI, id string, parts []ks3.CompletedPart, opts ks3.PutOptions) error {
	_, err := t.cl.CompleteMultipartUpload(ctx, dst.Bucket, dst.Key, id, parts, ks3.CompleteOptions{
		CallbackURL: opts.CallbackURL, CallbackBody: opts.CallbackBody, CallbackVars: opts.CallbackVars})
	if err != nil {
		return t.abort(ctx, dst, id, err)
	}
	return nil
}

// abort aborts a failed multipart upload so its parts do not linger, even
// when ctx is already done, and returns cause.
func (t *copier) abort(ctx context.Context, dst ks3URI, id string, cause error) error {
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
	defer cancel()
	if err := t.cl.AbortMultipartUpload(actx, dst.Bucket, dst.Key, id); err != nil {
		return fmt.Errorf("%w (and aborting upload %s failed: %v)", cause, id, err)
	}
	return cause
}
