package localfs

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// TestLockedCode pins the Windows error codes: what another program's open
// handle looks like to an open, and to a rename over the file.
func TestLockedCode(t *testing.T) {
	for _, tc := range []struct {
		code          uint32
		open, replace bool
	}{
		{32, true, true},  // ERROR_SHARING_VIOLATION
		{33, true, true},  // ERROR_LOCK_VIOLATION
		{5, false, true},  // ERROR_ACCESS_DENIED: only a rename or removal waits for it
		{2, false, false}, // ERROR_FILE_NOT_FOUND
		{3, false, false}, // ERROR_PATH_NOT_FOUND
		{112, false, false},
		{0, false, false},
	} {
		if got := lockedCode(tc.code, false); got != tc.open {
			t.Errorf("lockedCode(%d, open) = %v, want %v", tc.code, got, tc.open)
		}
		if got := lockedCode(tc.code, true); got != tc.replace {
			t.Errorf("lockedCode(%d, replace) = %v, want %v", tc.code, got, tc.replace)
		}
	}
}

func TestRetryLockedStopsOnOtherErrors(t *testing.T) {
	calls := 0
	other := &fs.PathError{Op: "open", Path: "x", Err: fs.ErrPermission}
	err := RetryLocked(context.Background(), true, func() error { calls++; return other })
	if !errors.Is(err, fs.ErrPermission) || calls != 1 {
		t.Errorf("RetryLocked with an error that is no lock: %v after %d calls", err, calls)
	}
	calls = 0
	if err := RetryLocked(context.Background(), false, func() error { calls++; return nil }); err != nil || calls != 1 {
		t.Errorf("RetryLocked of a success: %v after %d calls", err, calls)
	}
}

// TestIsLockedHere checks the classification of this system's own errors:
// on Windows a sharing violation is a lock; elsewhere nothing is.
func TestIsLockedHere(t *testing.T) {
	sharing := &os.LinkError{Op: "rename", Old: "a", New: "b", Err: syscall.Errno(32)}
	denied := &fs.PathError{Op: "open", Path: "a", Err: syscall.Errno(5)}
	onWindows := runtime.GOOS == "windows"
	if IsLocked(sharing) != onWindows || IsReplaceBlocked(sharing) != onWindows {
		t.Errorf("errno 32: IsLocked %v, IsReplaceBlocked %v; want %v", IsLocked(sharing), IsReplaceBlocked(sharing), onWindows)
	}
	if IsLocked(denied) || IsReplaceBlocked(denied) != onWindows {
		t.Errorf("errno 5: IsLocked %v, IsReplaceBlocked %v", IsLocked(denied), IsReplaceBlocked(denied))
	}
	if !onWindows {
		return
	}
	// A lock that goes away is waited for.
	calls := 0
	start := time.Now()
	err := RetryLocked(context.Background(), true, func() error {
		if calls++; calls < 3 {
			return sharing
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Errorf("RetryLocked of a lock released after two tries: %v after %d calls (%s)", err, calls, time.Since(start))
	}
}
