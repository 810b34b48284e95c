package crypto

import (
	"crypto/subtle"
	"fmt"
)

// EncryptedSize returns the stored size of a single-PUT object with plain
// plaintext bytes: 16 (IV) + plain + pad (1..16). It is 0 for plain <= 0,
// because the SDK stores empty content unencrypted.
func EncryptedSize(plain int64) int64 {
	if plain <= 0 {
		return 0
	}
	return PartCipherSize(plain, true, true)
}

// PartCipherSize returns the body size of one part of an encrypted upload with
// plain plaintext bytes: first adds the 16-byte IV prefix, last adds the
// padding (1..16 bytes). A single PUT is first and last. [EncryptPart] refuses
// empty parts, so plain is at least 1 in practice.
func PartCipherSize(plain int64, first, last bool) int64 {
	size := plain
	if first {
		size += BlockSize
	}
	if last {
		size += int64(padLength(plain))
	}
	return size
}

// TailSize is the number of bytes at the end of an encrypted object that
// [PlainSizeFromTail] needs.
const TailSize = 2 * BlockSize

// PlainSizeFromTail recovers the plaintext size of any SDK-encrypted object,
// single PUT or multipart, from its stored size objectSize and its last 32
// bytes (a ranged GET): the last block is decrypted with the one before it as
// IV and its padding says how many bytes to subtract.
func PlainSizeFromTail(key Key, objectSize int64, tail []byte) (int64, error) {
	if len(tail) != TailSize {
		return 0, fmt.Errorf("plain size from tail: got %d tail bytes, want %d", len(tail), TailSize)
	}
	if objectSize < TailSize || objectSize%BlockSize != 0 {
		return 0, fmt.Errorf("plain size from tail: %w: stored size %d is not IV plus whole blocks", ErrMalformed, objectSize)
	}
	block := decryptTailBlock(key, tail)
	used, err := unpadBlock(&block)
	if err != nil {
		return 0, fmt.Errorf("plain size from tail: %w", err)
	}
	return objectSize - TailSize + int64(used), nil
}

// decryptTailBlock decrypts tail[16:32] with tail[0:16] as the CBC IV.
func decryptTailBlock(key Key, tail []byte) [BlockSize]byte {
	var block [BlockSize]byte
	key.aesBlock().Decrypt(block[:], tail[BlockSize:TailSize])
	subtle.XORBytes(block[:], block[:], tail[:BlockSize])
	return block
}
