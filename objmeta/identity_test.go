package objmeta

import (
	"strings"
	"testing"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
)

// The sealed value of MD5("hello") under the key "0123456789abcdef",
// computed outside Go (HKDF written out from RFC 5869 with Python's hmac
// and hashlib, the block encrypted with `openssl enc -aes-128-ecb
// -nopad`), pins the wire form of md5-sealed.
const (
	helloMD5   = "5d41402abc4b2a76b9719d911017c592"
	helloKeyed = "256f00795a2e90e6b433dfca952f8898"
)

func TestIdentityVector(t *testing.T) {
	id := NewIdentity(ks3crypto.Key([]byte("0123456789abcdef")))
	if got := id.Of(helloMD5); got != helloKeyed {
		t.Errorf("Of(%s) = %s, want %s", helloMD5, got, helloKeyed)
	}
	if got := id.Of(strings.ToUpper(helloMD5)); got != helloKeyed {
		t.Errorf("an upper-case MD5 gives %s", got)
	}
	if !id.Matches(helloMD5, strings.ToUpper(helloKeyed)) || id.Matches("d41d8cd98f00b204e9800998ecf8427e", helloKeyed) {
		t.Error("Matches does not compare the keyed values")
	}
	if id.Of("not-an-md5") != "" || id.Matches("not-an-md5", "") {
		t.Error("a malformed MD5 has a keyed value")
	}
	if got, ok := id.Open(strings.ToUpper(helloKeyed)); !ok || got != helloMD5 {
		t.Errorf("Open(%s) = %s, %v; want %s", helloKeyed, got, ok, helloMD5)
	}
	if _, ok := id.Open("zz"); ok {
		t.Error("Open accepted a value that is not sealed")
	}
	other := NewIdentity(ks3crypto.Key([]byte("fedcba9876543210")))
	if other.Of(helloMD5) == helloKeyed {
		t.Error("two keys give the same keyed value")
	}
}

func TestKeyedMD5Metadata(t *testing.T) {
	a := Attrs{KeyedMD5: strings.ToUpper(helloKeyed)}
	m := a.Metadata()
	if len(m) != 1 || m["md5-sealed"] != helloKeyed {
		t.Errorf("Metadata() = %v", m)
	}
	if got := Read(m); got.KeyedMD5 != helloKeyed || got.MD5 != "" {
		t.Errorf("Read = %+v", got)
	}
	if got := Read(map[string]string{"md5-sealed": helloKeyed[:31]}); got.KeyedMD5 != "" {
		t.Errorf("a short value was read: %+v", got)
	}
	if !IsReserved("MD5-SEALED") {
		t.Error("md5-sealed is not reserved")
	}
}
