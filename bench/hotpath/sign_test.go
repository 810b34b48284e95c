package hotpath

import (
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3"
)

// BenchmarkPresignURL is the KSS signature alone: canonical string, HMAC,
// URL encoding, with no network.
func BenchmarkPresignURL(b *testing.B) {
	benchPresign(b, ks3.SignatureKSS)
}

// BenchmarkPresignURLV4 is the same with AWS Signature Version 4: canonical
// request, SHA-256, the derived signing key and its HMAC chain.
func BenchmarkPresignURLV4(b *testing.B) {
	benchPresign(b, ks3.SignatureV4)
}

func benchPresign(b *testing.B, signature string) {
	c := newFakeServerSigned(b, "", signature)
	expires := time.Now().Add(24 * time.Hour) // within SigV4's 7-day limit
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.PresignURL("GET", "bench", "data/d0001/f0000123.bin", expires, ks3.PresignOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHeadObject is one signed request over loopback to a server that
// answers at once: the client's whole per-request cost (sign, send, parse
// headers) plus one loopback round trip. It bounds the number of requests
// per second one core can issue, which is what small-file uploads need.
func BenchmarkHeadObject(b *testing.B) {
	c := newFakeServer(b, "")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.HeadObject(b.Context(), "bench", "data/d0001/f0000123.bin"); err != nil {
			b.Fatal(err)
		}
	}
}
