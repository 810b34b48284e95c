package objmeta

import (
	"encoding/hex"
	"strings"
	"time"
)

// Attrs are the facts about an object's source that ks3sync records in the
// object's metadata. A zero field is unknown: it is not written, and a value
// that is absent or malformed reads as zero.
type Attrs struct {
	// MTime is the source file's modification time.
	MTime time.Time
	// MD5 is the hex MD5 of the plaintext: 32 hex digits, written and read
	// in lower case. ks3sync writes it on objects it does not encrypt.
	MD5 string
	// KeyedMD5 is the keyed value of the plaintext MD5 (see Identity): 64
	// hex digits, written and read in lower case. ks3sync writes it instead
	// of MD5 on objects it encrypts.
	KeyedMD5 string
}

// Metadata returns the entries that record a, keyed by name without the
// metadata prefix. The map is new; the caller may add to it.
func (a Attrs) Metadata() map[string]string {
	m := make(map[string]string, 3)
	if !a.MTime.IsZero() {
		m[NameMTime] = FormatMTime(a.MTime)
	}
	if a.MD5 != "" {
		m[NameMD5] = strings.ToLower(a.MD5)
	}
	if a.KeyedMD5 != "" {
		m[NameKeyedMD5] = strings.ToLower(a.KeyedMD5)
	}
	return m
}

// Read returns what an object's metadata (names without the prefix, as the
// ks3 client returns them) records. Other tools may write the same names:
// a value that does not follow ks3sync's grammar is ignored, as if absent.
func Read(meta map[string]string) Attrs {
	var a Attrs
	if t, err := ParseMTime(meta[NameMTime]); err == nil {
		a.MTime = t
	}
	if v := meta[NameMD5]; IsMD5Hex(v) {
		a.MD5 = strings.ToLower(v)
	}
	if v := meta[NameKeyedMD5]; IsKeyedHex(v) {
		a.KeyedMD5 = strings.ToLower(v)
	}
	return a
}

// IsMD5Hex reports whether s is an MD5 in hex: 32 hex digits in either
// case. An ETag passes for a single-PUT object, and fails for a multipart
// one ("…-3").
func IsMD5Hex(s string) bool {
	if len(s) != 2*16 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
