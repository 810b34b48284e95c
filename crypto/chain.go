package crypto

import (
	"errors"
	"fmt"
	"io"
)

// Chain encrypts the parts of one multipart upload as the single CBC chain
// of the SDK format: part 1 starts with the IV prefix, each part continues
// from the last ciphertext block of the part before it, and only the last
// part is padded. It hands out the parts in order, each as a [PartReader],
// and cannot hand out part n+1 before part n has been read to its end
// (sent): the chain continues from that part's last block. The chain value
// after a part ([PartReader.Chain]) is what a checkpoint saves; ResumeChain
// continues from it in another process. A Chain is not safe for concurrent
// use.
type Chain struct {
	key   Key
	parts int             // parts handed out (or resumed after)
	prev  [BlockSize]byte // chain value after part parts, the IV before part 1
	cur   *PartReader     // the part handed out last, nil after resuming
	ended bool            // the last part was handed out
}

// NewChain starts the chain of a new upload encrypted with key and iv.
func NewChain(key Key, iv [BlockSize]byte) *Chain {
	return &Chain{key: key, prev: iv}
}

// ResumeChain continues the chain of an interrupted upload after part n
// (1 or more), from the chain value that part's [PartReader.Chain] returned,
// possibly saved by an earlier process. Its Next hands out part n+1.
func ResumeChain(key Key, n int, value [BlockSize]byte) (*Chain, error) {
	if n < 1 {
		return nil, fmt.Errorf("resume chain: after part %d, want 1 or more", n)
	}
	return &Chain{key: key, parts: n, prev: value}, nil
}

// Parts returns how many parts the chain has handed out, counting those it
// was resumed after: the number of the part last handed out.
func (c *Chain) Parts() int { return c.parts }

// Next encrypts plaintext as the next part of the chain and returns its
// number and its ciphertext reader. last marks the final part, which is
// padded; Next fails after it. The part before must have been read to its
// end. A part that is not last must hold a multiple of [BlockSize] bytes;
// the plaintext must not change until the part is sent (see [EncryptPart]).
func (c *Chain) Next(plaintext *io.SectionReader, last bool) (int, *PartReader, error) {
	if c.ended {
		return 0, nil, errors.New("encrypt part: the chain already ended with its last part")
	}
	if c.cur != nil {
		prev, err := c.cur.Chain()
		if err != nil {
			return 0, nil, fmt.Errorf("encrypt part %d: part %d is not sent yet: %w", c.parts+1, c.parts, err)
		}
		c.prev, c.cur = prev, nil
	}
	n := c.parts + 1
	p, err := EncryptPart(c.key, c.prev, n == 1, last, plaintext)
	if err != nil {
		return 0, nil, err
	}
	c.parts, c.cur, c.ended = n, p, last
	return n, p, nil
}

// AlignPartSize rounds a preferred part size up to a multiple of
// [BlockSize], as every part of a chain but the last must be. 0 (the
// client's default size, a multiple of 1 MiB) stays 0.
func AlignPartSize(size int64) int64 {
	return (size + BlockSize - 1) / BlockSize * BlockSize
}
