package ks3_test

import (
	"testing"

	"github.com/ks3sync/ks3sync/ks3/ks3test"
)

// TestConformanceAgainstEndpoint runs the conformance suite against the real
// endpoint named by the KS3_TEST_* environment variables, and skips, naming
// them, when they are not set.
func TestConformanceAgainstEndpoint(t *testing.T) {
	c, bucket := ks3test.FromEnv(t)
	ks3test.RunConformance(t, c, bucket)
}
