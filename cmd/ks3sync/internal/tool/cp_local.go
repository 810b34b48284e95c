package tool

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// normalizeKey turns a relative local path into key form: '/' separators
// and Unicode NFC, so that the same name gives the same key on every system.
func normalizeKey(rel string) string {
	return norm.NFC.String(filepath.ToSlash(rel))
}

// localPathFor maps rel, a key relative to a downloaded prefix, to a path
// under dir. Keys that would land outside dir (with "..", an absolute path,
// a drive letter, a NUL, or a backslash on Windows) are refused.
func localPathFor(dir, rel string) (string, error) {
	p := filepath.FromSlash(rel)
	switch {
	case strings.ContainsRune(rel, 0),
		runtime.GOOS == "windows" && strings.ContainsRune(rel, '\\'),
		!filepath.IsLocal(p):
		return "", fmt.Errorf("refused: key name %q would not land inside %s", rel, dir)
	}
	return filepath.Join(dir, p), nil
}
