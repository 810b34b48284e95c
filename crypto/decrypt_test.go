package crypto_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
)

// decryptBoth runs body through the decrypting reader and writer and returns
// what each produced and its error.
func decryptBoth(t *testing.T, key ks3crypto.Key, m *ks3crypto.Metadata, body []byte) (readOut []byte, readErr error, writeOut []byte, writeErr error) {
	t.Helper()
	r := ks3crypto.NewDecryptReader(bytes.NewReader(body), key, m)
	readOut, readErr = io.ReadAll(r)
	if _, err := r.Read(make([]byte, 1)); !errors.Is(err, readErr) && !(readErr == nil && err == io.EOF) {
		t.Errorf("reader error is not sticky: %v then %v", readErr, err)
	}

	var buf bytes.Buffer
	w, err := ks3crypto.NewDecryptWriter(&buf, key, m)
	if err != nil {
		return readOut, readErr, buf.Bytes(), err
	}
	if _, err := w.Write(body); err != nil {
		return readOut, readErr, buf.Bytes(), err
	}
	return readOut, readErr, buf.Bytes(), w.Close()
}

func TestDecryptWrongKeyWritesNothing(t *testing.T) {
	iv := [16]byte{3}
	plain := patterned(5000)
	body := reference(t, vecKey, iv, plain)
	m := metadataFor(t, vecKey, iv, int64(len(plain)))
	other := ks3crypto.Key([]byte("another key 0123"))

	n, err := ks3crypto.NewDecryptReader(bytes.NewReader(body), other, m).Read(make([]byte, 4096))
	if n != 0 || !errors.Is(err, ks3crypto.ErrWrongKey) {
		t.Errorf("first Read with a wrong key = %d, %v; want 0, ErrWrongKey", n, err)
	}
	var buf bytes.Buffer
	if _, err := ks3crypto.NewDecryptWriter(&buf, other, m); !errors.Is(err, ks3crypto.ErrWrongKey) {
		t.Errorf("NewDecryptWriter with a wrong key = %v, want ErrWrongKey", err)
	}
	if buf.Len() != 0 {
		t.Errorf("%d bytes written with a wrong key", buf.Len())
	}
	if _, err := ks3crypto.NewDecryptReader(bytes.NewReader(body), vecKey, nil).Read(make([]byte, 16)); err == nil {
		t.Error("decrypting without metadata succeeded")
	}
}

func TestDecryptIVMismatchWritesNothing(t *testing.T) {
	iv := [16]byte{3}
	plain := patterned(5000)
	body := reference(t, vecKey, iv, plain)
	m := metadataFor(t, vecKey, [16]byte{4}, int64(len(plain)))

	readOut, readErr, writeOut, writeErr := decryptBoth(t, vecKey, m, body)
	if !errors.Is(readErr, ks3crypto.ErrIVMismatch) || !errors.Is(writeErr, ks3crypto.ErrIVMismatch) {
		t.Errorf("errors = %v / %v, want ErrIVMismatch", readErr, writeErr)
	}
	if len(readOut) != 0 || len(writeOut) != 0 {
		t.Errorf("IV mismatch produced %d / %d plaintext bytes", len(readOut), len(writeOut))
	}
}

// encryptRaw returns iv || CBC(blocks) with no padding added, to craft
// bodies whose last block is not validly padded.
func encryptRaw(t *testing.T, iv [16]byte, blocks []byte) []byte {
	t.Helper()
	c, err := aes.NewCipher(vecKey[:])
	if err != nil {
		t.Fatal(err)
	}
	out := append(iv[:], make([]byte, len(blocks))...)
	cipher.NewCBCEncrypter(c, iv[:]).CryptBlocks(out[16:], blocks)
	return out
}

func TestDecryptCorruptBodies(t *testing.T) {
	iv := [16]byte{7}
	m := metadataFor(t, vecKey, iv, -1)
	good := reference(t, vecKey, iv, []byte("Hello, KS3!"))
	tests := []struct {
		name string
		body []byte
		is   error
	}{
		{"pad byte outside the alphabet", encryptRaw(t, iv, []byte("AAAAAAAAAAAAAAAh")), ks3crypto.ErrBadPadding},
		{"pad byte zero", encryptRaw(t, iv, []byte("AAAAAAAAAAAAAAA\x00")), ks3crypto.ErrBadPadding},
		{"inconsistent pad bytes", encryptRaw(t, iv, []byte("AAAAAAAAAAAAAx33")), ks3crypto.ErrBadPadding},
		{"PKCS#7 padding", encryptRaw(t, iv, []byte("Hello, KS3!\x05\x05\x05\x05\x05")), ks3crypto.ErrBadPadding},
		{"pad after a full block", encryptRaw(t, iv, []byte("0123456789abcdef0123456789abcdeh")), ks3crypto.ErrBadPadding},
		{"empty body", nil, ks3crypto.ErrMalformed},
		{"shorter than the IV", iv[:10], ks3crypto.ErrMalformed},
		{"IV only", iv[:], ks3crypto.ErrMalformed},
		{"truncated mid-block", good[:30], ks3crypto.ErrMalformed},
		{"extra bytes", append(bytes.Clone(good), 1, 2, 3), ks3crypto.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, readErr, _, writeErr := decryptBoth(t, vecKey, m, tt.body)
			if !errors.Is(readErr, tt.is) || !errors.Is(writeErr, tt.is) {
				t.Errorf("errors = %v / %v, want %v", readErr, writeErr, tt.is)
			}
		})
	}
}

