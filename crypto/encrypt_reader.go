package crypto

import (
	"crypto/cipher"
	"fmt"
	"io"
)

// maxEmptyReads is how many consecutive (0, nil) reads from a source the
// streams tolerate before failing with [io.ErrNoProgress], as bufio does.
const maxEmptyReads = 100

// encryptReader is the forward-only stream behind NewEncryptReader.
type encryptReader struct {
	r       io.Reader
	mode    cipher.BlockMode
	iv      [BlockSize]byte
	buf     []byte          // ChunkSize plaintext batch, plus room for the pad block
	carry   [BlockSize]byte // plaintext after the last whole block, not yet encrypted
	ncarry  int
	pending []byte // ciphertext not yet delivered
	done    bool   // the padded last block is in pending
	err     error  // sticky error from r
}

// NewEncryptReader returns IV || AES-128-CBC(key, iv, plaintext || pad) for
// the plaintext read from r until io.EOF: the layout of an encrypted single
// PUT, for sources that cannot seek or whose length is unknown (stdin). It
// reads and encrypts in batches of up to [ChunkSize] bytes.
//
// An empty r yields IV || one pad block, which the SDK decrypts to empty
// content; callers that know the content is empty upload it unencrypted
// instead, as the SDK does.
func NewEncryptReader(r io.Reader, key Key, iv [BlockSize]byte) io.Reader {
	e := &encryptReader{
		r:    r,
		mode: cipher.NewCBCEncrypter(key.aesBlock(), iv[:]),
		iv:   iv,
		buf:  make([]byte, ChunkSize+BlockSize),
	}
	e.pending = e.iv[:]
	return e
}

// Read implements io.Reader.
func (e *encryptReader) Read(b []byte) (int, error) {
	for empty := 0; len(e.pending) == 0; {
		switch {
		case e.done:
			return 0, io.EOF
		case e.err != nil:
			return 0, e.err
		case empty == maxEmptyReads:
			return 0, io.ErrNoProgress
		}
		if e.fill() == 0 {
			empty++
		} else {
			empty = 0
		}
	}
	n := copy(b, e.pending)
	e.pending = e.pending[n:]
	return n, nil
}

// fill reads once from r and encrypts every whole block it now has; at EOF it
// also pads and encrypts the remainder. It returns the number of bytes read.
func (e *encryptReader) fill() int {
	copy(e.buf, e.carry[:e.ncarry])
	n, err := e.r.Read(e.buf[e.ncarry:ChunkSize])
	total := e.ncarry + n
	whole := total - total%BlockSize
	e.ncarry = 0
	switch {
	case err == io.EOF:
		padBlock((*[BlockSize]byte)(e.buf[whole:whole+BlockSize]), total-whole)
		whole += BlockSize
		e.done = true
	case err != nil:
		e.err = fmt.Errorf("encrypt: read plaintext: %w", err)
		fallthrough
	default:
		e.ncarry = copy(e.carry[:], e.buf[whole:total])
	}
	e.mode.CryptBlocks(e.buf[:whole], e.buf[:whole])
	e.pending = e.buf[:whole]
	return n
}
