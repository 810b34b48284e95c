// Package crypto implements the client-side encryption format of the official
// KS3 Python SDK, byte for byte, so that objects ks3sync encrypts can be
// decrypted by the SDK and the reverse.
//
// The format is AES-128-CBC with a random 16-byte IV. The stored object is
//
//	IV || AES-128-CBC(key, IV, plaintext || pad)
//
// where pad is n = 16 - len(plaintext)%16 copies (1..16, a full block when the
// plaintext is block-aligned) of one character of the SDK's alphabet "1"…"9",
// "a"…"g" encoding n. The IV is also stored base64-encoded in the user metadata
// "x-kss-meta-iv", and "x-kss-meta-key" carries base64(hex(MD5(key))), a key
// fingerprint that lets a reader detect a wrong key before writing anything.
// Single PUTs also carry the plaintext length and MD5 in metadata. Empty
// objects are stored unencrypted, as the SDK does.
//
// A multipart upload is one CBC chain across its parts: part 1 starts with the
// IV prefix, every part but the last is a multiple of 16 bytes, only the last
// part is padded, and part n+1 continues from the last ciphertext block of part
// n. [Chain] hands out the parts of such an upload in order; the value after
// each part ([PartReader.Chain]) is what a checkpoint saves, and
// [ResumeChain] continues from it in a later process.
//
// Every transformation is a stream: nothing here holds a whole object in
// memory. Encryption and decryption work in batches of [ChunkSize] bytes.
package crypto

// User-metadata names of the format, without the "x-kss-meta-" prefix.
const (
	// MetaIV holds base64(IV).
	MetaIV = "iv"
	// MetaKey holds the key fingerprint, see [Key.Fingerprint].
	MetaKey = "key"
	// MetaPlainLength holds the decimal plaintext length (single PUTs only).
	MetaPlainLength = "unencrypted-content-length"
	// MetaPlainMD5 holds base64(MD5(plaintext)) (single PUTs only).
	MetaPlainMD5 = "unencrypted-content-md5"
)

const (
	// BlockSize is the AES block size, the unit of the CBC chain and of the
	// padding.
	BlockSize = 16
	// KeySize is the length of an AES-128 key.
	KeySize = 16
	// ChunkSize is the batch size in which the streams in this package encrypt
	// and decrypt.
	ChunkSize = 64 << 10
)
