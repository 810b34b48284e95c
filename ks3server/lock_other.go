//go:build !unix && !windows

package ks3server

import (
	"fmt"
	"os"
)

// lockRoot opens the lock file; this platform offers no advisory locks, so
// nothing stops a second server from sharing the root.
func lockRoot(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	return f, nil
}
