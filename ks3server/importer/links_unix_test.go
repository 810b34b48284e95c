//go:build unix

package importer

import (
	"io/fs"
	"syscall"
)

// linkCount returns the number of hard links of a file.
func linkCount(fi fs.FileInfo) (uint64, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return uint64(st.Nlink), true
}