func TestDecryptPlainLengthMismatch(t *testing.T) {
	iv := [16]byte{8}
	body := reference(t, vecKey, iv, []byte("Hello, KS3!"))
	m := metadataFor(t, vecKey, iv, 12)
	_, readErr, _, writeErr := decryptBoth(t, vecKey, m, body)
	if !errors.Is(readErr, ks3crypto.ErrMalformed) || !errors.Is(writeErr, ks3crypto.ErrMalformed) {
		t.Errorf("errors = %v / %v, want ErrMalformed", readErr, writeErr)
	}
}

func TestDecryptSourceError(t *testing.T) {
	iv := [16]byte{9}
	body := reference(t, vecKey, iv, patterned(100))
	m := metadataFor(t, vecKey, iv, 100)
	failure := errors.New("connection reset")
	src := io.MultiReader(bytes.NewReader(body[:50]), errReader{failure})
	if _, err := io.ReadAll(ks3crypto.NewDecryptReader(src, vecKey, m)); !errors.Is(err, failure) {
		t.Errorf("decrypting a failing source: %v, want %v", err, failure)
	}
}

func TestDecryptWriterUnderlyingError(t *testing.T) {
	iv := [16]byte{10}
	body := reference(t, vecKey, iv, patterned(3*ks3crypto.ChunkSize))
	m := metadataFor(t, vecKey, iv, -1)
	failure := errors.New("disk full")
	w, err := ks3crypto.NewDecryptWriter(failingWriter{failure}, vecKey, m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(body); !errors.Is(err, failure) {
		t.Errorf("Write = %v, want %v", err, failure)
	}
	if err := w.Close(); !errors.Is(err, failure) {
		t.Errorf("Close after a failed Write = %v, want %v", err, failure)
	}
	if _, err := w.Write(body); !errors.Is(err, failure) {
		t.Errorf("Write after a failure = %v, want the sticky %v", err, failure)
	}
}

type failingWriter struct{ err error }

func (f failingWriter) Write([]byte) (int, error) { return 0, f.err }

func TestDecryptWriterClose(t *testing.T) {
	iv := [16]byte{11}
	body := reference(t, vecKey, iv, []byte("abc"))
	var buf bytes.Buffer
	w, err := ks3crypto.NewDecryptWriter(&buf, vecKey, metadataFor(t, vecKey, iv, 3))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(body); err != nil {
		t.Fatal(err)
	}
	if buf.Len() != 0 {
		t.Errorf("%d bytes written before Close, want the last block held back", buf.Len())
	}
	if err := w.Close(); err != nil || buf.String() != "abc" {
		t.Fatalf("Close = %v, output %q", err, buf.String())
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if _, err := w.Write(body); err == nil {
		t.Error("Write after Close succeeded")
	}
}

func TestEncryptReaderSourceError(t *testing.T) {
	failure := errors.New("stdin closed")
	r := ks3crypto.NewEncryptReader(io.MultiReader(bytes.NewReader(patterned(40)), errReader{failure}), vecKey, [16]byte{})
	out, err := io.ReadAll(r)
	if !errors.Is(err, failure) {
		t.Errorf("ReadAll = %v, want %v", err, failure)
	}
	if len(out) != 16+32 {
		t.Errorf("got %d bytes before the error, want the IV and the two whole blocks read", len(out))
	}
	if _, err := ks3crypto.NewEncryptReader(emptyReads{}, vecKey, [16]byte{}).Read(make([]byte, 64)); err != nil {
		t.Fatalf("first Read (the IV) = %v", err)
	}
	r = ks3crypto.NewEncryptReader(emptyReads{}, vecKey, [16]byte{})
	if _, err := io.ReadAll(r); !errors.Is(err, io.ErrNoProgress) {
		t.Errorf("a source that never makes progress: %v, want io.ErrNoProgress", err)
	}
}

// emptyReads returns (0, nil) forever.
type emptyReads struct{}

func (emptyReads) Read([]byte) (int, error) { return 0, nil }

func TestDecryptOneByteSource(t *testing.T) {
	iv := [16]byte{12}
	plain := patterned(1000)
	body := reference(t, vecKey, iv, plain)
	got, err := io.ReadAll(ks3crypto.NewDecryptReader(iotest.OneByteReader(bytes.NewReader(body)), vecKey, metadataFor(t, vecKey, iv, 1000)))
	if err != nil || !bytes.Equal(got, plain) {
		t.Errorf("one-byte source: %v", err)
	}
	if err := iotest.TestReader(ks3crypto.NewDecryptReader(bytes.NewReader(body), vecKey, metadataFor(t, vecKey, iv, 1000)), plain); err != nil {
		t.Error(err)
	}
}
