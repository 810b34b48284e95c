package auth

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/ks3sync/ks3sync/ks3server/apierr"
)

// x-amz-content-sha256 values of aws-chunked uploads.
const (
	streamingSigned          = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	streamingSignedTrailer   = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	streamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
)

// Limits of the aws-chunked framing.
const (
	maxChunkLine   = 4 << 10  // "hex-size;chunk-signature=<64 hex>\r\n" and trailer lines
	maxTrailerSize = 16 << 10 // all trailer lines together
	emptySHA256    = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

// isStreamingPayload reports whether an x-amz-content-sha256 value asks for
// aws-chunked framing.
func isStreamingPayload(payload string) bool {
	switch payload {
	case streamingSigned, streamingSignedTrailer, streamingUnsignedTrailer:
		return true
	}
	return false
}

// errBadChunk answers a body whose aws-chunked framing cannot be parsed.
var errBadChunk = apierr.IncompleteBody.WithMessage("The aws-chunked request body is malformed.")

// setChunkedBody replaces r's body with the decoded payload of its
// aws-chunked framing and makes the request look like a plain upload of
// x-amz-decoded-content-length bytes: Content-Length is the decoded size
// and "aws-chunked" leaves Content-Encoding. seed is the signature of the
// request, which the first chunk signature chains from.
func setChunkedBody(r *http.Request, payload string, signing v4Signing, seed string) error {
	n, err := strconv.ParseInt(r.Header.Get("X-Amz-Decoded-Content-Length"), 10, 64)
	if err != nil || n < 0 {
		return apierr.MissingContentLength.WithMessage("aws-chunked uploads need a valid x-amz-decoded-content-length header.")
	}
	c := &chunkedBody{br: bufio.NewReaderSize(r.Body, 64<<10), body: r.Body, want: n,
		trailer: payload != streamingSigned}
	if payload != streamingUnsignedTrailer {
		c.signing, c.prev = &signing, seed
	}
	if c.trailer {
		// The checksum arrives in the trailer; its value is filled in then.
		c.sum = newChecksum(strings.ToLower(strings.TrimSpace(r.Header.Get("X-Amz-Trailer"))), "")
	}
	r.Body, r.ContentLength = c, n
	r.Header.Set("Content-Length", strconv.FormatInt(n, 10))
	stripAWSChunked(r.Header)
	return nil
}

// stripAWSChunked removes "aws-chunked" from Content-Encoding, so that the
// stored object keeps only the encodings of its content.
func stripAWSChunked(h http.Header) {
	var keep []string
	for _, v := range h.Values("Content-Encoding") {
		for _, enc := range strings.Split(v, ",") {
			if enc = strings.TrimSpace(enc); enc != "" && !strings.EqualFold(enc, "aws-chunked") {
				keep = append(keep, enc)
			}
		}
	}
	if len(keep) == 0 {
		h.Del("Content-Encoding")
		return
	}
	h.Set("Content-Encoding", strings.Join(keep, ","))
}

// chunkedBody decodes an aws-chunked body:
//
//	<hex size>;chunk-signature=<sig>\r\n<data>\r\n … 0;chunk-signature=<sig>\r\n[trailers]\r\n
//
// checking every chunk signature (each chains from the previous one,
// starting at the request signature), the trailer signature and checksum
// when there are trailers, and that the decoded size is the announced one.
// Failures are apierr.Errors returned by Read.
type chunkedBody struct {
	br      *bufio.Reader
	body    io.Closer
	signing *v4Signing // nil for unsigned chunks
	prev    string     // signature of the previous chunk (the seed at first)
	trailer bool
	sum     *Checksum // trailing checksum, nil if none is computed
	want    int64     // x-amz-decoded-content-length

	left     int64     // bytes left in the current chunk
	chunkSig string    // signature of the current chunk
	chunkSHA hash.Hash // SHA-256 of the current chunk's data
	total    int64
	done     bool
	err      error
}

func (c *chunkedBody) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	for c.left == 0 {
		if c.done {
			return 0, io.EOF
		}
		if err := c.nextChunk(); err != nil {
			c.err = err
			return 0, err
		}
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.br.Read(p)
	c.left -= int64(n)
	c.total += int64(n)
	c.chunkSHA.Write(p[:n])
	if c.sum != nil {
		c.sum.Write(p[:n])
	}
	switch {
	case err == io.EOF:
		err = errBadChunk
	case err == nil && c.left == 0:
		err = c.endChunk()
	}
	if err != nil {
		c.err = err
	}
	return n, err
}

func (c *chunkedBody) Close() error { return c.body.Close() }

// nextChunk reads a chunk header; a zero-size chunk ends the data.
func (c *chunkedBody) nextChunk() error {
	line, err := c.readLine()
	if err != nil {
		return err
	}
	sizeHex, ext, _ := strings.Cut(line, ";")
	size, err := strconv.ParseInt(sizeHex, 16, 64)
	if err != nil || size < 0 || len(sizeHex) > 16 {
		return errBadChunk
	}
	if c.signing != nil {
		sig, ok := strings.CutPrefix(ext, "chunk-signature=")
		if !ok || sig == "" {
			return errBadChunk.WithMessage("An aws-chunked chunk lacks its chunk-signature.")
		}
		c.chunkSig = sig
	}
	if size > c.want-c.total {
		return apierr.IncompleteBody.WithMessage("The aws-chunked body is longer than x-amz-decoded-content-length.")
	}
	c.left, c.chunkSHA = size, sha256.New()
	if size == 0 {
		return c.finish()
	}
	return nil
}

// endChunk reads the CRLF after a chunk's data and checks its signature.
func (c *chunkedBody) endChunk() error {
	line, err := c.readLine()
	if err != nil {
		return err
	}
	if line != "" {
		return errBadChunk
	}
	return c.checkChunkSignature()
}

// checkChunkSignature verifies the current chunk's signature, which signs
// the previous signature and the SHA-256 of the chunk's data.
func (c *chunkedBody) checkChunkSignature() error {
	if c.signing == nil {
		return nil
	}
	want := c.signing.sign("AWS4-HMAC-SHA256-PAYLOAD", c.prev, emptySHA256, hex.EncodeToString(c.chunkSHA.Sum(nil)))
	if !hmac.Equal([]byte(c.chunkSig), []byte(want)) {
		return apierr.SignatureDoesNotMatch.WithMessage("The chunk signature we calculated does not match the signature you provided.")
	}
	c.prev = c.chunkSig
	return nil
}

// finish handles the final zero-size chunk: its signature, the trailers or
// the closing CRLF, the decoded size and the checksum.
func (c *chunkedBody) finish() error {
	if err := c.checkChunkSignature(); err != nil {
		return err
	}
	var err error
	if c.trailer {
		err = c.readTrailers()
	} else {
		var line string
		if line, err = c.readLine(); err == nil && line != "" {
			err = errBadChunk
		}
	}
	if err != nil {
		return err
	}
	if c.total != c.want {
		return apierr.IncompleteBody.WithMessage("The aws-chunked body holds %d bytes, not the %d of x-amz-decoded-content-length.", c.total, c.want)
	}
	c.done = true
	return c.sum.Check()
}

// readTrailers reads "name:value" lines up to the end of the body. Blank
// lines are skipped: some clients end the checksum line with LF and put a
// CRLF before the signature line. With signed chunks, the
// x-amz-trailer-signature line signs the SHA-256 of the other trailer lines,
// each ending in "\n".
func (c *chunkedBody) readTrailers() error {
	var canonical strings.Builder
	var signature string
	for size := 0; ; {
		line, err := c.readLine()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if size += len(line); size > maxTrailerSize {
			return errBadChunk.WithMessage("The aws-chunked trailer is too large.")
		}
		if line == "" {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		name, value = strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(value)
		switch {
		case !ok:
			return errBadChunk
		case name == "x-amz-trailer-signature":
			signature = value
			continue
		case c.sum != nil && name == checksumHeaderPrefix+c.sum.alg:
			c.sum.want = value
		}
		canonical.WriteString(name + ":" + value + "\n")
	}
	if c.sum != nil && c.sum.want == "" {
		return apierr.InvalidRequest.WithMessage("The trailer announced by x-amz-trailer is missing.")
	}
	if c.signing == nil {
		return nil
	}
	want := c.signing.sign("AWS4-HMAC-SHA256-TRAILER", c.prev, sha256Hex([]byte(canonical.String())))
	if !hmac.Equal([]byte(signature), []byte(want)) {
		return apierr.SignatureDoesNotMatch.WithMessage("The trailer signature we calculated does not match the signature you provided.")
	}
	return nil
}

// readLine reads one line of framing without its line ending. It returns
// io.EOF only at a clean end of the body, between lines.
func (c *chunkedBody) readLine() (string, error) {
	line, err := c.br.ReadSlice('\n')
	switch {
	case err == io.EOF && len(line) == 0:
		return "", io.EOF
	case errors.Is(err, bufio.ErrBufferFull) || len(line) > maxChunkLine:
		return "", errBadChunk.WithMessage("An aws-chunked framing line is too long.")
	case err == io.EOF:
		return "", errBadChunk
	case err != nil:
		return "", err
	}
	return string(bytes.TrimRight(line, "\r\n")), nil
}
