package ks3

import "strings"

const upperHex = "0123456789ABCDEF"

// encodeKey percent-encodes an object key for the URL path and the
// canonical resource: every byte except A-Z a-z 0-9 - _ . ~ and / becomes
// %XX with upper-case hex, then a leading "/" becomes "%2F" and every "//"
// becomes "/%2F" in one left-to-right pass, so "a///b" becomes "a/%2F/b".
func encodeKey(key string) string {
	var b strings.Builder
	b.Grow(len(key) + len(key)/2)
	for i := 0; i < len(key); i++ {
		if c := key[i]; c == '/' || isUnreserved(c) {
			b.WriteByte(c)
		} else {
			writeEscaped(&b, c)
		}
	}
	e := b.String()
	lead := ""
	if strings.HasPrefix(e, "/") {
		lead, e = "%2F", e[1:]
	}
	return lead + strings.ReplaceAll(e, "//", "/%2F")
}

// encodeQueryValue percent-encodes a query name or value: every byte except
// A-Z a-z 0-9 - _ . ~ becomes %XX with upper-case hex (a space is %20).
func encodeQueryValue(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if c := s[i]; isUnreserved(c) {
			b.WriteByte(c)
		} else {
			writeEscaped(&b, c)
		}
	}
	return b.String()
}

func writeEscaped(b *strings.Builder, c byte) {
	b.WriteByte('%')
	b.WriteByte(upperHex[c>>4])
	b.WriteByte(upperHex[c&15])
}

// isUnreserved reports whether c is an RFC 3986 unreserved character.
func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}
