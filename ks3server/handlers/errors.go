package handlers

import (
	"errors"

	"github.com/ks3sync/ks3sync/ks3server/apierr"
	"github.com/ks3sync/ks3sync/ks3server/store"
)

// storeErrors maps the store's errors to the answers they get.
var storeErrors = []struct {
	err error
	api apierr.Error
}{
	{store.ErrNoSuchBucket, apierr.NoSuchBucket},
	{store.ErrNoSuchKey, apierr.NoSuchKey},
	{store.ErrNoSuchUpload, apierr.NoSuchUpload},
	{store.ErrBucketExists, apierr.BucketAlreadyExists},
	{store.ErrBucketNotEmpty, apierr.BucketNotEmpty},
	{store.ErrTooLarge, apierr.EntityTooLarge},
}

// apiError returns the answer to err, the one place where errors become
// answers: an apierr.Error anywhere in err's chain is answered as it is
// (a body that failed its own verification while the store read it
// included); the store's errors get their KS3 codes; anything else is a
// 500 InternalError, and ok is false.
func apiError(err error) (e apierr.Error, ok bool) {
	if ae, ok := errorsAs[apierr.Error](err); ok {
		return ae, true
	}
	for _, m := range storeErrors {
		if errors.Is(err, m.err) {
			return m.api, true
		}
	}
	if pc, ok := errorsAs[*store.PartChangedError](err); ok {
		return apierr.InvalidPart.WithMessage("Part %d changed while the upload was being completed.", pc.Number), true
	}
	if _, ok := errorsAs[*store.ReadError](err); ok {
		return apierr.IncompleteBody, true
	}
	return apierr.Internal, false
}

// errorsAs is errors.As for a target type, as a value.
func errorsAs[T error](err error) (T, bool) {
	var target T
	ok := errors.As(err, &target)
	return target, ok
}
