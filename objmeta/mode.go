package objmeta

import (
	"fmt"
	"io/fs"
	"strconv"
)

// NameMode holds the source file's Unix permission bits, written by pairs
// with keep_mode: true, as four octal digits (see FormatMode).
const NameMode = "mode"

// FormatMode returns the permission bits of m as ks3sync writes them:
// four octal digits, for example "0644" or "0755".
func FormatMode(m fs.FileMode) string {
	return fmt.Sprintf("%04o", uint32(m.Perm()))
}

// ParseMode reads a mode value: one to four octal digits for permission
// bits no higher than 0777 ("644", "0755", "0"). Anything else (setuid
// bits, a sign, decimal or symbolic modes, an empty value) is an error, so
// that a value another tool wrote is never applied half understood.
func ParseMode(s string) (fs.FileMode, error) {
	if len(s) == 0 || len(s) > 4 {
		return 0, fmt.Errorf("mode %q: want 1 to 4 octal digits", s)
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '7' {
			return 0, fmt.Errorf("mode %q: want 1 to 4 octal digits", s)
		}
	}
	v, err := strconv.ParseUint(s, 8, 32)
	if err != nil || v > 0o777 {
		return 0, fmt.Errorf("mode %q: only permission bits (at most 0777) are restored", s)
	}
	return fs.FileMode(v), nil
}
