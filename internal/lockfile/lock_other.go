//go:build !unix && !windows

package lockfile

import "os"

// acquire opens the lock file; this platform offers no advisory locks, so
// nothing stops a second process.
func acquire(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
}
