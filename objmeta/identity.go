package objmeta

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
)

// identityInfo binds the identity key to its one use (HKDF "info").
const identityInfo = "ks3sync md5 identity v1"

// Identity turns the plaintext MD5 of a file into the keyed value that
// ks3sync records (as md5-hmac) on the objects it encrypts, instead of the
// MD5 itself: HMAC-SHA256, under a key derived from the pair's encryption
// key, of the 16 MD5 bytes, in lower-case hex. Whoever holds the
// encryption key computes the same value from a local file and so can
// tell, without downloading, whether an object holds that file; whoever
// reads only the bucket cannot confirm a guess of the content.
type Identity struct {
	key []byte
}

// NewIdentity returns the Identity of objects encrypted with k: its key is
// HKDF-SHA256(k, info "ks3sync md5 identity v1"), 32 bytes, so it reveals
// nothing of k.
func NewIdentity(k ks3crypto.Key) Identity {
	key, err := hkdf.Key(sha256.New, k[:], nil, identityInfo, sha256.Size)
	if err != nil {
		panic("objmeta: derive the identity key: " + err.Error()) // fixed sizes: cannot happen
	}
	return Identity{key: key}
}

// Of returns the keyed value of md5Hex, a hex MD5 in either case, or ""
// when md5Hex is not one.
func (id Identity) Of(md5Hex string) string {
	raw, err := hex.DecodeString(md5Hex)
	if err != nil || len(raw) != 16 {
		return ""
	}
	m := hmac.New(sha256.New, id.key)
	m.Write(raw)
	return hex.EncodeToString(m.Sum(nil))
}

// Matches reports whether keyed, a recorded md5-hmac value, is the keyed
// value of md5Hex. The comparison takes the same time wherever they differ.
func (id Identity) Matches(md5Hex, keyed string) bool {
	want := id.Of(md5Hex)
	return want != "" && hmac.Equal([]byte(want), []byte(strings.ToLower(keyed)))
}

// IsKeyedHex reports whether s looks like a keyed value: 64 hex digits.
func IsKeyedHex(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
