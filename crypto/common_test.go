package crypto_test

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"io"
	"testing"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
)

// vecKey is the key of every vector in the protocol reference.
var vecKey = ks3crypto.Key([]byte("0123456789abcdef"))

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func mustIV(t testing.TB, s string) [ks3crypto.BlockSize]byte {
	t.Helper()
	return [ks3crypto.BlockSize]byte(mustHex(t, s))
}

func section(b []byte) *io.SectionReader {
	return io.NewSectionReader(bytes.NewReader(b), 0, int64(len(b)))
}

func md5b64(b []byte) string {
	sum := md5.Sum(b)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// encryptPart runs EncryptPart to the end and returns the body and the chain
// value.
func encryptPart(t testing.TB, key ks3crypto.Key, prev [16]byte, first, last bool, plain []byte) ([]byte, [16]byte) {
	t.Helper()
	p, err := ks3crypto.EncryptPart(key, prev, first, last, section(plain))
	if err != nil {
		t.Fatalf("EncryptPart(%d bytes, first=%v, last=%v): %v", len(plain), first, last, err)
	}
	body, err := io.ReadAll(p)
	if err != nil {
		t.Fatalf("read part: %v", err)
	}
	if int64(len(body)) != p.Size() {
		t.Fatalf("part body is %d bytes, Size() says %d", len(body), p.Size())
	}
	chain, err := p.Chain()
	if err != nil {
		t.Fatalf("Chain after EOF: %v", err)
	}
	if !bytes.Equal(chain[:], body[len(body)-16:]) {
		t.Fatalf("Chain() = %x, want the last ciphertext block %x", chain, body[len(body)-16:])
	}
	return body, chain
}

// encryptParts encrypts plain as one CBC chain split into parts of the given
// sizes, through a Chain, and returns each part's body.
func encryptParts(t testing.TB, key ks3crypto.Key, iv [16]byte, plain []byte, sizes []int) [][]byte {
	t.Helper()
	chain := ks3crypto.NewChain(key, iv)
	var bodies [][]byte
	off := 0
	for i, size := range sizes {
		n, p, err := chain.Next(section(plain[off:off+size]), i == len(sizes)-1)
		if err != nil || n != i+1 {
			t.Fatalf("Next for %d bytes = part %d, %v; want part %d", size, n, err, i+1)
		}
		body, err := io.ReadAll(p)
		if err != nil {
			t.Fatalf("read part %d: %v", n, err)
		}
		bodies = append(bodies, body)
		off += size
	}
	return bodies
}

// metadataFor returns the parsed metadata of an object encrypted with key and iv.
func metadataFor(t testing.TB, key ks3crypto.Key, iv [16]byte, plainLen int64) *ks3crypto.Metadata {
	t.Helper()
	meta := ks3crypto.MultipartMetadata(key, iv)
	if plainLen >= 0 {
		meta = ks3crypto.SinglePutMetadata(key, iv, plainLen, nil)
	}
	m, ok, err := ks3crypto.ParseMetadata(meta)
	if err != nil || !ok {
		t.Fatalf("ParseMetadata(%v) = %v, %v", meta, ok, err)
	}
	return m
}

func decryptAll(t testing.TB, key ks3crypto.Key, m *ks3crypto.Metadata, body []byte) []byte {
	t.Helper()
	got, err := io.ReadAll(ks3crypto.NewDecryptReader(bytes.NewReader(body), key, m))
	if err != nil {
		t.Fatalf("decrypt %d bytes: %v", len(body), err)
	}
	return got
}
