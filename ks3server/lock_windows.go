//go:build windows

package ks3server

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// errorSharingViolation is ERROR_SHARING_VIOLATION.
const errorSharingViolation syscall.Errno = 32

// lockRoot opens path without sharing, so that two servers never share a
// root. The operating system releases it when the process dies.
func lockRoot(path string) (*os.File, error) {
	name, err := syscall.UTF16PtrFromString(path)
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	h, err := syscall.CreateFile(name, syscall.GENERIC_READ|syscall.GENERIC_WRITE, 0, nil,
		syscall.OPEN_ALWAYS, syscall.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		if errors.Is(err, errorSharingViolation) {
			return nil, errors.New("lock: the root is in use by another server")
		}
		return nil, fmt.Errorf("lock: %w", err)
	}
	return os.NewFile(uintptr(h), path), nil
}
