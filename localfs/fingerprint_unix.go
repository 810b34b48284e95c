//go:build linux || android || openbsd || dragonfly || solaris || illumos

package localfs

import (
	"io/fs"
	"syscall"

	"github.com/ks3sync/ks3sync/planner"
)

// fingerprint returns the change-detection fields of fi: size, mtime, and
// the inode and ctime that catch edits which restore size and mtime.
func fingerprint(fi fs.FileInfo) planner.Fingerprint {
	fp := planner.Fingerprint{Size: fi.Size(), MTime: fi.ModTime().UnixNano()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		fp.CTime = st.Ctim.Nano()
		fp.Inode = uint64(st.Ino)
	}
	return fp
}
