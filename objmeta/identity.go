package objmeta

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
)

// identityInfo binds the identity key to its one use (HKDF "info").
const identityInfo = "ks3sync md5 seal v1"

// Identity turns the plaintext MD5 of a file into the sealed value that
// ks3sync records (as md5-sealed) on the objects it encrypts, instead of
// the MD5 itself: the 16 MD5 bytes encrypted as one AES-128 block under a
// key derived from the pair's encryption key, in lower-case hex. One block
// under a fixed key is a permutation, so equal MD5s give equal sealed
// values: whoever holds the encryption key computes the sealed value of a
// local file (and opens a recorded one) and so can tell, without
// downloading, whether an object holds that file; whoever reads only the
// bucket cannot confirm a guess of the content.
type Identity struct {
	block cipher.Block
}

// NewIdentity returns the Identity of objects encrypted with k: its key is
// HKDF-SHA256(k, no salt, info "ks3sync md5 seal v1"), 16 bytes, so it
// reveals nothing of k.
func NewIdentity(k ks3crypto.Key) Identity {
	key, err := hkdf.Key(sha256.New, k[:], nil, identityInfo, 16)
	if err != nil {
		panic("objmeta: derive the identity key: " + err.Error()) // fixed sizes: cannot happen
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		panic("objmeta: identity cipher: " + err.Error()) // 16-byte key: cannot happen
	}
	return Identity{block: block}
}

// Of returns the sealed value of md5Hex, a hex MD5 in either case, or ""
// when md5Hex is not one.
func (id Identity) Of(md5Hex string) string {
	raw, err := hex.DecodeString(md5Hex)
	if err != nil || len(raw) != aes.BlockSize {
		return ""
	}
	var out [aes.BlockSize]byte
	id.block.Encrypt(out[:], raw)
	return hex.EncodeToString(out[:])
}

// Open returns the MD5 (lower-case hex) that sealed stands for, and false
// when sealed is not a sealed value.
func (id Identity) Open(sealed string) (string, bool) {
	raw, err := hex.DecodeString(sealed)
	if err != nil || len(raw) != aes.BlockSize {
		return "", false
	}
	var out [aes.BlockSize]byte
	id.block.Decrypt(out[:], raw)
	return hex.EncodeToString(out[:]), true
}

// Matches reports whether sealed, a recorded md5-sealed value, is the
// sealed value of md5Hex. The comparison takes the same time wherever they
// differ.
func (id Identity) Matches(md5Hex, sealed string) bool {
	want := id.Of(md5Hex)
	return want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToLower(sealed))) == 1
}

// IsKeyedHex reports whether s looks like a sealed value: 32 hex digits.
func IsKeyedHex(s string) bool { return IsMD5Hex(s) }
