package tool

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"hash/crc64"
	"strconv"
	"strings"
	"testing"
	"time"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/objmeta"
)

func md5Hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

func crcText(b []byte) string {
	return strconv.FormatUint(crc64.Checksum(b, crc64.MakeTable(crc64.ECMA)), 10)
}

// runCheck feeds body through a downloadCheck for info (plain object).
func runCheck(info *ks3.ObjectInfo, body []byte) error {
	c := newDownloadCheck(info, nil, nil)
	c.raw.Write(body)
	c.plain.Write(body)
	return c.verify()
}

func TestDownloadCheckPlain(t *testing.T) {
	body := []byte("the object's bytes")
	good := func() *ks3.ObjectInfo {
		return &ks3.ObjectInfo{Size: int64(len(body)), ETag: md5Hex(body), CRC64ECMA: crcText(body),
			Metadata: map[string]string{"md5": md5Hex(body)}}
	}
	if err := runCheck(good(), body); err != nil {
		t.Fatalf("matching download: %v", err)
	}
	for _, tc := range []struct {
		name   string
		change func(*ks3.ObjectInfo)
		want   string
	}{
		{"size", func(i *ks3.ObjectInfo) { i.Size++ }, "bytes"},
		{"etag", func(i *ks3.ObjectInfo) { i.ETag = md5Hex([]byte("other")) }, "ETag"},
		{"crc", func(i *ks3.ObjectInfo) { i.CRC64ECMA = "12345" }, "CRC-64"},
		{"recorded md5", func(i *ks3.ObjectInfo) { i.ETag = "abc-2"; i.Metadata["md5"] = md5Hex(nil) }, "recorded"},
	} {
		info := good()
		tc.change(info)
		if err := runCheck(info, body); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: verify = %v, want a mismatch naming %q", tc.name, err, tc.want)
		}
	}
	// A multipart ETag and no metadata: nothing to compare but the size.
	if err := runCheck(&ks3.ObjectInfo{Size: int64(len(body)), ETag: "abc-3"}, body); err != nil {
		t.Errorf("nothing to check: %v", err)
	}
}

func TestDownloadCheckEncrypted(t *testing.T) {
	plain, cipherText := []byte("secret plaintext"), []byte("0123456789abcdef0123456789abcdef")
	sum := md5.Sum(plain)
	info := &ks3.ObjectInfo{Size: int64(len(cipherText)), ETag: md5Hex(cipherText), Metadata: map[string]string{}}
	feed := func(m *ks3crypto.Metadata, gotPlain []byte) error {
		c := newDownloadCheck(info, m, nil)
		c.raw.Write(cipherText)
		c.plain.Write(gotPlain)
		return c.verify()
	}
	m := &ks3crypto.Metadata{PlainMD5: sum[:]}
	if err := feed(m, plain); err != nil {
		t.Errorf("matching encrypted download: %v", err)
	}
	if err := feed(m, []byte("tampered plaintext")); err == nil {
		t.Error("a plaintext that differs from unencrypted-content-md5 passed")
	}
	if err := feed(&ks3crypto.Metadata{}, []byte("anything")); err != nil {
		t.Errorf("multipart encrypted object without a plaintext MD5: %v", err)
	}
}

// TestObjectMTime checks that a download takes its mtime through objmeta:
// values written by rclone count, malformed ones fall back to LastModified.
func TestObjectMTime(t *testing.T) {
	lm := time.Unix(1600000000, 0)
	for _, tc := range []struct {
		mtime string
		want  time.Time
	}{
		{"1700000000.000000001", time.Unix(1700000000, 1)},
		{"1700000000.5", time.Unix(1700000000, 500000000)},
		{"-1.5", time.Unix(-2, 500000000)},
		{"junk", lm},
		{"12.", lm},
		{" 1700000000", lm},
	} {
		info := &ks3.ObjectInfo{LastModified: lm, Metadata: map[string]string{"mtime": tc.mtime}}
		if got := objectMTime(info); !got.Equal(tc.want) {
			t.Errorf("mtime %q: %v, want %v", tc.mtime, got, tc.want)
		}
	}
}

func TestEncryptionOfObject(t *testing.T) {
	key, err := ks3crypto.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{7}, 16)))
	if err != nil {
		t.Fatal(err)
	}
	other, err := ks3crypto.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{0x42}, 16)))
	if err != nil {
		t.Fatal(err)
	}
	src := ks3URI{"b", "secret.bin"}
	encrypted := &ks3.ObjectInfo{Metadata: ks3crypto.MultipartMetadata(key, [16]byte{1})}
	plain := &ks3.ObjectInfo{Metadata: map[string]string{"md5": "x"}}
	for _, tc := range []struct {
		name  string
		key   *ks3crypto.Key
		info  *ks3.ObjectInfo
		isEnc bool
		want  string // error text, "" for none
	}{
		{"plain without key", nil, plain, false, ""},
		{"plain with key", &key, plain, false, ""},
		{"encrypted with key", &key, encrypted, true, ""},
		{"encrypted without key", nil, encrypted, false, "--encrypt-key"},
		{"encrypted with another key", &other, encrypted, false, "different key"},
		{"malformed", &key, &ks3.ObjectInfo{Metadata: map[string]string{"iv": "x"}}, false, "malformed"},
	} {
		m, err := (&copier{key: tc.key}).encryption(src, tc.info)
		switch {
		case tc.want == "" && (err != nil || (m != nil) != tc.isEnc):
			t.Errorf("%s: %v, %v", tc.name, m, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), src.String())):
			t.Errorf("%s: error %v, want one naming the object and %q", tc.name, err, tc.want)
		}
	}
}

func TestDownloadCheckKeyedMD5(t *testing.T) {
	key := ks3crypto.Key([]byte("0123456789abcdef"))
	id := objmeta.NewIdentity(key)
	plain, cipherText := []byte("secret plaintext"), []byte("0123456789abcdef0123456789abcdef")
	sum := md5.Sum(plain)
	info := &ks3.ObjectInfo{Size: int64(len(cipherText)), ETag: "e-2",
		Metadata: map[string]string{"md5-sealed": id.Of(hex.EncodeToString(sum[:]))}}
	feed := func(gotPlain []byte) error {
		c := newDownloadCheck(info, &ks3crypto.Metadata{}, &id)
		c.raw.Write(cipherText)
		c.plain.Write(gotPlain)
		return c.verify()
	}
	if err := feed(plain); err != nil {
		t.Errorf("matching keyed download: %v", err)
	}
	if err := feed([]byte("tampered plaintext")); err == nil || !strings.Contains(err.Error(), "md5-sealed") {
		t.Errorf("a plaintext that differs from md5-sealed: %v", err)
	}
}
