package crypto_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"maps"
	"strings"
	"testing"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
)

// The vectors below are ks3-protocol.md §10 (V-PAD, V-ENC-*), computed with
// the official Python SDK.

func TestVectorFingerprint(t *testing.T) {
	const want = "NDAzMmFmOGQ2MTAzNTEyMzkwNmU1OGUwNjcxNDBjYzU="
	if got := vecKey.Fingerprint(); got != want {
		t.Errorf("Fingerprint() = %q, want %q", got, want)
	}
}

func TestVectorPad(t *testing.T) {
	iv := mustIV(t, "101112131415161718191a1b1c1d1e1f")
	tests := []struct {
		n      int
		padLen int64
		padded string
		cipher string
	}{
		{0, 16, "gggggggggggggggg", "97fa85a763af399a2ea53691c3d758e2"},
		{1, 15, "Afffffffffffffff", "bd911cc2aaf69b9c2918d508b3bdf08e"},
		{15, 1, "AAAAAAAAAAAAAAA1", "351c10e14851d7bbf1dbce6f9345c446"},
		{16, 16, "AAAAAAAAAAAAAAAAgggggggggggggggg", "7ab32ad9151284a6517afe9a3cba6aab3375068ccec6a10a4112af1cb1df35d0"},
		{17, 15, "AAAAAAAAAAAAAAAAAfffffffffffffff", "7ab32ad9151284a6517afe9a3cba6aab5a36ae5fd1a2f163fd4b4560944574b7"},
	}
	for _, tt := range tests {
		plain := []byte(strings.Repeat("A", tt.n))
		ct := mustHex(t, tt.cipher)
		if got := ks3crypto.PartCipherSize(int64(tt.n), false, true) - int64(tt.n); got != tt.padLen {
			t.Errorf("A*%d: pad length %d, want %d", tt.n, got, tt.padLen)
		}
		if got := rawDecrypt(t, iv, ct); string(got) != tt.padded {
			t.Fatalf("A*%d: vector ciphertext decrypts to %q, want %q", tt.n, got, tt.padded)
		}
		stream, err := io.ReadAll(ks3crypto.NewEncryptReader(bytes.NewReader(plain), vecKey, iv))
		if err != nil {
			t.Fatal(err)
		}
		if want := append(iv[:], ct...); !bytes.Equal(stream, want) {
			t.Errorf("A*%d: NewEncryptReader = %x, want %x", tt.n, stream, want)
		}
		if got := decryptAll(t, vecKey, metadataFor(t, vecKey, iv, -1), stream); !bytes.Equal(got, plain) {
			t.Errorf("A*%d: decrypted %q", tt.n, got)
		}
		if tt.n == 0 {
			continue // EncryptPart refuses empty parts
		}
		if body, _ := encryptPart(t, vecKey, iv, false, true, plain); !bytes.Equal(body, ct) {
			t.Errorf("A*%d: EncryptPart = %x, want %x", tt.n, body, ct)
		}
	}
}

func rawDecrypt(t *testing.T, iv [16]byte, ct []byte) []byte {
	t.Helper()
	c, err := aes.NewCipher(vecKey[:])
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, len(ct))
	cipher.NewCBCDecrypter(c, iv[:]).CryptBlocks(out, ct)
	return out
}

// singlePutVector is one V-ENC single PUT. Short bodies are given whole;
// long ones by length, SHA-256, head and tail.
type singlePutVector struct {
	name       string
	iv         string
	plain      []byte
	body       string // hex, when short
	bodyLen    int
	bodySHA256 string
	head, tail string // hex of the first 48 and last 32 bytes
	contentMD5 string
	meta       map[string]string
}

