package harness

import (
	"crypto/aes"
	"crypto/cipher"
	"time"
)

// CBCRate measures this machine's AES-128-CBC encryption speed on one core,
// in MB/s (10^6 bytes), the way crypto's BenchmarkRawCBC does: a bare CBC
// loop over 1 MiB batches with no I/O. It takes the best of a few rounds of
// about a quarter second each, so that a moment of load does not count.
func CBCRate() float64 {
	c, err := aes.NewCipher(make([]byte, 16))
	if err != nil {
		panic(err) // a 16-byte key is always valid
	}
	const batch = 1 << 20
	src, dst := make([]byte, batch), make([]byte, batch)
	var iv [aes.BlockSize]byte
	bestRate := 0.0
	for range 5 {
		mode := cipher.NewCBCEncrypter(c, iv[:])
		n := 0
		start := time.Now()
		for time.Since(start) < 250*time.Millisecond {
			mode.CryptBlocks(dst, src)
			n += batch
		}
		bestRate = max(bestRate, float64(n)/1e6/time.Since(start).Seconds())
	}
	return bestRate
}
