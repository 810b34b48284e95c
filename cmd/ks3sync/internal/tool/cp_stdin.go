package tool

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
	"github.com/ks3sync/ks3sync/ks3"
)

// partsPerStep is how many parts of a stream share one part size; the size
// then doubles, so that a stream of unknown length is not limited to
// ks3.MaxParts times the preferred part size (with 8 MiB parts it may grow to
// about 7.8 TiB).
const partsPerStep = 1000

// uploadStdin uploads everything read from in. Up to the multipart
// threshold it is buffered and sent like a file (one PUT with Content-MD5
// and x-kss-meta-md5); a longer stream becomes a multipart upload sent while
// it is read.
func (t *copier) uploadStdin(ctx context.Context, in io.Reader, dst ks3URI) error {
	head, err := io.ReadAll(io.LimitReader(in, t.threshold+1))
	if err != nil {
		return fmt.Errorf("read stdin: %w", err)
	}
	if int64(len(head)) <= t.threshold {
		t.startBar(int64(len(head)), "upload")
		defer t.finishBar()
		return t.upload(ctx, uploadSource{r: bytes.NewReader(head), size: int64(len(head)), name: "-"}, dst)
	}
	t.startBar(-1, "upload")
	defer t.finishBar()
	return t.uploadStream(ctx, bufio.NewReaderSize(io.MultiReader(bytes.NewReader(head), in), 64<<10), dst)
}

// uploadStream sends r as a multipart upload: plain parts several at a
// time, encrypted parts in order.
func (t *copier) uploadStream(ctx context.Context, r *bufio.Reader, dst ks3URI) error {
	opts := t.putOptions(uploadSource{}, nil, t.key != nil)
	var extra map[string]string
	var iv [ks3crypto.BlockSize]byte
	if t.key != nil {
		var err error
		if iv, err = ks3crypto.NewIV(nil); err != nil {
			return err
		}
		extra = ks3crypto.MultipartMetadata(*t.key, iv)
	}
	id, err := t.initiate(ctx, dst, opts, extra)
	if err != nil {
		return err
	}
	prog := newByteProgress(t.bar, -1, 1)
	var parts []ks3.CompletedPart
	if t.key != nil {
		parts, err = t.streamEncryptedParts(ctx, r, dst, id, iv, prog)
	} else {
		parts, err = t.streamPlainParts(ctx, r, dst, id, prog)
	}
	if err != nil {
		return t.abort(ctx, dst, id, err)
	}
	return t.complete(ctx, dst, id, parts, opts)
}

// streamPlainParts reads parts from r and uploads up to t.transfers of them
// at once; memory use is bounded by (transfers+1) part buffers.
func (t *copier) streamPlainParts(ctx context.Context, r *bufio.Reader, dst ks3URI, id string, prog *byteProgress) ([]ks3.CompletedPart, error) {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(t.transfers)
	var mu sync.Mutex
	var parts []ks3.CompletedPart
	var readErr error
	for n, last := 1, false; !last && gctx.Err() == nil; n++ {
		var buf []byte
		if buf, last, readErr = t.nextStreamPart(r, n); readErr != nil {
			break
		}
		g.Go(func() error {
			sum := md5.Sum(buf)
			etag, err := t.cl.UploadPart(gctx, dst.Bucket, dst.Key, id, n, bytes.NewReader(buf), int64(len(buf)), sum[:])
			if err != nil {
				return err
			}
			prog.add(len(buf))
			mu.Lock()
			defer mu.Unlock()
			parts = append(parts, ks3.CompletedPart{PartNumber: n, ETag: etag})
			return nil
		})
	}
	if err := errors.Join(g.Wait(), readErr, ctx.Err()); err != nil {
		return nil, err
	}
	slices.SortFunc(parts, func(a, b ks3.CompletedPart) int { return a.PartNumber - b.PartNumber })
	return parts, nil
}

// streamEncryptedParts reads, encrypts and uploads parts in order, each
// continuing the CBC chain of the one before; the last one is padded.
func (t *copier) streamEncryptedParts(ctx context.Context, r *bufio.Reader, dst ks3URI, id string, iv [ks3crypto.BlockSize]byte, prog *byteProgress) ([]ks3.CompletedPart, error) {
	chain := ks3crypto.NewChain(*t.key, iv)
	var parts []ks3.CompletedPart
	for n := 1; ; n++ {
		buf, last, err := t.nextStreamPart(r, n)
		if err != nil {
			return nil, err
		}
		plain := io.NewSectionReader(bytes.NewReader(buf), 0, int64(len(buf)))
		part, err := t.sendEncryptedPart(ctx, dst, id, chain, plain, last)
		if err != nil {
			return nil, err
		}
		prog.add(len(buf))
		parts = append(parts, part)
		if last {
			return parts, nil
		}
	}
}

// nextStreamPart reads part n of a stream. last reports that the stream
// ends with it (checked by peeking, so an encrypted last part can be padded
// even when the stream ends on a part boundary).
func (t *copier) nextStreamPart(r *bufio.Reader, n int) (buf []byte, last bool, err error) {
	if n > ks3.MaxParts {
		return nil, false, fmt.Errorf("stdin holds more than the %d parts a multipart upload may have", ks3.MaxParts)
	}
	buf = make([]byte, streamPartSize(t.partSize, n))
	k, err := io.ReadFull(r, buf)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return buf[:k], true, nil
	case err != nil:
		return nil, false, fmt.Errorf("read stdin: %w", err)
	}
	if _, err := r.Peek(1); err == io.EOF {
		return buf, true, nil
	} else if err != nil {
		return nil, false, fmt.Errorf("read stdin: %w", err)
	}
	return buf, false, nil
}

// streamPartSize is the size of part n (1-based) of a stream of unknown
// length: the preferred size (a multiple of the AES block), doubled every
// partsPerStep parts, at most ks3.MaxPartSize.
func streamPartSize(preferred int64, n int) int64 {
	size := ks3crypto.AlignPartSize(preferred)
	if size == 0 {
		size = ks3.DefaultPartSize
	}
	for step := (n - 1) / partsPerStep; step > 0 && size < ks3.MaxPartSize; step-- {
		size *= 2
	}
	return min(size, ks3.MaxPartSize)
}
