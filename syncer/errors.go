package syncer

import (
	"errors"
	"fmt"

	"github.com/ks3sync/ks3sync/ks3"
)

// ErrLocalRootMissing is the error (wrapped with the folder's path) of a
// pass whose local folder does not exist: a typo in the configuration, or
// a disk that is not mounted. Nothing is synced; in particular, a missing
// folder is never taken for an emptied one. (A folder that exists but is
// empty is synced, with a warning and without deletions.)
var ErrLocalRootMissing = errors.New("local folder does not exist")

// ErrFolderReplaced is the error (wrapped with the folder's path) of a
// push pass whose local folder is empty and is not the folder the pair
// synced before: another device and inode, as an empty mount point whose
// disk is not mounted has. Nothing is synced.
var ErrFolderReplaced = errors.New("local folder is empty and is not the folder synced before")

// errRetryLater marks a per-item failure that the next pass is expected to
// fix on its own (the file changed while it was being read, for example).
var errRetryLater = errors.New("retry later")

// endpointDown returns the error that stops a pass when err says the
// endpoint is down (the client's circuit breaker is open), nil otherwise.
// The pass ends with it, wrapping the *ks3.CircuitOpenError, instead of
// failing every item one by one.
func endpointDown(err error) error {
	var open *ks3.CircuitOpenError
	if !errors.As(err, &open) {
		return nil
	}
	return fmt.Errorf("pass stopped: %w", open)
}
