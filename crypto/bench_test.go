package crypto_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"fmt"
	"io"
	"testing"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
)

// The benchmarks process benchSize bytes per operation. BenchmarkRawCBC is
// the ceiling: a bare CBC loop over the same bytes in ChunkSize batches, with
// no I/O. Compare ns/op (or MB/s) of the others against it.
const benchSize = 16 << 20

// readSizesBench are the caller buffer sizes: what net/http's io.Copy uses,
// and a large buffer that takes the direct path.
var readSizesBench = []int{32 << 10, 1 << 20}

func BenchmarkRawCBC(b *testing.B) {
	c, err := aes.NewCipher(vecKey[:])
	if err != nil {
		b.Fatal(err)
	}
	src := patterned(benchSize)
	dst := make([]byte, ks3crypto.ChunkSize)
	var iv [16]byte
	b.Run("encrypt", func(b *testing.B) {
		b.SetBytes(benchSize)
		for b.Loop() {
			mode := cipher.NewCBCEncrypter(c, iv[:])
			for off := 0; off < len(src); off += len(dst) {
				mode.CryptBlocks(dst, src[off:off+len(dst)])
			}
		}
	})
	b.Run("decrypt", func(b *testing.B) {
		b.SetBytes(benchSize)
		for b.Loop() {
			mode := cipher.NewCBCDecrypter(c, iv[:])
			for off := 0; off < len(src); off += len(dst) {
				mode.CryptBlocks(dst, src[off:off+len(dst)])
			}
		}
	})
}

func BenchmarkEncryptPart(b *testing.B) {
	plain := patterned(benchSize)
	for _, size := range readSizesBench {
		b.Run(fmt.Sprintf("read=%dKiB", size>>10), func(b *testing.B) {
			buf := make([]byte, size)
			b.SetBytes(benchSize)
			b.ReportAllocs()
			for b.Loop() {
				p, err := ks3crypto.EncryptPart(vecKey, [16]byte{}, true, true, section(plain))
				if err != nil {
					b.Fatal(err)
				}
				drain(b, p, buf)
			}
		})
	}
}

func BenchmarkEncryptReader(b *testing.B) {
	plain := patterned(benchSize)
	buf := make([]byte, 32<<10)
	b.SetBytes(benchSize)
	b.ReportAllocs()
	for b.Loop() {
		drain(b, ks3crypto.NewEncryptReader(bytes.NewReader(plain), vecKey, [16]byte{}), buf)
	}
}

func BenchmarkDecrypt(b *testing.B) {
	var iv [16]byte
	body := reference(b, vecKey, iv, patterned(benchSize-1))
	m := metadataFor(b, vecKey, iv, benchSize-1)
	for _, size := range readSizesBench {
		b.Run(fmt.Sprintf("reader/read=%dKiB", size>>10), func(b *testing.B) {
			buf := make([]byte, size)
			b.SetBytes(benchSize)
			b.ReportAllocs()
			for b.Loop() {
				drain(b, ks3crypto.NewDecryptReader(bytes.NewReader(body), vecKey, m), buf)
			}
		})
	}
	b.Run("writer/write=32KiB", func(b *testing.B) {
		b.SetBytes(benchSize)
		b.ReportAllocs()
		for b.Loop() {
			w, err := ks3crypto.NewDecryptWriter(io.Discard, vecKey, m)
			if err != nil {
				b.Fatal(err)
			}
			for off := 0; off < len(body); off += 32 << 10 {
				if _, err := w.Write(body[off:min(off+32<<10, len(body))]); err != nil {
					b.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// drain reads r to EOF through buf.
func drain(b *testing.B, r io.Reader, buf []byte) {
	for {
		_, err := r.Read(buf)
		if err == io.EOF {
			return
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}
