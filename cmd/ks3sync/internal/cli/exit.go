// Package cli holds what every ks3sync command shares about ending: the
// exit codes (a contract scripts rely on), the error that carries one out of
// a command, and the argument checks that fail with a usage error.
package cli

import (
	"errors"
	"fmt"
)

// Exit codes of the ks3sync binary.
const (
	ExitOK          = 0 // all done
	ExitPartial     = 1 // some items failed, the rest done
	ExitUsage       = 2 // usage or configuration error
	ExitInterrupted = 3 // interrupted by a signal
)

// ExitError carries an exit code out of a command. Its message is Err's.
type ExitError struct {
	Code int
	Err  error
}

// Error returns the message of the wrapped error.
func (e *ExitError) Error() string { return e.Err.Error() }

// Unwrap returns the wrapped error.
func (e *ExitError) Unwrap() error { return e.Err }

// UsageError returns an error with exit code ExitUsage and a message
// formatted as fmt.Errorf does.
func UsageError(format string, args ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, args...)}
}

// PartialError marks err as a partial failure (ExitPartial): some items
// failed, the rest were done.
func PartialError(err error) error { return &ExitError{Code: ExitPartial, Err: err} }

// Code returns the exit code err carries, or def when it carries none.
func Code(err error, def int) int {
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return def
}
