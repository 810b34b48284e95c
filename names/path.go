package names

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxName is the longest file name, in bytes, or in UTF-16 code units under
// Windows rules: the limit of ext4, XFS, APFS, NTFS, FAT and exFAT alike.
const maxName = 255

// LocalPath returns the local path, relative and slash-separated, that rel
// (a key without the pair's prefix) maps to: rel in Unicode NFC, each
// segment mapped under Windows rules. The error says why the key has no
// local path; such a key is skipped.
func (p Policy) LocalPath(rel string) (string, error) {
	rel = nfc(rel)
	if err := checkPath(rel); err != nil {
		return "", err
	}
	if !p.Windows && !hasLongSegment(rel) {
		return rel, nil
	}
	return mapSegments(rel, func(seg string) (string, error) {
		local := seg
		if p.Windows && !plainWindows(seg) {
			local = encodeWindows(seg)
		}
		if err := checkLength(local, p.Windows); err != nil {
			return "", err
		}
		return local, nil
	})
}

// KeyPath returns the key, without prefix, that the local path local (in
// NFC, relative, slash-separated) maps to: the inverse of LocalPath. A
// local name LocalPath would never produce has no key, and the error says
// why: uploading it under a guessed key would bring it back as a second
// file.
func (p Policy) KeyPath(local string) (string, error) {
	if err := checkPath(local); err != nil {
		return "", err
	}
	if !p.Windows {
		return local, nil
	}
	plain := true
	key, err := mapSegments(local, func(seg string) (string, error) {
		if plainWindows(seg) {
			return seg, checkLength(seg, true)
		}
		plain = false
		return decodeWindows(seg), nil
	})
	if err != nil || plain {
		return key, err // a plain name is its own key and its key's name
	}
	back, err := p.LocalPath(key)
	switch {
	case err != nil:
		return "", fmt.Errorf("local name %q maps to key %q, which has no local name: %w; rename it", local, key, err)
	case back != local:
		return "", fmt.Errorf("local name %q is not one that windows name rules write (key %q would be written %q); rename it", local, key, back)
	}
	return key, nil
}

// mapSegments applies fn to every slash-separated segment of p. It
// allocates only once a segment changes, so a path that needs no mapping
// costs a scan.
func mapSegments(p string, fn func(string) (string, error)) (string, error) {
	var b strings.Builder
	changed := false
	for start := 0; ; {
		end := strings.IndexByte(p[start:], '/')
		if end < 0 {
			end = len(p)
		} else {
			end += start
		}
		seg := p[start:end]
		out, err := fn(seg)
		if err != nil {
			return "", err
		}
		if !changed && out != seg {
			changed = true
			b.Grow(len(p) + 8)
			b.WriteString(p[:start])
		}
		if changed {
			b.WriteString(out)
			if end < len(p) {
				b.WriteByte('/')
			}
		}
		if end == len(p) {
			break
		}
		start = end + 1
	}
	if !changed {
		return p, nil
	}
	return b.String(), nil
}

// nfc returns s in Unicode NFC.
func nfc(s string) string {
	if isASCII(s) {
		return s
	}
	return norm.NFC.String(s)
}

// checkPath reports why p cannot be a path under a folder on any system,
// or nil. p is slash-separated.
func checkPath(p string) error {
	switch {
	case p == "":
		return errors.New("empty path")
	case !utf8.ValidString(p):
		return errors.New("not valid UTF-8")
	case strings.IndexByte(p, 0) >= 0:
		return errors.New("contains NUL")
	case p[0] == '/':
		return errors.New("absolute path")
	}
	for rest := p; ; {
		seg, tail, more := strings.Cut(rest, "/")
		switch seg {
		case "":
			return errors.New(`empty path segment (as in "a//b" or a trailing "/")`)
		case ".":
			return errors.New(`"." path segment`)
		case "..":
			return errors.New(`".." path segment would escape the folder`)
		}
		if !more {
			return nil
		}
		rest = tail
	}
}

// hasLongSegment reports whether a segment of p is over maxName bytes,
// which is rare enough to be worth a quick scan before any mapping.
func hasLongSegment(p string) bool {
	for rest := p; len(rest) > maxName; {
		i := strings.IndexByte(rest, '/')
		if i < 0 || i > maxName {
			return true
		}
		rest = rest[i+1:]
	}
	return false
}

// checkLength reports a local name over the length limit.
func checkLength(name string, windows bool) error {
	if !windows {
		if len(name) > maxName {
			return fmt.Errorf("name %.40q... is %d bytes long; file names hold at most %d", name, len(name), maxName)
		}
		return nil
	}
	if n := utf16Len(name); n > maxName {
		return fmt.Errorf("name %.40q... is %d UTF-16 units long; windows names hold at most %d", name, n, maxName)
	}
	return nil
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
