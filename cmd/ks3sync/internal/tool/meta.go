package tool

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/cli"
	ks3crypto "github.com/ks3sync/ks3sync/crypto"
)

// User-metadata names (without "x-kss-meta-") that ks3sync writes on every
// upload, so that a later download or sync can verify the content and
// restore the modification time without downloading anything first.
const (
	// metaMTime is the source file's mtime: Unix seconds with a nine-digit
	// fraction, e.g. "1732500000.123456789".
	metaMTime = "mtime"
	// metaMD5 is the hex MD5 of the plaintext.
	metaMD5 = "md5"
)

// reservedMeta are the metadata names that ks3sync and the SDK encryption
// format own; --meta may not set them.
var reservedMeta = []string{
	metaMTime, metaMD5,
	ks3crypto.MetaIV, ks3crypto.MetaKey, ks3crypto.MetaPlainLength, ks3crypto.MetaPlainMD5,
}

// formatMTime writes t as Unix seconds with a nine-digit fraction.
func formatMTime(t time.Time) string {
	ns := t.UnixNano()
	sec, frac := ns/1e9, ns%1e9
	if frac < 0 {
		sec--
		frac += 1e9
	}
	return fmt.Sprintf("%d.%09d", sec, frac)
}

// parseMTime reads "seconds[.fraction]" as written by formatMTime (and by
// rclone). ok is false for anything else.
func parseMTime(s string) (t time.Time, ok bool) {
	secText, fracText, hasFrac := strings.Cut(strings.TrimSpace(s), ".")
	sec, err := strconv.ParseInt(secText, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	var frac int64
	if hasFrac {
		if fracText == "" || len(fracText) > 9 || strings.TrimLeft(fracText, "0123456789") != "" {
			return time.Time{}, false
		}
		frac, _ = strconv.ParseInt(fracText+strings.Repeat("0", 9-len(fracText)), 10, 64)
	}
	return time.Unix(sec, frac), true
}

// isMD5Hex reports whether s is 32 hexadecimal digits.
func isMD5Hex(s string) bool {
	if len(s) != 2*16 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// parsePairs parses repeated NAME=VALUE flag values into a map. flag names
// the option in errors, which are usage errors.
func parsePairs(flag string, values []string) (map[string]string, error) {
	if len(values) == 0 {
		return nil, nil
	}
	m := make(map[string]string, len(values))
	for _, v := range values {
		name, value, ok := strings.Cut(v, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		if !ok || name == "" {
			return nil, cli.UsageError("%s %q: want NAME=VALUE", flag, v)
		}
		if _, dup := m[name]; dup {
			return nil, cli.UsageError("%s: %q is given twice (names are case-insensitive)", flag, name)
		}
		m[name] = value
	}
	return m, nil
}

// parseUserMeta parses --meta values and refuses the names ks3sync owns.
func parseUserMeta(values []string) (map[string]string, error) {
	m, err := parsePairs("--meta", values)
	if err != nil {
		return nil, err
	}
	for _, name := range reservedMeta {
		if _, ok := m[name]; ok {
			return nil, cli.UsageError("--meta: %q is metadata that ks3sync writes itself", name)
		}
	}
	return m, nil
}

// mergeMeta returns a new map with the entries of every map, later ones
// winning.
func mergeMeta(maps ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
