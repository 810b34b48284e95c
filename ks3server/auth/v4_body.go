package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"net/http"
	"strings"

	"github.com/ks3sync/ks3sync/ks3server/apierr"
)

// verifyV4Body arranges for the body of a SigV4 request to be checked as
// the handler reads it: against payload (the x-amz-content-sha256 value)
// and, when bodyChecksum is set, against an x-amz-checksum-* header (on
// CompleteMultipartUpload such a header describes the whole object, not
// the body). A mismatch is the read error at
// the end of the body, an apierr.Error that handlers pass on, so nothing is
// stored. Empty bodies are checked at once, since handlers that expect no
// body never read it.
func verifyV4Body(r *http.Request, payload string, bodyChecksum bool, signing v4Signing, seed string) error {
	var sum *Checksum
	if bodyChecksum {
		sum = ChecksumFromHeader(r.Header)
	}
	var sha hash.Hash
	switch {
	case isStreamingPayload(payload):
		return setChunkedBody(r, payload, signing, seed)
	case payload == unsignedPayload:
	case isSHA256Hex(payload):
		sha = sha256.New()
	default:
		return apierr.InvalidArgument.WithMessage("x-amz-content-sha256 must be UNSIGNED-PAYLOAD, " +
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
	sum     *Checksum // nil without an x-amz-checksum-* header
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
		return apierr.ContentSHA256Mismatch
	}
	return b.sum.Check()
}

func (b *verifyingBody) Close() error { return b.r.Close() }
