//go:build windows

package localfs

import (
	"errors"
	"syscall"
)

// isLocked looks for the Windows error code under err.
func isLocked(err error, replace bool) bool {
	var errno syscall.Errno
	return errors.As(err, &errno) && lockedCode(uint32(errno), replace)
}
