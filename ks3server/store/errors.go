package store

import (
	"errors"
	"fmt"
)

// Errors of the store. Callers map them to their protocol's answers; the
// store knows nothing of HTTP.
var (
	// ErrNoSuchBucket: the bucket does not exist.
	ErrNoSuchBucket = errors.New("no such bucket")
	// ErrNoSuchKey: the bucket has no object under the key.
	ErrNoSuchKey = errors.New("no such key")
	// ErrNoSuchUpload: the multipart upload does not exist (any more).
	ErrNoSuchUpload = errors.New("no such multipart upload")
	// ErrBucketExists: a bucket of that name exists already.
	ErrBucketExists = errors.New("bucket already exists")
	// ErrBucketNotEmpty: the bucket still holds objects or uploads.
	ErrBucketNotEmpty = errors.New("bucket not empty")
	// ErrTooLarge: the data is larger than the limit it was staged with.
	ErrTooLarge = errors.New("data larger than the limit")
	// ErrClosed: the store is closed.
	ErrClosed = errors.New("store closed")
)

// ReadError is a failure to read the data being staged (a request body),
// as opposed to a failure of the store itself.
type ReadError struct{ Err error }

func (e *ReadError) Error() string { return "read data: " + e.Err.Error() }

// Unwrap returns the reader's error.
func (e *ReadError) Unwrap() error { return e.Err }

// PartChangedError says that a part chosen to complete an upload was
// replaced or removed after it was read.
type PartChangedError struct{ Number int }

func (e *PartChangedError) Error() string {
	return fmt.Sprintf("part %d changed while the upload was being completed", e.Number)
}
