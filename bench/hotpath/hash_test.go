package hotpath

import (
	"bytes"
	"crypto/md5"
	"math/rand/v2"
	"testing"

	"github.com/ks3sync/ks3sync/ks3"
)

// putSize is one single-PUT object, the largest below the default
// multipart threshold.
const putSize = 64 << 20

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{1}).Read(b)
	return b
}

// BenchmarkBareMD5 is the ceiling of every upload: MD5 over the bytes in
// memory on one core.
func BenchmarkBareMD5(b *testing.B) {
	data := randomBytes(putSize)
	b.SetBytes(putSize)
	for b.Loop() {
		md5.Sum(data)
	}
}

// BenchmarkPutSingle uploads 64 MiB from memory with one PUT to a loopback
// server that discards the body: Content-MD5, signing, and sending the
// bytes. Compare its MB/s with BenchmarkBareMD5's.
func BenchmarkPutSingle(b *testing.B) {
	data := randomBytes(putSize)
	c := newFakeServer(b, "")
	b.SetBytes(putSize)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Put(b.Context(), "bench", "big.bin", bytes.NewReader(data), putSize, ks3.UploadOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPutMultipart uploads 256 MiB from memory in parts, four in
// flight, to the same server: the large-file path of ks3sync.
func BenchmarkPutMultipart(b *testing.B) {
	const size = 4 * putSize
	data := randomBytes(size)
	c := newFakeServer(b, "")
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		_, err := c.Put(b.Context(), "bench", "big.bin", bytes.NewReader(data), size, ks3.UploadOptions{Threshold: 8 << 20, PartSize: 16 << 20})
		if err != nil {
			b.Fatal(err)
		}
	}
}
