package ks3server_test

import (
	"testing"

	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/ks3/ks3test"
	"github.com/ks3sync/ks3sync/ks3server/ks3servertest"
)

// TestConformanceSigV4 runs the conformance suite with a client that signs
// with AWS Signature V4 (x-amz- headers, ListObjectsV2 paging), in a region
// that is not us-east-1: the server accepts any.
func TestConformanceSigV4(t *testing.T) {
	h := ks3servertest.Start(t)
	c, err := ks3.New(ks3.Options{Endpoint: h.URL, AccessKey: ks3servertest.AccessKey, SecretKey: ks3servertest.SecretKey,
		Signature: ks3.SignatureV4, Region: "BEIJING"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CreateBucket(t.Context(), "conformance-v4", ks3.CreateBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	ks3test.RunConformance(t, c, "conformance-v4")
}
