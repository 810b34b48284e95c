package watcher

import (
	"path"
	"path/filepath"
	"strings"
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

// cleanRel turns a caller's relative path into the form paths are reported
// in: slash-separated, clean, NFC, "" for the root.
func cleanRel(rel string) string {
	rel = path.Clean("/" + filepath.ToSlash(rel))[1:]
	return nfc(rel)
}

// isTemp reports whether a file name belongs to ks3sync's own temporary
// files.
func isTemp(name string) bool { return strings.HasPrefix(name, TempPrefix) }

// toRel turns a path relative to the root in the operating system's form
// into the reported form: slash-separated and NFC.
func toRel(raw string) string { return nfc(filepath.ToSlash(raw)) }
