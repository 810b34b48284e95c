// Package ks3 is a client for Kingsoft Cloud KS3 object storage.
//
// It speaks the KS3 REST protocol directly: KSS header signatures and
// presigned URLs (or AWS Signature Version 4 with Options.Signature "v4",
// for KS3's V4 endpoint and other S3-compatible stores), virtual-host,
// path-style and custom-domain addressing,
// every bucket, object, ACL and multipart operation, typed errors, and
// retries with exponential backoff and a fresh signature per attempt.
//
// A Client is safe for concurrent use. Create one with New:
//
//	c, err := ks3.New(ks3.Options{
//		Endpoint:  "ks3-cn-beijing.ksyuncs.com",
//		Secure:    true,
//		AccessKey: ak,
//		SecretKey: sk,
//	})
//
// Upload bodies are io.ReadSeeker values so that a retried request sends
// exactly the same bytes; GetObject streams the response body to the caller
// and resumes it with a ranged GET when the connection fails mid-body.
//
// Nothing waits on the network forever: Options.Timeouts bound the wait for
// a response header and the time a body may go without moving a byte (a
// slow server that keeps moving bytes is never cut off), transport failures
// are retried within a time budget (Options.Retry.Budget), so an endpoint
// that is away for a few seconds is waited for, and a circuit breaker
// (Options.Breaker) fails requests at once, with a *CircuitOpenError naming
// the endpoint and the last error, once every request has failed for a
// while.
// Errors returned by the service are *Error values; use IsNotFound,
// IsRetryable and ErrorCode to classify them.
package ks3
