//go:build !linux

package watcher

import (
	"errors"
	"syscall"
)

// isWatchLimit reports whether err from adding a watch means the system ran
// out of watch resources: kqueue needs one open file per watched path.
func isWatchLimit(err error) bool {
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) || errors.Is(err, syscall.ENOSPC)
}

// watchLimitHint tells how to raise the limit behind isWatchLimit.
func watchLimitHint() string {
	return "the limit on open files was reached (kqueue needs one for every watched folder and file); " +
		"raise it with: ulimit -n 65536 (or launchctl limit maxfiles on macOS)"
}

// overflowHint tells how to avoid event overflows.
func overflowHint() string {
	return "the operating system's change notification buffer overflowed; " +
		"changes are picked up by the rescan, and fewer simultaneous changes avoid it"
}
