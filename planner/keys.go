package planner

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// KeyFor returns the remote key of a local path: prefix + NFC(path).
func KeyFor(prefix, path string) string {
	return prefix + norm.NFC.String(path)
}

// PathFor returns the local path a key maps to: the key without prefix, in
// Unicode NFC. It refuses keys outside the prefix and keys that would escape
// the local root or cannot be a file name: "..", ".", empty segments (as in
// "a//b" or a trailing "/"), an absolute path, a drive letter, NUL or invalid
// UTF-8. With goos "windows" it also refuses backslashes, the characters
// <>:"|?*, control characters, reserved device names (CON, aux.txt, ...) and
// names ending in a dot or a space. The error says why.
func PathFor(prefix, key, goos string) (string, error) {
	rel, ok := strings.CutPrefix(key, prefix)
	if !ok {
		return "", fmt.Errorf("map key %q: outside prefix %q", key, prefix)
	}
	p := norm.NFC.String(rel)
	if err := checkPath(p, goos); err != nil {
		return "", fmt.Errorf("map key %q: %w", key, err)
	}
	return p, nil
}

// isNFC reports whether s is in Unicode NFC. The quick check settles almost
// every name without allocating; the full check runs only after it.
func isNFC(s string) bool {
	return norm.NFC.QuickSpanString(s) == len(s) || norm.NFC.IsNormalString(s)
}

// checkPath reports why p cannot be a local path under the root, or nil.
// p is a slash-separated relative path.
func checkPath(p, goos string) error {
	switch {
	case p == "":
		return errors.New("empty path")
	case !utf8.ValidString(p):
		return errors.New("not valid UTF-8")
	case strings.IndexByte(p, 0) >= 0:
		return errors.New("contains NUL")
	case p[0] == '/':
		return errors.New("absolute path")
	case hasDriveLetter(p):
		return errors.New("starts with a drive letter")
	}
	windows := goos == "windows"
	for rest := p; ; {
		seg, tail, more := strings.Cut(rest, "/")
		if err := checkSegment(seg, windows); err != nil {
			return err
		}
		if !more {
			return nil
		}
		rest = tail
	}
}

// hasDriveLetter reports whether p starts like a Windows volume ("C:").
func hasDriveLetter(p string) bool {
	if len(p) < 2 || p[1] != ':' {
		return false
	}
	c := p[0] | 0x20 // lower case for ASCII letters
	return c >= 'a' && c <= 'z'
}

// checkSegment checks one path segment.
func checkSegment(seg string, windows bool) error {
	switch seg {
	case "":
		return errors.New(`empty path segment (as in "a//b" or a trailing "/")`)
	case ".":
		return errors.New(`"." path segment`)
	case "..":
		return errors.New(`".." path segment would escape the folder`)
	}
	if windows {
		return checkWindowsName(seg)
	}
	return nil
}

// checkWindowsName applies the file name rules of Windows to one segment.
func checkWindowsName(name string) error {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c < 0x20 {
			return fmt.Errorf("control character %q is not allowed on windows", c)
		}
		if strings.IndexByte(`<>:"|?*\`, c) >= 0 {
			return fmt.Errorf("character %q is not allowed on windows", c)
		}
	}
	if last := name[len(name)-1]; last == '.' || last == ' ' {
		return fmt.Errorf("name %q ends in a dot or space, which windows drops", name)
	}
	if isReservedWindowsName(name) {
		return fmt.Errorf("name %q is reserved on windows", name)
	}
	return nil
}

// isReservedWindowsName reports whether name is a DOS device name, with or
// without an extension ("NUL", "nul.txt", "Com1.tar.gz").
func isReservedWindowsName(name string) bool {
	stem, _, _ := strings.Cut(name, ".")
	stem = strings.TrimRight(stem, " ")
	switch len(stem) {
	case 3:
		for _, r := range [...]string{"CON", "PRN", "AUX", "NUL"} {
			if strings.EqualFold(stem, r) {
				return true
			}
		}
	case 4, 5: // COM0-9, LPT0-9, and COM¹²³, LPT¹²³ (two bytes in UTF-8)
		if !strings.EqualFold(stem[:3], "COM") && !strings.EqualFold(stem[:3], "LPT") {
			return false
		}
		switch suffix := stem[3:]; suffix {
		case "¹", "²", "³":
			return true
		default:
			return len(suffix) == 1 && suffix[0] >= '0' && suffix[0] <= '9'
		}
	case 6, 7:
		return strings.EqualFold(stem, "CONIN$") || strings.EqualFold(stem, "CONOUT$")
	}
	return false
}
