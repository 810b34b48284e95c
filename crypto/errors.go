package crypto

import "errors"

// Error classes of this package; every error it returns for a malformed key or
// object wraps one of them, so callers can test with [errors.Is].
var (
	// ErrInvalidKey: a key file does not hold exactly 16 bytes once ASCII
	// whitespace is trimmed from both ends.
	ErrInvalidKey = errors.New("invalid encryption key")
	// ErrWrongKey: the object's key fingerprint is not the fingerprint of the
	// key in use.
	ErrWrongKey = errors.New("wrong encryption key")
	// ErrIVMismatch: the IV prefix of the body differs from the metadata IV.
	ErrIVMismatch = errors.New("iv prefix does not match metadata")
	// ErrBadPadding: the last plaintext block does not end in valid SDK
	// padding (corrupt object or wrong key).
	ErrBadPadding = errors.New("invalid padding")
	// ErrMalformed: encryption metadata that cannot be parsed, a ciphertext
	// whose length is not a positive multiple of 16, or a plaintext whose
	// length differs from the metadata.
	ErrMalformed = errors.New("malformed encrypted object")
)
