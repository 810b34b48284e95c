package crypto

import (
	"crypto/cipher"
	"errors"
	"fmt"
	"io"
	"sync"
)

// PartReader is the ciphertext of one part of an encrypted upload (or of a
// whole single-PUT object), produced on demand from a plaintext section. It is
// an [io.ReadSeeker], so an HTTP retry can rewind it and re-send identical
// bytes. Its methods are safe for concurrent use; in particular Chain may be
// called while an HTTP transport's writer goroutine still holds the reader,
// which net/http allows after a round trip has returned.
type PartReader struct {
	block    cipher.Block
	src      *io.SectionReader
	prev     [BlockSize]byte
	first    bool
	last     bool
	plainLen int64 // plaintext bytes in the part
	bulkLen  int64 // plaintext bytes encrypted without padding
	size     int64 // ciphertext bytes in the part

	mu  sync.Mutex // guards the fields below
	pos int64      // where the next Read starts; Seek only moves this

	// Encoder state. Read brings it to pos, restarting the chain when pos
	// went backwards (CBC cannot start in the middle without the block
	// before).
	mode    cipher.BlockMode
	at      int64 // ciphertext offset of pending[0]
	plainAt int64 // plaintext bytes consumed
	pending []byte
	chain   [BlockSize]byte // last ciphertext block produced
	prefix  [BlockSize]byte // the IV prefix of a first part
	final   [BlockSize]byte // the padded last block of a last part
	buf     []byte          // ChunkSize batch, allocated on first use
}

// EncryptPart encrypts one part of the CBC chain, or a whole single-PUT object
// with first and last both true and prev set to the IV.
//
// prev is the IV for the first part, or the chain value after the previous
// part ([PartReader.Chain], possibly saved by an earlier process). first makes
// the part start with prev as the 16-byte IV prefix; last applies the SDK
// padding. A part that is not last must hold a multiple of 16 plaintext bytes,
// and no part may be empty (the SDK stores empty objects unencrypted).
//
// The plaintext is read with ReadAt, batch by batch, while the reader is read;
// it must not change until the part is sent.
func EncryptPart(key Key, prev [BlockSize]byte, first, last bool, plaintext *io.SectionReader) (*PartReader, error) {
	if plaintext == nil {
		return nil, errors.New("encrypt part: nil plaintext")
	}
	n := plaintext.Size()
	if n == 0 {
		return nil, errors.New("encrypt part: empty plaintext (empty objects are stored unencrypted)")
	}
	if !last && n%BlockSize != 0 {
		return nil, fmt.Errorf("encrypt part: %d plaintext bytes in a part that is not the last, want a multiple of %d", n, BlockSize)
	}
	p := &PartReader{
		block:    key.aesBlock(),
		src:      plaintext,
		prev:     prev,
		first:    first,
		last:     last,
		plainLen: n,
		bulkLen:  n,
		size:     PartCipherSize(n, first, last),
	}
	if last {
		p.bulkLen = n - n%BlockSize
	}
	p.restart()
	return p, nil
}

// Size returns the ciphertext length of the part, the Content-Length to send.
func (p *PartReader) Size() int64 { return p.size }

// Chain returns the chain value after this part, its last ciphertext block:
// the prev argument of the next part's [EncryptPart]. It is an error to ask
// before every byte of the part has been read.
func (p *PartReader) Chain() ([BlockSize]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.at != p.size {
		return [BlockSize]byte{}, fmt.Errorf("part chain: only %d of %d ciphertext bytes read", p.at, p.size)
	}
	return p.chain, nil
}

