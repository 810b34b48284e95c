package crypto

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
)

// Key is an AES-128 key in the SDK's format: 16 raw bytes. Its String and
// GoString methods never print the key material.
type Key [KeySize]byte

// keyWhitespace is the set Python's bytes.strip() removes, which the SDK
// applies to the content of a key file (ks3/connection.py load_key).
const keyWhitespace = " \t\n\r\x0b\x0c"

// maxKeyFileSize bounds what LoadKey reads; a key file is 16 bytes plus a
// little whitespace, so anything larger is the wrong file.
const maxKeyFileSize = 4096

// generateAttempts bounds how often GenerateKey redraws a key whose first or
// last byte is whitespace; a working random source needs more than a few with
// negligible probability (each draw fails with p ≈ 0.046).
const generateAttempts = 64

// ParseKey interprets the content of a key file the way the SDK does: ASCII
// whitespace is trimmed from both ends and exactly 16 bytes must remain. name
// identifies the file in the error message only.
func ParseKey(data []byte, name string) (Key, error) {
	trimmed := bytes.Trim(data, keyWhitespace)
	if len(trimmed) != KeySize {
		return Key{}, fmt.Errorf("key file %q: %d bytes after trimming whitespace, want %d: %w",
			name, len(trimmed), KeySize, ErrInvalidKey)
	}
	return Key(trimmed), nil
}

// LoadKey reads and parses the key file at path, see [ParseKey].
func LoadKey(path string) (Key, error) {
	f, err := os.Open(path)
	if err != nil {
		return Key{}, fmt.Errorf("load key: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFileSize+1))
	if err != nil {
		return Key{}, fmt.Errorf("load key: %w", err)
	}
	if len(data) > maxKeyFileSize {
		return Key{}, fmt.Errorf("key file %q: more than %d bytes, want %d: %w",
			path, maxKeyFileSize, KeySize, ErrInvalidKey)
	}
	return ParseKey(data, path)
}

// GenerateKey draws a fresh key from random (crypto/rand when nil). Keys whose
// first or last byte is whitespace are redrawn, because the SDK would trim
// those bytes when loading the key file and then reject it.
func GenerateKey(random io.Reader) (Key, error) {
	if random == nil {
		random = rand.Reader
	}
	var k Key
	for range generateAttempts {
		if _, err := io.ReadFull(random, k[:]); err != nil {
			return Key{}, fmt.Errorf("generate key: %w", err)
		}
		if !isKeyWhitespace(k[0]) && !isKeyWhitespace(k[KeySize-1]) {
			return k, nil
		}
	}
	return Key{}, fmt.Errorf("generate key: random source produced whitespace-edged keys %d times in a row", generateAttempts)
}

func isKeyWhitespace(b byte) bool {
	return bytes.IndexByte([]byte(keyWhitespace), b) >= 0
}

// WriteKeyFile generates a key (see [GenerateKey]) and writes its 16 raw bytes
// to a new file at path with mode 0600. It never overwrites: if path exists
// the error wraps [fs.ErrExist].
func WriteKeyFile(path string, random io.Reader) error {
	k, err := GenerateKey(random)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write key file: %w", err)
	}
	_, err = f.Write(k[:])
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write key file: %w", errors.Join(err, os.Remove(path)))
	}
	return nil
}

// Fingerprint returns the value the SDK stores in x-kss-meta-key:
// base64(hex(MD5(key))), 44 characters. It identifies the key without
// revealing it.
func (k Key) Fingerprint() string {
	sum := md5.Sum(k[:])
	return base64.StdEncoding.EncodeToString([]byte(hex.EncodeToString(sum[:])))
}

// String describes the key by its fingerprint, never by its bytes.
func (k Key) String() string {
	return "ks3crypto.Key(fingerprint " + k.Fingerprint() + ")"
}

// GoString is like String, so %#v does not reveal the key either.
func (k Key) GoString() string {
	return k.String()
}

// Check returns an error wrapping [ErrWrongKey] that names object if m was not
// written with this key.
func (k Key) Check(m *Metadata, object string) error {
	if err := k.match(m); err != nil {
		return fmt.Errorf("object %q %w", object, err)
	}
	return nil
}

// match compares fingerprints; its error reads as a predicate so that callers
// can prefix a subject.
func (k Key) match(m *Metadata) error {
	if m == nil {
		return fmt.Errorf("has no encryption metadata: %w", ErrMalformed)
	}
	if ours := k.Fingerprint(); m.KeyFingerprint != ours {
		return fmt.Errorf("was encrypted with a different key (fingerprint %s, ours %s): %w",
			m.KeyFingerprint, ours, ErrWrongKey)
	}
	return nil
}

// aesBlock returns the AES block cipher for k.
func (k Key) aesBlock() cipher.Block {
	c, err := aes.NewCipher(k[:])
	if err != nil {
		panic(err) // unreachable: a Key always has a valid AES size
	}
	return c
}

// NewIV draws a random IV from random (crypto/rand when nil).
func NewIV(random io.Reader) ([BlockSize]byte, error) {
	if random == nil {
		random = rand.Reader
	}
	var iv [BlockSize]byte
	if _, err := io.ReadFull(random, iv[:]); err != nil {
		return iv, fmt.Errorf("new iv: %w", err)
	}
	return iv, nil
}
