package localfs

import (
	"path"
	"path/filepath"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// nfc returns s in Unicode normalization form C, the form of every path
// this package reports.
func nfc(s string) string {
	if isASCII(s) {
		return s
	}
	return norm.NFC.String(s)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// CleanRel turns a caller's relative path into the form paths are reported
// in: slash-separated, clean, NFC, "" for the root.
func CleanRel(rel string) string {
	rel = path.Clean("/" + filepath.ToSlash(rel))[1:]
	return nfc(rel)
}

// RelFromOS turns a path relative to the root in the operating system's
// form into the reported form: slash-separated and NFC.
func RelFromOS(raw string) string { return nfc(filepath.ToSlash(raw)) }

// ParentRel returns the folder holding the reported path rel, "" for a
// top-level path.
func ParentRel(rel string) string {
	d := path.Dir(rel)
	if d == "." || d == "/" {
		return ""
	}
	return d
}
