package localfs

import (
	"context"
	"errors"
	"time"
)

// Windows error codes of a file another program holds open (see
// winerror.h). Unix has no mandatory locks: there, no error is one of them.
const (
	errorAccessDenied     = 5  // ERROR_ACCESS_DENIED: a rename over a file open without FILE_SHARE_DELETE
	errorSharingViolation = 32 // ERROR_SHARING_VIOLATION
	errorLockViolation    = 33 // ERROR_LOCK_VIOLATION: a byte-range lock
)

// lockedCode reports whether a Windows error code says that another
// program has the file open or locked. For a rename (or a removal), access
// denied means the same: the target is open in a program that did not
// allow it to be replaced; for an open it means a permission problem that
// waiting does not fix.
func lockedCode(code uint32, replace bool) bool {
	switch code {
	case errorSharingViolation, errorLockViolation:
		return true
	case errorAccessDenied:
		return replace
	}
	return false
}

// IsLocked reports whether err (from opening or reading a file) says that
// another program holds the file open or locked, as Windows does; the file
// is then worth trying again later rather than failing.
func IsLocked(err error) bool { return isLocked(err, false) }

// IsReplaceBlocked reports whether err (from renaming over a file, or
// removing one) says that another program holds the file open.
func IsReplaceBlocked(err error) bool { return isLocked(err, true) }

// lockedDelays are the waits between the tries of RetryLocked: about three
// seconds in all, enough for an editor or a virus scanner to let go.
var lockedDelays = []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, 1600 * time.Millisecond}

// RetryLocked calls fn, and calls it again after a short wait while it
// fails because another program holds a file open (see IsLocked, and
// IsReplaceBlocked with replace). It returns fn's last error, or the
// context's when it ends first.
func RetryLocked(ctx context.Context, replace bool, fn func() error) error {
	err := fn()
	for _, d := range lockedDelays {
		if err == nil || !isLocked(err, replace) {
			return err
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(err, ctx.Err())
		case <-t.C:
		}
		err = fn()
	}
	return err
}
