// Package lockfile takes exclusive, process-lifetime locks on files, so two
// ks3sync processes never work on the same state database or server root
// at once. The operating system releases a lock when its process dies, so
// a kill -9 never leaves a stale lock behind.
package lockfile

import (
	"errors"
	"fmt"
	"os"
)

// ErrLocked means another process holds the lock.
var ErrLocked = errors.New("in use by another process")

// Lock is a held lock; Release gives it back.
type Lock struct {
	f *os.File
}

// Acquire creates path if needed and locks it without waiting. It fails
// with an error wrapping ErrLocked when another process holds it.
func Acquire(path string) (*Lock, error) {
	f, err := acquire(path)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &Lock{f: f}, nil
}

// Release unlocks and closes the lock file (the file itself stays).
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}
