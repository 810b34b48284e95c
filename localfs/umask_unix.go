//go:build unix

package localfs

import (
	"io/fs"
	"syscall"
)

// umask is the process's file mode creation mask, read once at start:
// reading it means setting it, which is only safe before other goroutines
// create files.
var umask = readUmask()

func readUmask() fs.FileMode {
	old := syscall.Umask(0o022)
	syscall.Umask(old)
	return fs.FileMode(old) & fs.ModePerm
}
