package crypto_test

import (
	"errors"
	"testing"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
)

func TestEncryptedSize(t *testing.T) {
	for plain, want := range map[int64]int64{0: 0, 1: 32, 11: 32, 15: 32, 16: 48, 17: 48, 53: 80, 8196: 8224, 1 << 30: 1<<30 + 32} {
		if got := ks3crypto.EncryptedSize(plain); got != want {
			t.Errorf("EncryptedSize(%d) = %d, want %d", plain, got, want)
		}
	}
}

func TestPartCipherSize(t *testing.T) {
	tests := []struct {
		plain       int64
		first, last bool
		want        int64
	}{
		{32, true, false, 48},  // V-ENC-MPU part 1
		{21, false, true, 32},  // V-ENC-MPU part 2
		{32, false, false, 32}, // a middle part
		{16, false, true, 32},  // aligned last part: a full pad block
		{11, true, true, 32},   // a single PUT
	}
	for _, tt := range tests {
		if got := ks3crypto.PartCipherSize(tt.plain, tt.first, tt.last); got != tt.want {
			t.Errorf("PartCipherSize(%d, %v, %v) = %d, want %d", tt.plain, tt.first, tt.last, got, tt.want)
		}
	}
}

func TestPlainSizeFromTailErrors(t *testing.T) {
	body, _ := encryptPart(t, vecKey, [16]byte{}, true, true, []byte("Hello, KS3!"))
	tests := []struct {
		name string
		size int64
		tail []byte
		is   error
	}{
		{"short tail", 32, body[1:], nil},
		{"object of one block", 16, body, ks3crypto.ErrMalformed},
		{"unaligned object", 40, body, ks3crypto.ErrMalformed},
		{"corrupt last block", 32, append(body[:31:31], body[31]^1), ks3crypto.ErrBadPadding},
	}
	for _, tt := range tests {
		_, err := ks3crypto.PlainSizeFromTail(vecKey, tt.size, tt.tail)
		if err == nil || (tt.is != nil && !errors.Is(err, tt.is)) {
			t.Errorf("%s: error = %v, want %v", tt.name, err, tt.is)
		}
	}
	if _, err := ks3crypto.PlainSizeFromTail(ks3crypto.Key([]byte("another key 0123")), 32, body); err == nil {
		t.Error("another key recovered a size (its decrypted pad should be garbage)")
	}
}
