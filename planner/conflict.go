package planner

import (
	"strings"
)

// ConflictName returns where the local copy of a conflicting file is kept:
// "dir/NAME.conflict-<host>-<time>.EXT", or "dir/NAME.conflict-<host>-<time>"
// when the name has no extension (a leading dot, as in ".profile", does not
// start one). Characters of host and time that cannot appear in a file name
// on any supported system become "-".
func ConflictName(path, host, time string) string {
	dir, name := "", path
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		dir, name = path[:i+1], path[i+1:]
	}
	stem, ext := name, ""
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		stem, ext = name[:i], name[i:]
	}
	return dir + stem + ".conflict-" + nameSafe(host) + "-" + nameSafe(time) + ext
}

// nameSafe replaces characters that are not allowed in file names on Windows
// (the strictest target), and the path separators, with "-".
func nameSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || strings.ContainsRune(`<>:"/\|?*`, r) {
			return '-'
		}
		return r
	}, s)
}