// Read reads ciphertext. It encrypts in batches of [ChunkSize] bytes, directly
// into b when b holds a whole batch.
func (p *PartReader) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pos >= p.size {
		return 0, io.EOF
	}
	if len(b) == 0 {
		return 0, nil
	}
	if err := p.sync(); err != nil {
		return 0, err
	}
	if len(p.pending) == 0 {
		if len(b) >= ChunkSize && p.plainAt < p.bulkLen {
			return p.readDirect(b)
		}
		if err := p.produce(); err != nil {
			return 0, err
		}
	}
	n := copy(b, p.pending)
	p.pending = p.pending[n:]
	p.at += int64(n)
	p.pos += int64(n)
	return n, nil
}

// Seek sets the offset of the next Read, with [io.Seeker] semantics. It does
// no work itself: the next Read after a backward seek re-encrypts the part
// from its start up to the new offset, so Seek(0, io.SeekStart) is cheap and
// probing the size with Seek(0, io.SeekEnd) encrypts nothing.
func (p *PartReader) Seek(offset int64, whence int) (int64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = p.pos + offset
	case io.SeekEnd:
		abs = p.size + offset
	default:
		return 0, fmt.Errorf("seek part: invalid whence %d", whence)
	}
	if abs < 0 {
		return 0, fmt.Errorf("seek part: negative position %d", abs)
	}
	p.pos = abs
	return abs, nil
}

// restart resets the encoder to the start of the part.
func (p *PartReader) restart() {
	p.mode = cipher.NewCBCEncrypter(p.block, p.prev[:])
	p.at, p.plainAt = 0, 0
	p.chain = p.prev
	p.pending = nil
	if p.first {
		p.prefix = p.prev
		p.pending = p.prefix[:]
	}
}

// sync brings the encoder to pos, which is below size.
func (p *PartReader) sync() error {
	if p.at > p.pos {
		p.restart()
	}
	for p.at < p.pos {
		if len(p.pending) == 0 {
			if err := p.produce(); err != nil {
				return err
			}
		}
		n := min(int64(len(p.pending)), p.pos-p.at)
		p.pending = p.pending[n:]
		p.at += n
	}
	return nil
}

// produce fills pending with the next ciphertext; pending is empty and the
// encoder is below size.
func (p *PartReader) produce() error {
	if p.plainAt == p.bulkLen {
		return p.encryptFinal()
	}
	if p.buf == nil {
		p.buf = make([]byte, ChunkSize)
	}
	n := min(int64(len(p.buf)), p.bulkLen-p.plainAt)
	if err := p.encryptBulk(p.buf[:n]); err != nil {
		return err
	}
	p.pending = p.buf[:n]
	return nil
}

// readDirect encrypts straight into b, which holds at least one batch.
func (p *PartReader) readDirect(b []byte) (int, error) {
	n := min(int64(len(b))&^(BlockSize-1), p.bulkLen-p.plainAt)
	if err := p.encryptBulk(b[:n]); err != nil {
		return 0, err
	}
	p.at += n
	p.pos += n
	return int(n), nil
}

// encryptBulk reads len(dst) plaintext bytes (whole blocks) into dst and
// encrypts them in place.
func (p *PartReader) encryptBulk(dst []byte) error {
	if err := p.readPlain(dst); err != nil {
		return err
	}
	p.mode.CryptBlocks(dst, dst)
	copy(p.chain[:], dst[len(dst)-BlockSize:])
	return nil
}

// encryptFinal encrypts the last plaintext bytes (fewer than a block) with the
// SDK padding.
func (p *PartReader) encryptFinal() error {
	used := int(p.plainLen - p.bulkLen)
	if err := p.readPlain(p.final[:used]); err != nil {
		return err
	}
	padBlock(&p.final, used)
	p.mode.CryptBlocks(p.final[:], p.final[:])
	p.chain = p.final
	p.pending = p.final[:]
	return nil
}

// readPlain fills dst with the plaintext at plainAt and advances plainAt.
func (p *PartReader) readPlain(dst []byte) error {
	n, err := p.src.ReadAt(dst, p.plainAt)
	if n < len(dst) {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("read plaintext at offset %d: %w", p.plainAt, err)
	}
	p.plainAt += int64(n)
	return nil
}
