package auth

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/crc64"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3server/apierr"
)

// Inputs of the examples in AWS's S3 SigV4 documentation.
const (
	awsAK = "AKIAIOSFODNN7EXAMPLE"
	awsSK = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

var awsTime = time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)

// wantReadError checks that err is nil (code "") or an apierr.Error with
// code.
func wantReadError(t *testing.T, err error, code string) {
	t.Helper()
	var ae apierr.Error
	switch {
	case code == "" && err != nil:
		t.Fatalf("read: %v", err)
	case code != "" && (!errors.As(err, &ae) || ae.Code != code):
		t.Fatalf("read error = %v, want %s", err, code)
	}
}

// TestV4ChunkedTrailers decodes the framing of AWS's "signed payload with
// trailer" example (its seed, chunk and trailer signatures) and of unsigned
// chunks with a trailing checksum.
func TestV4ChunkedTrailers(t *testing.T) {
	data := bytes.Repeat([]byte("a"), 66560)
	signed := fmt.Sprintf("10000;chunk-signature=%s\r\n%s\r\n400;chunk-signature=%s\r\n%s\r\n0;chunk-signature=%s\r\n",
		"b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2", data[:65536],
		"1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7", data[65536:],
		"2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992")
	const trailerSig = "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435"
	unsigned := fmt.Sprintf("10000\r\n%s\r\n400\r\n%s\r\n0\r\n", data[:65536], data[65536:])
	tests := []struct {
		name, payload, body, wantCode string
	}{
		{"signed", streamingSignedTrailer, signed + "x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:" + trailerSig + "\r\n\r\n", ""},
		{"signed, LF after the checksum", streamingSignedTrailer, signed + "x-amz-checksum-crc32c:sOO8/Q==\n\r\nx-amz-trailer-signature:" + trailerSig + "\r\n\r\n", ""},
		{"signed, trailer changed", streamingSignedTrailer, signed + "x-amz-checksum-crc32c:sOO8/Q=X\r\nx-amz-trailer-signature:" + trailerSig + "\r\n\r\n", "SignatureDoesNotMatch"},
		{"unsigned", streamingUnsignedTrailer, unsigned + "x-amz-checksum-crc32c:sOO8/Q==\r\n\r\n", ""},
		{"unsigned, wrong checksum", streamingUnsignedTrailer, unsigned + "x-amz-checksum-crc32c:AAAAAA==\r\n\r\n", "BadDigest"},
		{"unsigned, checksum missing", streamingUnsignedTrailer, unsigned + "\r\n", "InvalidRequest"},
		{"truncated", streamingUnsignedTrailer, unsigned[:66000], "IncompleteBody"},
	}
	cred := v4Credential{accessKey: awsAK, date: "20130524", region: "us-east-1", service: "s3"}
	signing := newV4Signing(awsSK, cred, awsTime)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("PUT", "http://127.0.0.1/b/k", strings.NewReader(tt.body))
			r.Header.Set("X-Amz-Decoded-Content-Length", "66560")
			r.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32c")
			r.Header.Set("Content-Encoding", "aws-chunked,gzip")
			seed := "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"
			if err := setChunkedBody(r, tt.payload, signing, seed); err != nil {
				t.Fatal(err)
			}
			if got := r.Header.Get("Content-Encoding"); got != "gzip" {
				t.Errorf("Content-Encoding = %q, want gzip", got)
			}
			got, err := io.ReadAll(r.Body)
			wantReadError(t, err, tt.wantCode)
			if tt.wantCode == "" && !bytes.Equal(got, data) {
				t.Errorf("decoded %d bytes, want 66560 bytes of 'a'", len(got))
			}
		})
	}
}

func TestChecksumAlgorithms(t *testing.T) {
	check := []byte("123456789")
	for _, tt := range []struct {
		alg  string
		want uint64
	}{
		{"crc32", uint64(crc32.ChecksumIEEE(check))},
		{"crc32c", 0xe3069283},
		{"crc64nvme", 0xae8b14860a799888}, // the CRC-64/NVME check value
	} {
		h := newChecksumHash(tt.alg)
		h.Write(check)
		sum := h.Sum(nil)
		var got uint64
		for _, b := range sum {
			got = got<<8 | uint64(b)
		}
		if got != tt.want {
			t.Errorf("%s(123456789) = %x, want %x", tt.alg, got, tt.want)
		}
	}
	if crc64.Checksum(check, crc64.MakeTable(crc64NVME)) != 0xae8b14860a799888 {
		t.Error("CRC-64/NVME table")
	}
}
