package ks3server

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"net/http"
	"strings"
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

// checksum verifies one x-amz-checksum-* value against the data written to
// it.
type checksum struct {
	alg  string
	h    hash.Hash
	want string // base64; set from a trailer when the header announces one
}

// newChecksum returns a checksum for the lower-case header name, or nil
// when the name is no checksum this server computes.
func newChecksum(name, want string) *checksum {
	alg, ok := strings.CutPrefix(name, checksumHeaderPrefix)
	if !ok {
		return nil
	}
	h := newChecksumHash(alg)
	if h == nil {
		return nil
	}
	return &checksum{alg: alg, h: h, want: want}
}

// checksumFromHeader returns the checksum of the first x-amz-checksum-*
// header with a known algorithm, or nil.
func checksumFromHeader(h http.Header) *checksum {
	for name, values := range h {
		if c := newChecksum(strings.ToLower(name), strings.Join(values, ",")); c != nil {
			return c
		}
	}
	return nil
}

// Write implements io.Writer; it never fails.
func (c *checksum) Write(p []byte) (int, error) { return c.h.Write(p) }

// check compares the computed checksum with the expected one; a nil
// checksum always passes.
func (c *checksum) check() error {
	if c == nil {
		return nil
	}
	if got := base64.StdEncoding.EncodeToString(c.h.Sum(nil)); got != c.want {
		return errBadDigest.withMessage("The %s you specified did not match the calculated checksum.", strings.ToUpper(c.alg))
	}
	return nil
}

// verifyV4Body arranges for the body of a SigV4 request to be checked as
// the handler reads it: against payload (the x-amz-content-sha256 value)
// and, when bodyChecksum is set, against an x-amz-checksum-* header (on
// CompleteMultipartUpload such a header describes the whole object, not
// the body). A mismatch is the read error at
// the end of the body, an apiError that handlers pass on, so nothing is
// stored. Empty bodies are checked at once, since handlers that expect no
// body never read it.
func verifyV4Body(r *http.Request, payload string, bodyChecksum bool, signing v4Signing, seed string) error {
	var sum *checksum
	if bodyChecksum {
		sum = checksumFromHeader(r.Header)
	}
	var sha hash.Hash
	switch {
	case isStreamingPayload(payload):
		return setChunkedBody(r, payload, signing, seed)
	case payload == unsignedPayload:
	case isSHA256Hex(payload):
		sha = sha256.New()
	default:
		return errInvalidArgument.withMessage("x-amz-content-sha256 must be UNSIGNED-PAYLOAD, " +
			"STREAMING-AWS4-HMAC-SHA256-PAYLOAD, or a valid sha256 value.")
	}
	if sha == nil && sum == nil {
		return nil
	}
	body := &verifyingBody{r: r.Body, sha: sha, wantSHA: payload, sum: sum}
	if r.ContentLength == 0 {
		return body.check()
	}
	r.Body = body
	return nil
}

// isSHA256Hex reports whether s is 64 lower-case hex digits.
func isSHA256Hex(s string) bool {
	if len(s) != sha256.Size*2 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}

// verifyingBody hashes a request body as it is read and fails the read
// that reaches its end when a digest does not match.
type verifyingBody struct {
	r       io.ReadCloser
	sha     hash.Hash // nil when the payload is unsigned
	wantSHA string
	sum     *checksum // nil without an x-amz-checksum-* header
}

func (b *verifyingBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if b.sha != nil {
		b.sha.Write(p[:n])
	}
	if b.sum != nil {
		b.sum.Write(p[:n])
	}
	if err == io.EOF {
		if cerr := b.check(); cerr != nil {
			return n, cerr
		}
	}
	return n, err
}

// check compares the digests of everything read so far.
func (b *verifyingBody) check() error {
	if b.sha != nil && hex.EncodeToString(b.sha.Sum(nil)) != b.wantSHA {
		return errContentSHA256Mismatch
	}
	return b.sum.check()
}

func (b *verifyingBody) Close() error { return b.r.Close() }
