//go:build !windows

package service

import (
	"os"
	"syscall"
)

// StopSelf asks this process's service wrapper to stop, as the service
// manager would: the wrapper (kardianos/service on Unix) waits for SIGTERM,
// then calls Program.Stop and returns from Run. Used after Program.Exited,
// so the process ends and the manager sees it gone.
func StopSelf() error {
	return syscall.Kill(os.Getpid(), syscall.SIGTERM)
}