func singlePutVectors() []singlePutVector {
	const fp = "NDAzMmFmOGQ2MTAzNTEyMzkwNmU1OGUwNjcxNDBjYzU="
	return []singlePutVector{{
		name:       "put_encrypted_short",
		iv:         "101112131415161718191a1b1c1d1e1f",
		plain:      []byte("Hello, KS3!"),
		body:       "101112131415161718191a1b1c1d1e1fca480d7909475f0321b4be97ab425ad4",
		bodyLen:    32,
		contentMD5: "x2KyeHZl189GrtMiq+ayZg==",
		meta: map[string]string{"key": fp, "iv": "EBESExQVFhcYGRobHB0eHw==",
			"unencrypted-content-md5": "akRekFDa+GrIfoZvtAhNXA==", "unencrypted-content-length": "11"},
	}, {
		name:       "put_encrypted_exact16",
		iv:         "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
		plain:      []byte("0123456789ABCDEF"),
		body:       "a0a1a2a3a4a5a6a7a8a9aaabacadaeafc292a772927e5fa56d0c0fe65a68fdad2953234bbcc81f1d47bc5fe09ad55d5b",
		bodyLen:    48,
		contentMD5: "aH68qqeM471HT7FbvVEi2w==",
		meta: map[string]string{"key": fp, "iv": "oKGio6SlpqeoqaqrrK2urw==",
			"unencrypted-content-md5": "5D35taRrdV6o8bTdCCZVRA==", "unencrypted-content-length": "16"},
	}, {
		// calc_encrypt_md5=False: same body and metadata, no Content-MD5 sent.
		name:    "put_encrypted_no_md5",
		iv:      "101112131415161718191a1b1c1d1e1f",
		plain:   []byte("Hello, KS3!"),
		body:    "101112131415161718191a1b1c1d1e1fca480d7909475f0321b4be97ab425ad4",
		bodyLen: 32,
		meta: map[string]string{"key": fp, "iv": "EBESExQVFhcYGRobHB0eHw==",
			"unencrypted-content-md5": "akRekFDa+GrIfoZvtAhNXA==", "unencrypted-content-length": "11"},
	}, {
		name:       "multiblock",
		iv:         "101112131415161718191a1b1c1d1e1f",
		plain:      append(make([]byte, 8192), "tail"...),
		bodyLen:    8224,
		bodySHA256: "c873c26e4b9acd36545a6087a82cd739175fae0031229bdef82093be13571a4e",
		head:       "101112131415161718191a1b1c1d1e1fcada65093bdfede24f6df5db60ae4e180feedfebb33ee7840682ebd1cea9a346",
		tail:       "02a6f0375167cc493afdeac5efe640259478b95653d6e3e75dad9763f65bb8ff",
		contentMD5: "c3+5gwU5sIT+w3aLylYzig==",
		meta: map[string]string{"key": fp, "iv": "EBESExQVFhcYGRobHB0eHw==",
			"unencrypted-content-md5": "YLdeSXlEYQHqno/mGIvDtA==", "unencrypted-content-length": "8196"},
	}}
}

func TestVectorSinglePut(t *testing.T) {
	for _, v := range singlePutVectors() {
		t.Run(v.name, func(t *testing.T) {
			iv := mustIV(t, v.iv)
			body, _ := encryptPart(t, vecKey, iv, true, true, v.plain)
			v.checkBody(t, body)
			if got := ks3crypto.EncryptedSize(int64(len(v.plain))); got != int64(v.bodyLen) {
				t.Errorf("EncryptedSize = %d, want %d (Content-Length)", got, v.bodyLen)
			}
			stream, err := io.ReadAll(ks3crypto.NewEncryptReader(bytes.NewReader(v.plain), vecKey, iv))
			if err != nil || !bytes.Equal(stream, body) {
				t.Errorf("NewEncryptReader differs from EncryptPart (err %v)", err)
			}
			plainMD5 := md5.Sum(v.plain)
			meta := ks3crypto.SinglePutMetadata(vecKey, iv, int64(len(v.plain)), plainMD5[:])
			if !maps.Equal(meta, v.meta) {
				t.Errorf("SinglePutMetadata = %v, want %v", meta, v.meta)
			}
			v.checkDecrypt(t, body)
		})
	}
}

func (v singlePutVector) checkBody(t *testing.T, body []byte) {
	t.Helper()
	if len(body) != v.bodyLen {
		t.Fatalf("body is %d bytes, want %d", len(body), v.bodyLen)
	}
	if v.body != "" && hex.EncodeToString(body) != v.body {
		t.Errorf("body = %x, want %s", body, v.body)
	}
	if v.bodySHA256 != "" {
		if sum := sha256.Sum256(body); hex.EncodeToString(sum[:]) != v.bodySHA256 {
			t.Errorf("body SHA-256 = %x, want %s", sum, v.bodySHA256)
		}
	}
	if v.head != "" && hex.EncodeToString(body[:48]) != v.head {
		t.Errorf("first 48 bytes = %x, want %s", body[:48], v.head)
	}
	if v.tail != "" && hex.EncodeToString(body[len(body)-32:]) != v.tail {
		t.Errorf("last 32 bytes = %x, want %s", body[len(body)-32:], v.tail)
	}
	if v.contentMD5 != "" && md5b64(body) != v.contentMD5 {
		t.Errorf("Content-MD5 = %s, want %s", md5b64(body), v.contentMD5)
	}
}

