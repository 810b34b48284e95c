package crypto_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"fmt"
	"io"
	"testing"
	"testing/iotest"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
)

// reference is an independent one-shot implementation of the layout:
// IV || CBC(plaintext || pad) with the SDK pad alphabet.
func reference(t testing.TB, key ks3crypto.Key, iv [16]byte, plain []byte) []byte {
	t.Helper()
	n := 16 - len(plain)%16
	padded := append(bytes.Clone(plain), bytes.Repeat([]byte{"123456789abcdefg"[n-1]}, n)...)
	c, err := aes.NewCipher(key[:])
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, 16+len(padded))
	copy(out, iv[:])
	cipher.NewCBCEncrypter(c, iv[:]).CryptBlocks(out[16:], padded)
	return out
}

// splitPattern turns a plaintext length into part sizes: multiples of 16
// except the last, all non-empty.
type splitPattern struct {
	name  string
	sizes func(n int) []int
}

func fixedParts(size int) func(int) []int {
	return func(n int) []int {
		var sizes []int
		for n > size {
			sizes = append(sizes, size)
			n -= size
		}
		return append(sizes, n)
	}
}

var splitPatterns = []splitPattern{
	{"single", func(n int) []int { return []int{n} }},
	{"16", fixedParts(16)},
	{"32", fixedParts(32)},
	{"48", fixedParts(48)},
	{"growing", func(n int) []int {
		var sizes []int
		for size := 16; n > size; size += 16 {
			sizes = append(sizes, size)
			n -= size
		}
		return append(sizes, n)
	}},
	{"chunk+16", fixedParts(ks3crypto.ChunkSize + 16)},
}

// readSizes are the buffer sizes readWith cycles through: shorter than a
// block, unaligned, and at least a batch (the direct path).
var readSizes = []int{1, 7, 16, 33, 4096, ks3crypto.ChunkSize + 5, 100}

