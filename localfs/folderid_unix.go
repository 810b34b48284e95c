//go:build unix

package localfs

import (
	"fmt"
	"os"
	"syscall"
)

// FolderIdentity returns what tells the folder at dir apart from any other
// one, even one later made at the same path: its device and inode. A disk
// mounted on dir gives the mount's identity, an empty mount point another.
// "" means the system reports none.
func FolderIdentity(dir string) (string, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return "", err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return "", nil
	}
	return fmt.Sprintf("dev %d inode %d", uint64(st.Dev), uint64(st.Ino)), nil
}
