//go:build windows

package service

import "errors"

// StopSelf reports that a Windows service cannot stop itself through
// kardianos/service's Run: the caller ends the process instead, and the
// Service Control Manager applies the service's recovery actions to an
// unexpected exit. Used after Program.Exited.
func StopSelf() error {
	return errors.New("a Windows service cannot ask the Service Control Manager to stop it")
}
