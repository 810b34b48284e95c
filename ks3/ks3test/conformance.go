// Package ks3test is a conformance suite for KS3 endpoints: it drives every
// operation of the ks3 client end to end against a real service or a local
// KS3-compatible server and checks what the protocol promises.
//
// A server's tests run it against an in-process instance:
//
//	func TestConformance(t *testing.T) {
//		c, bucket := ... // a client for the server and an empty bucket
//		ks3test.RunConformance(t, c, bucket)
//	}
//
// and FromEnv gives a client for a real endpoint named in the environment.
package ks3test

import (
	"context"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3"
)

// RunConformance exercises every operation of c against bucket, which the
// caller has created and which should be empty. Each area runs as a
// subtest. Objects are written under "conf-" key prefixes (and one key
// "/conf-leading-slash") and deleted again; the bucket ACL is restored; one
// temporary bucket is created and deleted.
func RunConformance(t *testing.T, c *ks3.Client, bucket string) {
	RunConformanceWith(t, c, bucket, Options{})
}

// RunConformanceWith is RunConformance for endpoints that differ from KS3
// as opts describe.
func RunConformanceWith(t *testing.T, c *ks3.Client, bucket string, opts Options) {
	s := &suite{c: c, bucket: bucket, opts: opts}
	t.Run("Bucket", s.testBucket)
	t.Run("ObjectRoundTrip", s.testObjectRoundTrip)
	t.Run("EmptyObject", s.testEmptyObject)
	t.Run("SpecialKeys", s.testSpecialKeys)
	t.Run("ControlCharacterKeys", s.testControlCharacterKeys)
	t.Run("RangeGet", s.testRangeGet)
	t.Run("ResponseHeaderOverrides", s.testResponseOverrides)
	t.Run("Copy", s.testCopy)
	t.Run("DeleteObjects", s.testDeleteObjects)
	t.Run("Listing", s.testListing)
	t.Run("Multipart", s.testMultipart)
	t.Run("UploadPartCopy", s.testUploadPartCopy)
	t.Run("CopyInParts", s.testCopyInParts)
	t.Run("MultipartAbort", s.testMultipartAbort)
	t.Run("MultipartInvalid", s.testMultipartInvalid)
	t.Run("Put", s.testPut)
	t.Run("ObjectACL", s.testObjectACL)
	t.Run("BucketACL", s.testBucketACL)
	t.Run("Presigned", s.testPresigned)
	t.Run("Errors", s.testErrors)
}

// suite carries the client and bucket under test.
type suite struct {
	c      *ks3.Client
	bucket string
	opts   Options
}

// cleanupTimeout bounds the clean-up of one subtest. Clean-up runs after
// t.Context() is cancelled, so it has its own context.
const cleanupTimeout = 2 * time.Minute

// cleanupContext returns a context for clean-up work.
func cleanupContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), cleanupTimeout)
}
