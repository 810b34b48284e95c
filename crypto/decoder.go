package crypto

import (
	"crypto/cipher"
	"fmt"
)

// decoder is the decryption state shared by the decrypting reader and writer:
// the IV prefix check, the CBC chain, and the final block.
type decoder struct {
	mode     cipher.BlockMode
	iv       [BlockSize]byte // expected IV prefix, from the metadata
	plainLen int64           // expected plaintext length, -1 unknown
	prefix   [BlockSize]byte // IV prefix received so far
	nprefix  int
	plain    int64 // plaintext bytes produced by bulk
}

// newDecoder checks that key wrote the object described by m.
func newDecoder(key Key, m *Metadata) (*decoder, error) {
	if err := key.match(m); err != nil {
		return nil, fmt.Errorf("decrypt: object %w", err)
	}
	return &decoder{
		mode:     cipher.NewCBCDecrypter(key.aesBlock(), m.IV[:]),
		iv:       m.IV,
		plainLen: m.PlainLength,
	}, nil
}

// havePrefix reports whether the whole IV prefix has been consumed.
func (d *decoder) havePrefix() bool { return d.nprefix == BlockSize }

// takePrefix consumes IV prefix bytes from the start of p and returns how many
// it took; once the prefix is complete it must equal the metadata IV.
func (d *decoder) takePrefix(p []byte) (int, error) {
	n := copy(d.prefix[d.nprefix:], p)
	d.nprefix += n
	if d.havePrefix() && d.prefix != d.iv {
		return n, fmt.Errorf("decrypt: %w: body starts with %x, metadata says %x", ErrIVMismatch, d.prefix, d.iv)
	}
	return n, nil
}

// bulk decrypts whole blocks that are known not to be the last one.
func (d *decoder) bulk(dst, src []byte) {
	d.mode.CryptBlocks(dst, src)
	d.plain += int64(len(src))
}

// checkEnd validates the body at its end, where rest ciphertext bytes are
// still undecrypted.
func (d *decoder) checkEnd(rest int) error {
	switch {
	case !d.havePrefix():
		return fmt.Errorf("decrypt: %w: body of %d bytes is shorter than the IV", ErrMalformed, d.nprefix)
	case rest%BlockSize != 0:
		return fmt.Errorf("decrypt: %w: %d ciphertext bytes after the IV, not a multiple of %d",
			ErrMalformed, d.plain+int64(rest), BlockSize)
	case rest == 0:
		return fmt.Errorf("decrypt: %w: no ciphertext after the IV", ErrMalformed)
	}
	return nil
}

// final decrypts the last ciphertext block src into dst, strips the padding,
// and returns how many bytes of dst are plaintext.
func (d *decoder) final(dst *[BlockSize]byte, src []byte) (int, error) {
	d.mode.CryptBlocks(dst[:], src)
	used, err := unpadBlock(dst)
	if err != nil {
		return 0, fmt.Errorf("decrypt: %w", err)
	}
	if total := d.plain + int64(used); d.plainLen >= 0 && total != d.plainLen {
		return 0, fmt.Errorf("decrypt: %w: plaintext is %d bytes, metadata says %d", ErrMalformed, total, d.plainLen)
	}
	return used, nil
}
