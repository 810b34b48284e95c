package syncer

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"sync"

	"github.com/ks3sync/ks3sync/ks3"
)

// partSums are the MD5s of a file read once: of the whole file (the object
// identity written in its metadata) and of every part of a multipart plan
// (each part's Content-MD5).
type partSums struct {
	whole string     // hex
	parts [][16]byte // parts[n-1] is part n's
}

// hashChunk is the unit the file is read in. Both hashers consume the same
// buffer, so the file is read once and each byte goes once through each
// MD5; the two hashes run on two goroutines (two cores).
const hashChunk = 1 << 20

// hashChunks is how many chunks may be read ahead of the slower hasher.
const hashChunks = 4

// chunk is one read buffer on its way through both hashers.
type chunk struct {
	buf []byte
	n   int
	wg  sync.WaitGroup
}

// hashParts reads r (size bytes) once and returns the MD5 of the whole and
// of each part of plan. It stops at ctx's cancellation and fails when the
// file is shorter than size.
func hashParts(ctx context.Context, r io.ReaderAt, size int64, plan ks3.PartPlan) (partSums, error) {
	free := make(chan *chunk, hashChunks)
	for range hashChunks {
		free <- &chunk{buf: make([]byte, hashChunk)}
	}
	toWhole := make(chan *chunk, hashChunks)
	toParts := make(chan *chunk, hashChunks)
	whole := md5.New()
	parts := newPartHasher(plan)
	var done sync.WaitGroup
	done.Add(2)
	go func() {
		defer done.Done()
		for c := range toWhole {
			whole.Write(c.buf[:c.n])
			c.wg.Done()
		}
	}()
	go func() {
		defer done.Done()
		for c := range toParts {
			parts.write(c.buf[:c.n])
			c.wg.Done()
		}
	}()
	err := readChunks(ctx, r, size, free, toWhole, toParts)
	close(toWhole)
	close(toParts)
	done.Wait()
	if err != nil {
		return partSums{}, err
	}
	return partSums{whole: hex.EncodeToString(whole.Sum(nil)), parts: parts.sums}, nil
}

// readChunks reads r from the start to size into free buffers and hands
// each to both hashers, in order, reusing a buffer once both are done.
func readChunks(ctx context.Context, r io.ReaderAt, size int64, free chan *chunk, hashers ...chan *chunk) error {
	for off := int64(0); off < size; {
		if err := ctx.Err(); err != nil {
			return err
		}
		c := <-free
		n, err := r.ReadAt(c.buf[:min(int64(len(c.buf)), size-off)], off)
		if n == 0 && err != nil {
			if err == io.EOF {
				return fmt.Errorf("read: %w", io.ErrUnexpectedEOF)
			}
			return fmt.Errorf("read: %w", err)
		}
		c.n = n
		off += int64(n)
		c.wg.Add(len(hashers))
		for _, h := range hashers {
			h <- c
		}
		// The buffer goes back once both hashers are done with it; the
		// caller's wait for the hashers covers these goroutines too.
		go func() {
			c.wg.Wait()
			free <- c
		}()
	}
	return nil
}

// partHasher hashes a file's bytes, arriving in order, part by part.
type partHasher struct {
	plan ks3.PartPlan
	h    hash.Hash
	left int64 // bytes of the current part still to come
	sums [][16]byte
}

func newPartHasher(plan ks3.PartPlan) *partHasher {
	_, first := plan.Part(1)
	return &partHasher{plan: plan, h: md5.New(), left: first, sums: make([][16]byte, 0, plan.Count)}
}

// write hashes p, the next bytes of the file, closing every part it
// completes.
func (ph *partHasher) write(p []byte) {
	for len(p) > 0 {
		n := min(int64(len(p)), ph.left)
		ph.h.Write(p[:n])
		p, ph.left = p[n:], ph.left-n
		if ph.left == 0 {
			ph.sums = append(ph.sums, [16]byte(ph.h.Sum(nil)))
			ph.h.Reset()
			_, ph.left = ph.plan.Part(len(ph.sums) + 1)
		}
	}
}
