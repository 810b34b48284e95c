package crypto

import (
	"fmt"
	"io"
)

// decryptReader is the stream behind NewDecryptReader.
type decryptReader struct {
	r       io.Reader
	dec     *decoder
	buf     []byte // ciphertext read ahead, buf[lo:hi]
	lo, hi  int
	eof     bool
	out     [BlockSize]byte // plaintext of a block for a short Read, or of the last block
	pending []byte          // undelivered part of out
	done    bool
	err     error // sticky
}

// NewDecryptReader reads IV || ciphertext from r and yields the plaintext.
//
// Before producing anything it checks that key is the key of m (an error
// wrapping [ErrWrongKey]) and that the body starts with m.IV ([ErrIVMismatch]).
// At the end it strips the SDK padding ([ErrBadPadding] when malformed) and
// checks that the ciphertext is a positive multiple of 16 bytes and, when m
// knows it, that the plaintext length matches ([ErrMalformed]). A failed
// stream has already yielded the plaintext before the failure, so callers
// write to a temporary file and keep it only on success. The plaintext MD5 is
// not checked here.
func NewDecryptReader(r io.Reader, key Key, m *Metadata) io.Reader {
	dec, err := newDecoder(key, m)
	if err != nil {
		return &decryptReader{err: err}
	}
	return &decryptReader{r: r, dec: dec, buf: make([]byte, ChunkSize)}
}

// Read implements io.Reader. It decrypts straight from its read-ahead buffer
// into b, holding back the last block until r reports EOF.
func (d *decryptReader) Read(b []byte) (int, error) {
	if len(d.pending) > 0 {
		n := copy(b, d.pending)
		d.pending = d.pending[n:]
		return n, nil
	}
	switch {
	case d.err != nil:
		return 0, d.err
	case d.done:
		return 0, io.EOF
	case len(b) == 0:
		return 0, nil
	}
	n, err := d.read(b)
	if err != nil {
		d.err = err
	}
	return n, err
}

func (d *decryptReader) read(b []byte) (int, error) {
	if err := d.fill(); err != nil {
		return 0, err
	}
	avail := d.hi - d.lo
	if !d.eof {
		return d.emit(b, (avail-1)/BlockSize*BlockSize), nil
	}
	if err := d.dec.checkEnd(avail); err != nil {
		return 0, err
	}
	if avail > BlockSize {
		return d.emit(b, avail-BlockSize), nil
	}
	used, err := d.dec.final(&d.out, d.buf[d.lo:d.hi])
	if err != nil {
		return 0, err
	}
	d.lo = d.hi
	d.done = true
	n := copy(b, d.out[:used])
	d.pending = d.out[n:used]
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// emit decrypts up to n read-ahead bytes (whole blocks, not the last one)
// into b, through out when b is shorter than a block.
func (d *decryptReader) emit(b []byte, n int) int {
	n = min(n, len(b)&^(BlockSize-1))
	if n == 0 {
		d.dec.bulk(d.out[:], d.buf[d.lo:d.lo+BlockSize])
		d.lo += BlockSize
		n = copy(b, d.out[:])
		d.pending = d.out[n:]
		return n
	}
	d.dec.bulk(b[:n], d.buf[d.lo:d.lo+n])
	d.lo += n
	return n
}

// fill consumes the IV prefix and reads ahead until more than one block is
// buffered (so the last block can be held back) or r is exhausted.
func (d *decryptReader) fill() error {
	for empty := 0; ; {
		if !d.dec.havePrefix() {
			k, err := d.dec.takePrefix(d.buf[d.lo:d.hi])
			d.lo += k
			if err != nil {
				return err
			}
		}
		if d.eof || (d.dec.havePrefix() && d.hi-d.lo > BlockSize) {
			return nil
		}
		if empty == maxEmptyReads {
			return io.ErrNoProgress
		}
		d.hi = copy(d.buf, d.buf[d.lo:d.hi])
		d.lo = 0
		n, err := d.r.Read(d.buf[d.hi:])
		d.hi += n
		switch {
		case err == io.EOF:
			d.eof = true
		case err != nil:
			return fmt.Errorf("decrypt: read ciphertext: %w", err)
		case n == 0:
			empty++
		default:
			empty = 0
		}
	}
}
