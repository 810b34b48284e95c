//go:build windows

package localfs

import (
	"fmt"
	"os"
	"syscall"
)

// FolderIdentity returns what tells the folder at dir apart from any other
// one, even one later made at the same path: its volume serial number and
// file index. "" means the system reports none.
func FolderIdentity(dir string) (string, error) {
	p, err := syscall.UTF16PtrFromString(longPath(dir))
	if err != nil {
		return "", &os.PathError{Op: "open", Path: dir, Err: err}
	}
	h, err := syscall.CreateFile(p, 0, syscall.FILE_SHARE_READ|syscall.FILE_SHARE_WRITE|syscall.FILE_SHARE_DELETE,
		nil, syscall.OPEN_EXISTING, syscall.FILE_FLAG_BACKUP_SEMANTICS, 0)
	if err != nil {
		return "", &os.PathError{Op: "open", Path: dir, Err: err}
	}
	defer syscall.CloseHandle(h)
	var info syscall.ByHandleFileInformation
	if err := syscall.GetFileInformationByHandle(h, &info); err != nil {
		return "", &os.PathError{Op: "stat", Path: dir, Err: err}
	}
	return fmt.Sprintf("volume %d index %d", info.VolumeSerialNumber, uint64(info.FileIndexHigh)<<32|uint64(info.FileIndexLow)), nil
}
