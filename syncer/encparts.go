package syncer

import (
	"bytes"
	"context"
	"crypto/md5"
	"fmt"
	"io"

	"golang.org/x/sync/errgroup"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
	"github.com/ks3sync/ks3sync/ks3"
)

// maxBufferedPart is the largest encrypted part held in memory while it is
// sent; an upload with larger parts encrypts each part as it is sent.
const maxBufferedPart = 64 << 20

// sendEncryptedParts continues the CBC chain part by part, in order, from
// the last part the checkpoint and the server agree on. The chain is
// serial, but its parts need not be sent one after the other: each part is
// encrypted into a buffer, and hashed and sent by its own goroutine while
// the next one is encrypted, so encryption, hashing and sending run side by
// side, and every part carries its Content-MD5. At most min(transfers, 2)
// parts are sent at once, plus the one being encrypted.
func (s *Syncer) sendEncryptedParts(ctx context.Context, up *upload, src *source) error {
	chain, err := up.chain(*s.opts.Key)
	if err != nil {
		return err
	}
	if up.plan.PartSize > maxBufferedPart {
		return s.streamEncryptedParts(ctx, up, src, chain)
	}
	buffers := min(max(s.opts.Transfers, 1), 2) + 1
	free := make(chan []byte, buffers)
	for range buffers {
		free <- nil
	}
	g, gctx := errgroup.WithContext(ctx)
	for n := chain.Parts() + 1; n <= up.plan.Count; n++ {
		if next, ok := up.sentAfterGap(*s.opts.Key, n); ok {
			chain = next
			continue
		}
		var buf []byte
		select {
		case buf = <-free:
		case <-gctx.Done():
			return g.Wait()
		}
		data, value, err := encryptPart(chain, src, up.plan, n, buf)
		if err != nil {
			g.Wait()
			return fmt.Errorf("encrypt part %d of ks3://%s/%s: %w", n, up.cp.Bucket, up.cp.Key, err)
		}
		g.Go(func() error {
			defer func() { free <- data }()
			sum := md5.Sum(data)
			return s.sendPart(gctx, up, src.rel, n, bytes.NewReader(data), int64(len(data)), sum[:],
				func() ([16]byte, error) { return value, nil })
		})
	}
	return g.Wait()
}

// sentAfterGap reports whether part n was sent and recorded, with its chain
// value, by an earlier pass that was interrupted while a part before it was
// still on its way (parts are sent side by side). It is then not sent
// again: the chain continues after it from its recorded value, since the
// ciphertext of a part depends only on the plaintext and the chain value
// before it.
func (up *upload) sentAfterGap(key ks3crypto.Key, n int) (*ks3crypto.Chain, bool) {
	up.mu.Lock()
	p, ok := up.done[n]
	up.mu.Unlock()
	if !ok || len(p.Chain) != ks3crypto.BlockSize {
		return nil, false
	}
	chain, err := ks3crypto.ResumeChain(key, n, [ks3crypto.BlockSize]byte(p.Chain))
	return chain, err == nil
}

// encryptPart encrypts part n of plan, the chain's next, into buf (grown
// when too small) and returns the ciphertext and the chain value after it.
func encryptPart(chain *ks3crypto.Chain, src *source, plan ks3.PartPlan, n int, buf []byte) ([]byte, [16]byte, error) {
	off, length := plan.Part(n)
	_, pr, err := chain.Next(io.NewSectionReader(src.f, off, length), n == plan.Count)
	if err != nil {
		return nil, [16]byte{}, err
	}
	if int64(cap(buf)) < pr.Size() {
		buf = make([]byte, pr.Size())
	}
	data := buf[:pr.Size()]
	if _, err := io.ReadFull(pr, data); err != nil {
		return nil, [16]byte{}, err
	}
	value, err := pr.Chain()
	return data, value, err
}

// streamEncryptedParts sends parts too large to hold in memory one at a
// time, each encrypted and hashed as it is sent.
func (s *Syncer) streamEncryptedParts(ctx context.Context, up *upload, src *source, chain *ks3crypto.Chain) error {
	for n := chain.Parts() + 1; n <= up.plan.Count; n++ {
		if next, ok := up.sentAfterGap(*s.opts.Key, n); ok {
			chain = next
			continue
		}
		off, length := up.plan.Part(n)
		_, pr, err := chain.Next(io.NewSectionReader(src.f, off, length), n == up.plan.Count)
		if err != nil {
			return fmt.Errorf("encrypt part %d of ks3://%s/%s: %w", n, up.cp.Bucket, up.cp.Key, err)
		}
		if err := s.sendPart(ctx, up, src.rel, n, pr, pr.Size(), nil, pr.Chain); err != nil {
			return err
		}
	}
	return nil
}
