package crypto_test

import (
	"bytes"
	"errors"
	"maps"
	"testing"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
)

func TestParseMetadata(t *testing.T) {
	const (
		iv = "EBESExQVFhcYGRobHB0eHw=="                     // 101112…1f
		fp = "NDAzMmFmOGQ2MTAzNTEyMzkwNmU1OGUwNjcxNDBjYzU=" // vecKey
		// base64 of the upper-case hex MD5 of vecKey
		fpUpper = "NDAzMkFGOEQ2MTAzNTEyMzkwNkU1OEUwNjcxNDBDQzU="
	)
	wantIV := mustIV(t, "101112131415161718191a1b1c1d1e1f")
	tests := []struct {
		name    string
		meta    map[string]string
		ok      bool
		wantErr bool
		want    *ks3crypto.Metadata
	}{
		{"nil", nil, false, false, nil},
		{"unrelated", map[string]string{"mtime": "1", "md5": "abc"}, false, false, nil},
		{"multipart", map[string]string{"iv": iv, "key": fp}, true, false,
			&ks3crypto.Metadata{IV: wantIV, KeyFingerprint: fp, PlainLength: -1}},
		{"single put", map[string]string{"iv": iv, "key": fp, "unencrypted-content-length": "11",
			"unencrypted-content-md5": "akRekFDa+GrIfoZvtAhNXA=="}, true, false,
			&ks3crypto.Metadata{IV: wantIV, KeyFingerprint: fp, PlainLength: 11,
				PlainMD5: mustHex(t, "6a445e9050daf86ac87e866fb4084d5c")}},
		{"mixed-case names", map[string]string{"IV": iv, "Key": fp, "Unencrypted-Content-Length": "0"}, true, false,
			&ks3crypto.Metadata{IV: wantIV, KeyFingerprint: fp, PlainLength: 0}},
		{"upper-case hex fingerprint", map[string]string{"iv": iv, "key": fpUpper}, true, false,
			&ks3crypto.Metadata{IV: wantIV, KeyFingerprint: fp, PlainLength: -1}},
		{"iv only", map[string]string{"iv": iv}, true, true, nil},
		{"key only", map[string]string{"key": fp}, true, true, nil},
		{"iv not base64", map[string]string{"iv": "not base64!", "key": fp}, true, true, nil},
		{"iv 15 bytes", map[string]string{"iv": "EBESExQVFhcYGRobHB0e", "key": fp}, true, true, nil},
		{"fingerprint not hex", map[string]string{"iv": iv, "key": "enp6enp6enp6enp6enp6enp6enp6enp6enp6enp6enp6"}, true, true, nil},
		{"fingerprint raw md5", map[string]string{"iv": iv, "key": "QDKvjWEDUSOQbljgZxQMxQ=="}, true, true, nil},
		{"negative length", map[string]string{"iv": iv, "key": fp, "unencrypted-content-length": "-1"}, true, true, nil},
		{"length not a number", map[string]string{"iv": iv, "key": fp, "unencrypted-content-length": "11 bytes"}, true, true, nil},
		{"md5 wrong size", map[string]string{"iv": iv, "key": fp, "unencrypted-content-md5": "YWJj"}, true, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ok, err := ks3crypto.ParseMetadata(tt.meta)
			if ok != tt.ok || (err != nil) != tt.wantErr {
				t.Fatalf("ParseMetadata = _, %v, %v; want ok=%v, error=%v", ok, err, tt.ok, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ks3crypto.ErrMalformed) {
				t.Errorf("error %v does not wrap ErrMalformed", err)
			}
			if !equalMetadata(m, tt.want) {
				t.Errorf("ParseMetadata = %+v, want %+v", m, tt.want)
			}
		})
	}
}

func equalMetadata(a, b *ks3crypto.Metadata) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.IV == b.IV && a.KeyFingerprint == b.KeyFingerprint && a.PlainLength == b.PlainLength &&
		bytes.Equal(a.PlainMD5, b.PlainMD5)
}

func TestSinglePutMetadataWithoutMD5(t *testing.T) {
	iv := [16]byte{}
	got := ks3crypto.SinglePutMetadata(vecKey, iv, 5, nil)
	want := map[string]string{
		ks3crypto.MetaIV:          "AAAAAAAAAAAAAAAAAAAAAA==",
		ks3crypto.MetaKey:         vecKey.Fingerprint(),
		ks3crypto.MetaPlainLength: "5",
	}
	if !maps.Equal(got, want) {
		t.Errorf("SinglePutMetadata(nil MD5) = %v, want %v", got, want)
	}
}

func TestKeyCheck(t *testing.T) {
	m := metadataFor(t, vecKey, [16]byte{}, -1)
	if err := vecKey.Check(m, "docs/a.txt"); err != nil {
		t.Errorf("Check with the right key: %v", err)
	}
	other := ks3crypto.Key([]byte("another key 0123"))
	err := other.Check(m, "docs/a.txt")
	if !errors.Is(err, ks3crypto.ErrWrongKey) {
		t.Fatalf("Check with another key = %v, want ErrWrongKey", err)
	}
	const want = `object "docs/a.txt" was encrypted with a different key (fingerprint NDAzMmFmOGQ2MTAzNTEyMzkwNmU1OGUwNjcxNDBjYzU=, ours `
	if msg := err.Error(); len(msg) < len(want) || msg[:len(want)] != want {
		t.Errorf("Check error = %q, want it to start with %q", msg, want)
	}
	if err := vecKey.Check(nil, "x"); err == nil {
		t.Error("Check(nil metadata) succeeded")
	}
}
