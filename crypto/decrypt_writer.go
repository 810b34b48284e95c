package crypto

import (
	"errors"
	"fmt"
	"io"
)

// DecryptWriter is the push form of [NewDecryptReader]: IV || ciphertext is
// written to it, and the plaintext goes to the underlying writer in batches of
// up to [ChunkSize] bytes. The last block is held back until Close, which
// strips the padding. A DecryptWriter is not safe for concurrent use.
type DecryptWriter struct {
	w      io.Writer
	dec    *decoder
	carry  [BlockSize]byte // ciphertext not yet decrypted: 1..16 bytes once the body has started
	ncarry int
	out    []byte // plaintext batch
	closed bool
	err    error // sticky
}

// NewDecryptWriter returns a writer that decrypts into w. It fails at once,
// before anything is written, when key is not the key of m ([ErrWrongKey]).
// The other checks of [NewDecryptReader] happen on Write (the IV prefix) and
// Close (length, padding).
func NewDecryptWriter(w io.Writer, key Key, m *Metadata) (*DecryptWriter, error) {
	dec, err := newDecoder(key, m)
	if err != nil {
		return nil, err
	}
	return &DecryptWriter{w: w, dec: dec, out: make([]byte, ChunkSize)}, nil
}

// Write consumes ciphertext. It returns len(p) unless decryption or the
// underlying writer failed; errors are sticky.
func (d *DecryptWriter) Write(p []byte) (int, error) {
	switch {
	case d.err != nil:
		return 0, d.err
	case d.closed:
		return 0, errors.New("decrypt: write after close")
	}
	n := len(p)
	if !d.dec.havePrefix() {
		k, err := d.dec.takePrefix(p)
		if err != nil {
			d.err = err
			return 0, err
		}
		p = p[k:]
	}
	if err := d.write(p); err != nil {
		d.err = err
		return 0, err
	}
	return n, nil
}

// write decrypts every block of carry || p except the last whole one, which
// might end the body, and keeps the rest in carry.
func (d *DecryptWriter) write(p []byte) error {
	total := d.ncarry + len(p)
	if total <= BlockSize {
		d.ncarry += copy(d.carry[d.ncarry:], p)
		return nil
	}
	release := (total - 1) / BlockSize * BlockSize
	off := 0
	if d.ncarry > 0 {
		k := copy(d.carry[d.ncarry:], p)
		p = p[k:]
		d.dec.bulk(d.out[:BlockSize], d.carry[:])
		off = BlockSize
		release -= BlockSize
	}
	for release > 0 {
		n := min(release, len(d.out)-off)
		d.dec.bulk(d.out[off:off+n], p[:n])
		p, release, off = p[n:], release-n, off+n
		if off == len(d.out) {
			if err := d.flush(off); err != nil {
				return err
			}
			off = 0
		}
	}
	d.ncarry = copy(d.carry[:], p)
	return d.flush(off)
}

// flush writes out[:n] to the underlying writer.
func (d *DecryptWriter) flush(n int) error {
	if n == 0 {
		return nil
	}
	if _, err := d.w.Write(d.out[:n]); err != nil {
		return fmt.Errorf("decrypt: write plaintext: %w", err)
	}
	return nil
}

// Close decrypts the last block, checks the padding, the ciphertext length
// and the plaintext length from the metadata, and writes the last plaintext
// bytes. It does not close the underlying writer. Calling Close again returns
// the first result.
func (d *DecryptWriter) Close() error {
	if d.closed || d.err != nil {
		return d.err
	}
	d.closed = true
	if d.err = d.dec.checkEnd(d.ncarry); d.err != nil {
		return d.err
	}
	var last [BlockSize]byte
	used, err := d.dec.final(&last, d.carry[:])
	if err == nil {
		copy(d.out, last[:used])
		err = d.flush(used)
	}
	d.err = err
	return err
}
