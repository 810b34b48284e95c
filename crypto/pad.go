package crypto

import "fmt"

// padAlphabet maps a pad length n (1..16) to the byte padAlphabet[n-1]; this is
// the SDK's table (ks3/encryption.py Crypts.init_pad_dict), not PKCS#7.
const padAlphabet = "123456789abcdefg"

// padLength returns the number of pad bytes the SDK appends to a plaintext of
// length plain: 1..16, a full block when plain is block-aligned.
func padLength(plain int64) int {
	return BlockSize - int(plain%BlockSize)
}

// padBlock fills block[used:] with the SDK padding for a final block that holds
// used (0..15) plaintext bytes.
func padBlock(block *[BlockSize]byte, used int) {
	c := padAlphabet[BlockSize-used-1]
	for i := used; i < BlockSize; i++ {
		block[i] = c
	}
}

// unpadBlock checks the SDK padding of a decrypted final block and returns how
// many of its bytes are plaintext. The SDK reads only the last byte; every pad
// byte is checked here, which a block written by the SDK always passes.
func unpadBlock(block *[BlockSize]byte) (int, error) {
	c := block[BlockSize-1]
	n := padValue(c)
	if n == 0 {
		return 0, fmt.Errorf("%w: last byte 0x%02x is not a pad character", ErrBadPadding, c)
	}
	for _, b := range block[BlockSize-n:] {
		if b != c {
			return 0, fmt.Errorf("%w: %d pad bytes of %q expected, found 0x%02x", ErrBadPadding, n, c, b)
		}
	}
	return BlockSize - n, nil
}

// padValue maps a pad character back to its length, or 0 if c is not one.
func padValue(c byte) int {
	switch {
	case c >= '1' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'g':
		return int(c-'a') + 10
	default:
		return 0
	}
}
