package ks3

import (
	"net/url"
	"strings"
	"testing"
)

func TestEncodeKey(t *testing.T) {
	tests := []struct{ key, want string }{
		{"photos/2019/cat.jpg", "photos/2019/cat.jpg"},
		{"/a b*c~d+e/中文.txt", "%2Fa%20b%2Ac~d%2Be/%E4%B8%AD%E6%96%87.txt"},
		{"a//b", "a/%2Fb"},
		{"a///b", "a/%2F/b"},
		{"a////b", "a/%2F/%2Fb"},
		{"//x", "%2F/x"},
		{"/", "%2F"},
		{"dir/", "dir/"},
		{"", ""},
		{"100% #1?&=;:@$,!'()", "100%25%20%231%3F%26%3D%3B%3A%40%24%2C%21%27%28%29"},
		{"😀", "%F0%9F%98%80"},
		{"\x00\x7f\xff", "%00%7F%FF"},
		{"A-Z_a.z~0", "A-Z_a.z~0"},
	}
	for _, tt := range tests {
		if got := encodeKey(tt.key); got != tt.want {
			t.Errorf("encodeKey(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}

// FuzzEncodeKey checks that every encoded key decodes back to the key and
// never contains an empty path segment.
func FuzzEncodeKey(f *testing.F) {
	for _, s := range []string{"a//b", "/x", "a b+c%", "中文", "///", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		e := encodeKey(key)
		dec, err := url.PathUnescape(e)
		if err != nil || dec != key {
			t.Fatalf("encodeKey(%q) = %q, decodes to %q, %v", key, e, dec, err)
		}
		if strings.HasPrefix(e, "/") || strings.Contains(e, "//") {
			t.Fatalf("encodeKey(%q) = %q has an empty segment", key, e)
		}
	})
}

func TestEncodeQuery(t *testing.T) {
	q := url.Values{"uploads": {""}, "prefix": {"photos/a b+"}, "max-keys": {"100"}}
	if got, want := encodeQuery(q), "max-keys=100&prefix=photos%2Fa%20b%2B&uploads"; got != want {
		t.Errorf("encodeQuery = %q, want %q", got, want)
	}
}
