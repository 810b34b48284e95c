package auth

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"net/http"
	"strings"

	"github.com/ks3sync/ks3sync/ks3server/apierr"
)

// crc64NVME is the reflected polynomial of CRC-64/NVME, one of the
// checksums S3 clients send.
const crc64NVME = 0x9a6c9329ac4bc9b5

// checksumHeaderPrefix starts the x-amz-checksum-ALGORITHM headers (and
// trailers) that carry a base64 checksum of the object.
const checksumHeaderPrefix = "x-amz-checksum-"

// newChecksumHash returns the hash of an x-amz-checksum-* algorithm name
// ("crc32", "crc32c", "crc64nvme", "sha1", "sha256"), or nil for others.
func newChecksumHash(alg string) hash.Hash {
	switch alg {
	case "crc32":
		return crc32.NewIEEE()
	case "crc32c":
		return crc32.New(crc32.MakeTable(crc32.Castagnoli))
	case "crc64nvme":
		return crc64.New(crc64.MakeTable(crc64NVME))
	case "sha1":
		return sha1.New()
	case "sha256":
		return sha256.New()
	}
	return nil
}

// Checksum verifies one x-amz-checksum-* value against the data written to
// it.
type Checksum struct {
	alg  string
	h    hash.Hash
	want string // base64; set from a trailer when the header announces one
}

// newChecksum returns a checksum for the lower-case header name, or nil
// when the name is no checksum this server computes.
func newChecksum(name, want string) *Checksum {
	alg, ok := strings.CutPrefix(name, checksumHeaderPrefix)
	if !ok {
		return nil
	}
	h := newChecksumHash(alg)
	if h == nil {
		return nil
	}
	return &Checksum{alg: alg, h: h, want: want}
}

// ChecksumFromHeader returns the checksum of the first x-amz-checksum-*
// header with a known algorithm, or nil.
func ChecksumFromHeader(h http.Header) *Checksum {
	for name, values := range h {
		if c := newChecksum(strings.ToLower(name), strings.Join(values, ",")); c != nil {
			return c
		}
	}
	return nil
}

// Write implements io.Writer; it never fails.
func (c *Checksum) Write(p []byte) (int, error) { return c.h.Write(p) }

// Check compares the computed checksum with the expected one; a nil
// checksum always passes. A mismatch is apierr.BadDigest.
func (c *Checksum) Check() error {
	if c == nil {
		return nil
	}
	if got := base64.StdEncoding.EncodeToString(c.h.Sum(nil)); got != c.want {
		return apierr.BadDigest.WithMessage("The %s you specified did not match the calculated checksum.", strings.ToUpper(c.alg))
	}
	return nil
}
