package ks3server_test

import (
	"testing"

	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/ks3/ks3test"
	"github.com/ks3sync/ks3sync/ks3server/ks3servertest"
)

// TestConformance runs the KS3 endpoint conformance suite, written against
// the protocol independently of this server, with the ks3 client.
func TestConformance(t *testing.T) {
	h := ks3servertest.Start(t)
	c, err := ks3.New(ks3.Options{Endpoint: h.URL, AccessKey: ks3servertest.AccessKey, SecretKey: ks3servertest.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CreateBucket(t.Context(), "conformance", ks3.CreateBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	ks3test.RunConformance(t, c, "conformance")
}
