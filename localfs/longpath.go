package localfs

import (
	"runtime"
	"strings"
)

// maxShortPath is the longest Windows path that works without the \\?\
// prefix: MAX_PATH (260) less the 12 characters Windows keeps for an 8.3
// file name when it creates a folder.
const maxShortPath = 248

// longPath returns p in the form the system can open whatever its length:
// on Windows, an absolute path that long gets the \\?\ prefix (see
// extendedPath); elsewhere p is unchanged.
func longPath(p string) string {
	if runtime.GOOS != "windows" {
		return p
	}
	return extendedPath(p)
}

// extendedPath returns the Windows path p with the \\?\ prefix that lifts
// the 260-character limit, when p is absolute and at least maxShortPath
// long: C:\a\... becomes \\?\C:\a\..., and \\server\share\... becomes
// \\?\UNC\server\share\.... A prefixed path skips Windows' own clean-up, so
// p is expected clean, with backslashes, as filepath.Join and Abs return it
// on Windows; a short, relative or already prefixed path is returned as it
// is.
func extendedPath(p string) string {
	switch {
	case len(p) < maxShortPath,
		strings.HasPrefix(p, `\\?\`), strings.HasPrefix(p, `\\.\`):
		return p
	case strings.HasPrefix(p, `\\`):
		return `\\?\UNC\` + p[2:]
	case len(p) >= 3 && p[1] == ':' && p[2] == '\\' && isLetter(p[0]):
		return `\\?\` + p
	}
	return p
}

func isLetter(c byte) bool {
	c |= 0x20 // lower case for ASCII letters
	return c >= 'a' && c <= 'z'
}