func (v singlePutVector) checkDecrypt(t *testing.T, body []byte) {
	t.Helper()
	m, ok, err := ks3crypto.ParseMetadata(v.meta)
	if err != nil || !ok {
		t.Fatalf("ParseMetadata = %v, %v", ok, err)
	}
	if err := vecKey.Check(m, v.name); err != nil {
		t.Fatal(err)
	}
	if m.PlainLength != int64(len(v.plain)) || md5b64(v.plain) != v.meta["unencrypted-content-md5"] {
		t.Errorf("metadata length %d / plaintext MD5 %s, want %d / %s",
			m.PlainLength, md5b64(v.plain), len(v.plain), v.meta["unencrypted-content-md5"])
	}
	if got := decryptAll(t, vecKey, m, body); !bytes.Equal(got, v.plain) {
		t.Errorf("decrypted %q, want %q", got, v.plain)
	}
	size, err := ks3crypto.PlainSizeFromTail(vecKey, int64(len(body)), body[len(body)-32:])
	if err != nil || size != int64(len(v.plain)) {
		t.Errorf("PlainSizeFromTail = %d, %v; want %d", size, err, len(v.plain))
	}
}

func TestVectorMultipart(t *testing.T) {
	iv := mustIV(t, "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf")
	plain := mustHex(t, "54686520717569636b2062726f776e20666f78206a756d7073206f76657220746865206c617a7920646f672e203031323334353621")
	parts := []struct {
		plain, body, contentMD5, plainMD5 string
	}{
		{"54686520717569636b2062726f776e20666f78206a756d7073206f7665722074",
			"a0a1a2a3a4a5a6a7a8a9aaabacadaeaf4a26c457f6911f3e8baa0b956dfa4296c391f2ab9b0cbdbd0139b30ab7dd3963",
			"r5xAQAuC1YR79RaIBbRNJg==", "Vmy3I9T7en3TgWNTL+dgtw=="},
		{"6865206c617a7920646f672e203031323334353621",
			"4246c83a08185353dd49e024965e7800d495324bc1409fa1054c9fe43c39dddf",
			"1wN5BWxNY9R14Sha9yfWng==", "gxwz/T5GfLs//DdiYr8z7Q=="},
	}
	const stored = "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf4a26c457f6911f3e8baa0b956dfa4296c391f2ab9b0cbdbd0139b30ab7dd39634246c83a08185353dd49e024965e7800d495324bc1409fa1054c9fe43c39dddf"

	bodies := encryptParts(t, vecKey, iv, plain, []int{32, 21})
	for i, p := range parts {
		if got := hex.EncodeToString(bodies[i]); got != p.body {
			t.Errorf("part %d body = %s, want %s", i+1, got, p.body)
		}
		if got := md5b64(bodies[i]); got != p.contentMD5 {
			t.Errorf("part %d Content-MD5 = %s, want %s", i+1, got, p.contentMD5)
		}
		if got := md5b64(mustHex(t, p.plain)); got != p.plainMD5 {
			t.Errorf("part %d plaintext MD5 = %s, want %s", i+1, got, p.plainMD5)
		}
	}
	object := bytes.Join(bodies, nil)
	if hex.EncodeToString(object) != stored {
		t.Errorf("stored object = %x, want %s", object, stored)
	}
	wantMeta := map[string]string{"key": "NDAzMmFmOGQ2MTAzNTEyMzkwNmU1OGUwNjcxNDBjYzU=", "iv": "oKGio6SlpqeoqaqrrK2urw=="}
	if meta := ks3crypto.MultipartMetadata(vecKey, iv); !maps.Equal(meta, wantMeta) {
		t.Errorf("MultipartMetadata = %v, want %v", meta, wantMeta)
	}
	m := metadataFor(t, vecKey, iv, -1)
	if m.PlainLength != -1 || m.PlainMD5 != nil {
		t.Errorf("multipart metadata knows length %d / MD5 %x, want unknown", m.PlainLength, m.PlainMD5)
	}
	if got := decryptAll(t, vecKey, m, object); !bytes.Equal(got, plain) {
		t.Errorf("decrypted %q", got)
	}
	size, err := ks3crypto.PlainSizeFromTail(vecKey, int64(len(object)), object[len(object)-32:])
	if err != nil || size != 53 {
		t.Errorf("PlainSizeFromTail = %d, %v; want 53", size, err)
	}
}

func TestVectorEmpty(t *testing.T) {
	if got := ks3crypto.EncryptedSize(0); got != 0 {
		t.Errorf("EncryptedSize(0) = %d, want 0 (stored unencrypted)", got)
	}
	if _, err := ks3crypto.EncryptPart(vecKey, [16]byte{}, true, true, section(nil)); err == nil {
		t.Error("EncryptPart accepted an empty plaintext")
	}
	// The stored empty object carries no crypto metadata, so it is plain.
	meta := map[string]string{"mtime": "1700000000"}
	if m, ok, err := ks3crypto.ParseMetadata(meta); m != nil || ok || err != nil {
		t.Errorf("ParseMetadata(no crypto metadata) = %v, %v, %v; want not encrypted", m, ok, err)
	}
	if got := md5b64(nil); got != "1B2M2Y8AsgTpgAmY7PhCfg==" {
		t.Errorf("Content-MD5 of the empty body = %s", got)
	}
}
