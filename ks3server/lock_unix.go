//go:build unix

package ks3server

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockRoot takes an exclusive lock on path, so that two servers never share
// a root. The operating system releases it when the process dies.
func lockRoot(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errors.New("lock: the root is in use by another server")
		}
		return nil, fmt.Errorf("lock: %w", err)
	}
	return f, nil
}
