package crypto

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// Metadata describes an SDK-encrypted object, as recorded in its user metadata.
type Metadata struct {
	// IV is the CBC initialisation vector, also the first 16 bytes of the body.
	IV [BlockSize]byte
	// KeyFingerprint is the canonical x-kss-meta-key value, see
	// [Key.Fingerprint].
	KeyFingerprint string
	// PlainLength is the plaintext length, or -1 when the metadata lacks it
	// (multipart uploads); see [PlainSizeFromTail].
	PlainLength int64
	// PlainMD5 is the MD5 digest of the plaintext, or nil when unknown.
	PlainMD5 []byte
}

// ParseMetadata decides whether an object is SDK-encrypted from its user
// metadata, given with keys lower case and without the "x-kss-meta-" prefix
// (other spellings are matched case-insensitively as a fallback).
//
// An object with neither an "iv" nor a "key" entry is not encrypted: ok is
// false. An object with either looks encrypted: ok is true, and err (wrapping
// [ErrMalformed]) reports a missing partner or any value that does not parse:
// the IV must be base64 of 16 bytes, the key fingerprint base64 of 32 hex
// digits, the length a non-negative decimal, the MD5 base64 of 16 bytes.
func ParseMetadata(meta map[string]string) (m *Metadata, ok bool, err error) {
	_, hasIV := lookupMeta(meta, MetaIV)
	_, hasKey := lookupMeta(meta, MetaKey)
	if !hasIV && !hasKey {
		return nil, false, nil
	}
	if m, err = parseMetadata(meta); err != nil {
		return nil, true, fmt.Errorf("parse encryption metadata: %w", err)
	}
	return m, true, nil
}

func parseMetadata(meta map[string]string) (*Metadata, error) {
	ivText, hasIV := lookupMeta(meta, MetaIV)
	keyText, hasKey := lookupMeta(meta, MetaKey)
	if !hasIV || !hasKey {
		return nil, fmt.Errorf("%w: x-kss-meta-%s and x-kss-meta-%s must both be present", ErrMalformed, MetaIV, MetaKey)
	}
	m := &Metadata{PlainLength: -1}
	iv, err := decodeBase64(MetaIV, ivText, BlockSize)
	if err != nil {
		return nil, err
	}
	m.IV = [BlockSize]byte(iv)
	if m.KeyFingerprint, err = canonicalFingerprint(keyText); err != nil {
		return nil, err
	}
	if v, ok := lookupMeta(meta, MetaPlainLength); ok {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%w: x-kss-meta-%s %q is not a length", ErrMalformed, MetaPlainLength, v)
		}
		m.PlainLength = n
	}
	if v, ok := lookupMeta(meta, MetaPlainMD5); ok {
		if m.PlainMD5, err = decodeBase64(MetaPlainMD5, v, md5.Size); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// canonicalFingerprint validates an x-kss-meta-key value and re-encodes it
// with lower-case hex, the form [Key.Fingerprint] produces.
func canonicalFingerprint(text string) (string, error) {
	raw, err := decodeBase64(MetaKey, text, 32)
	if err != nil {
		return "", err
	}
	if _, err := hex.DecodeString(string(raw)); err != nil {
		return "", fmt.Errorf("%w: x-kss-meta-%s is not base64 of a hex MD5", ErrMalformed, MetaKey)
	}
	return base64.StdEncoding.EncodeToString([]byte(strings.ToLower(string(raw)))), nil
}

func decodeBase64(name, text string, want int) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
	if err != nil || len(raw) != want {
		return nil, fmt.Errorf("%w: x-kss-meta-%s %q is not base64 of %d bytes", ErrMalformed, name, text, want)
	}
	return raw, nil
}

// lookupMeta finds name in meta, exactly or else case-insensitively (HTTP
// header names are case-insensitive; the SDK's own lookup is not).
func lookupMeta(meta map[string]string, name string) (string, bool) {
	if v, ok := meta[name]; ok {
		return v, true
	}
	for k, v := range meta {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

// SinglePutMetadata returns the user metadata (keys without the
// "x-kss-meta-" prefix) of an encrypted single PUT: the IV, the key
// fingerprint, the plaintext length and, when plainMD5 is not nil,
// base64(plainMD5).
func SinglePutMetadata(key Key, iv [BlockSize]byte, plainLen int64, plainMD5 []byte) map[string]string {
	meta := MultipartMetadata(key, iv)
	meta[MetaPlainLength] = strconv.FormatInt(plainLen, 10)
	if plainMD5 != nil {
		meta[MetaPlainMD5] = base64.StdEncoding.EncodeToString(plainMD5)
	}
	return meta
}

// MultipartMetadata returns the user metadata (keys without the
// "x-kss-meta-" prefix) sent when initiating an encrypted multipart upload:
// the IV and the key fingerprint.
func MultipartMetadata(key Key, iv [BlockSize]byte) map[string]string {
	return map[string]string{
		MetaIV:  base64.StdEncoding.EncodeToString(iv[:]),
		MetaKey: key.Fingerprint(),
	}
}