// readWith reads r to EOF with buffers of varying sizes.
func readWith(r io.Reader) ([]byte, error) {
	var out []byte
	buf := make([]byte, ks3crypto.ChunkSize+5)
	for i := 0; ; i++ {
		n, err := r.Read(buf[:readSizes[i%len(readSizes)]])
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

// writeWith writes body to w in pieces of varying sizes.
func writeWith(w io.Writer, body []byte) error {
	for i := 0; len(body) > 0; i++ {
		n := min(len(body), readSizes[(i+3)%len(readSizes)])
		if _, err := w.Write(body[:n]); err != nil {
			return err
		}
		body = body[n:]
	}
	return nil
}

// checkRoundTrip encrypts plain as parts of the given sizes (nil: stream
// only) and checks every way of encrypting and decrypting against reference.
func checkRoundTrip(t *testing.T, key ks3crypto.Key, iv [16]byte, plain []byte, sizes []int) {
	t.Helper()
	want := reference(t, key, iv, plain)
	stream, err := readWith(ks3crypto.NewEncryptReader(iotest.HalfReader(bytes.NewReader(plain)), key, iv))
	if err != nil || !bytes.Equal(stream, want) {
		t.Fatalf("%d bytes: NewEncryptReader differs from reference (err %v)", len(plain), err)
	}
	if len(plain) > 0 {
		bodies := encryptParts(t, key, iv, plain, sizes)
		if object := bytes.Join(bodies, nil); !bytes.Equal(object, want) {
			t.Fatalf("%d bytes in parts %v: object differs from reference", len(plain), sizes)
		}
	}
	if int64(len(want)) != ks3crypto.PartCipherSize(int64(len(plain)), true, true) {
		t.Errorf("%d bytes: PartCipherSize = %d, object is %d", len(plain), ks3crypto.PartCipherSize(int64(len(plain)), true, true), len(want))
	}
	checkDecrypt(t, key, iv, plain, want)
}

func checkDecrypt(t *testing.T, key ks3crypto.Key, iv [16]byte, plain, object []byte) {
	t.Helper()
	sum := md5.Sum(plain)
	meta := ks3crypto.SinglePutMetadata(key, iv, int64(len(plain)), sum[:])
	m, _, err := ks3crypto.ParseMetadata(meta)
	if err != nil {
		t.Fatal(err)
	}
	got, err := readWith(ks3crypto.NewDecryptReader(iotest.HalfReader(bytes.NewReader(object)), key, m))
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("%d bytes: DecryptReader round trip failed (err %v)", len(plain), err)
	}
	var buf bytes.Buffer
	w, err := ks3crypto.NewDecryptWriter(&buf, key, m)
	if err == nil {
		err = writeWith(w, object)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil || !bytes.Equal(buf.Bytes(), plain) {
		t.Fatalf("%d bytes: DecryptWriter round trip failed (err %v)", len(plain), err)
	}
	size, err := ks3crypto.PlainSizeFromTail(key, int64(len(object)), object[len(object)-32:])
	if err != nil || size != int64(len(plain)) {
		t.Fatalf("%d bytes: PlainSizeFromTail = %d, %v", len(plain), size, err)
	}
}

func TestRoundTripSizes(t *testing.T) {
	key := ks3crypto.Key([]byte("round trip key!!"))
	iv := [16]byte{0: 0xaa, 15: 0x55}
	sizes := make([]int, 0, 110)
	for n := range 101 {
		sizes = append(sizes, n)
	}
	sizes = append(sizes, ks3crypto.ChunkSize-1, ks3crypto.ChunkSize, ks3crypto.ChunkSize+17, 3*ks3crypto.ChunkSize+5)
	plain := patterned(3*ks3crypto.ChunkSize + 5)
	for _, n := range sizes {
		for _, sp := range splitPatterns {
			t.Run(fmt.Sprintf("%d/%s", n, sp.name), func(t *testing.T) {
				checkRoundTrip(t, key, iv, plain[:n], sp.sizes(n))
			})
		}
	}
}

// patterned returns n bytes that differ from block to block.
func patterned(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

// TestPartReaderIOTest runs the standard library's reader conformance test,
// seeks included, over parts of every kind.
func TestPartReaderIOTest(t *testing.T) {
	key := ks3crypto.Key([]byte("iotest key 16 by"))
	iv := [16]byte{1, 2, 3}
	plain := patterned(2*ks3crypto.ChunkSize + 40)
	for _, tt := range []struct {
		n           int
		first, last bool
	}{
		{16, true, false}, {16, false, false}, {5, true, true}, {5, false, true},
		{160, true, true}, {2 * ks3crypto.ChunkSize, true, false}, {2*ks3crypto.ChunkSize + 40, false, true},
	} {
		want, _ := encryptPart(t, key, iv, tt.first, tt.last, plain[:tt.n])
		p, err := ks3crypto.EncryptPart(key, iv, tt.first, tt.last, section(plain[:tt.n]))
		if err != nil {
			t.Fatal(err)
		}
		if err := iotest.TestReader(p, want); err != nil {
			t.Errorf("%d bytes, first=%v, last=%v: %v", tt.n, tt.first, tt.last, err)
		}
	}
}

func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte{}, []byte{}, byte(0))
	f.Add([]byte("Hello, KS3!"), []byte{0}, byte(1))
	f.Add(bytes.Repeat([]byte("A"), 16), []byte{1, 2}, byte(2))
	f.Add(patterned(53), []byte{1}, byte(3))
	f.Add(patterned(200), []byte{0, 3, 1, 2}, byte(4))
	f.Add(patterned(1000), []byte{7, 7, 7}, byte(5))
	f.Fuzz(func(t *testing.T, plain, split []byte, ivSeed byte) {
		key := ks3crypto.Key([]byte("fuzzing key 0123"))
		iv := [16]byte(bytes.Repeat([]byte{ivSeed}, 16))
		checkRoundTrip(t, key, iv, plain, fuzzSizes(len(plain), split))
	})
}

// fuzzSizes splits n plaintext bytes into parts: each byte of split asks for
// a part of 16*(1+b%8) bytes while more than that remains; the rest is the
// last part.
func fuzzSizes(n int, split []byte) []int {
	var sizes []int
	for _, b := range split {
		size := 16 * (1 + int(b%8))
		if n <= size {
			break
		}
		sizes = append(sizes, size)
		n -= size
	}
	return append(sizes, n)
}
