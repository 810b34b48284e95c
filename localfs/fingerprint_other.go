//go:build !(linux || android || openbsd || dragonfly || solaris || illumos || darwin || ios || freebsd || netbsd)

package localfs

import (
	"io/fs"

	"github.com/ks3sync/ks3sync/planner"
)

// fingerprint returns the change-detection fields of fi. Windows (and the
// rest) report no inode or change time in a directory listing, and reading
// them would cost opening every file, so only size and mtime are used;
// CTime and Inode stay zero, consistently for scans and Stat.
func fingerprint(fi fs.FileInfo) planner.Fingerprint {
	return planner.Fingerprint{Size: fi.Size(), MTime: fi.ModTime().UnixNano()}
}
