package ks3test

import (
	"os"
	"testing"

	"github.com/ks3sync/ks3sync/ks3"
)

// Environment variables read by FromEnv.
const (
	EnvEndpoint      = "KS3_TEST_ENDPOINT"       // required: host[:port] or http(s)://host[:port]
	EnvAccessKey     = "KS3_TEST_ACCESS_KEY"     // required
	EnvSecretKey     = "KS3_TEST_SECRET_KEY"     // required
	EnvBucket        = "KS3_TEST_BUCKET"         // required: an existing bucket, ideally empty
	EnvAddressing    = "KS3_TEST_ADDRESSING"     // optional: virtual (default), path or domain
	EnvSecurityToken = "KS3_TEST_SECURITY_TOKEN" // optional: STS token
	EnvRegion        = "KS3_TEST_REGION"         // optional
)

// FromEnv returns a client and bucket for a real KS3 endpoint described by
// the KS3_TEST_* environment variables. It skips the test, saying which
// variables to set, when any required one is missing. An endpoint without a
// scheme uses https.
func FromEnv(t testing.TB) (*ks3.Client, string) {
	t.Helper()
	var missing []string
	get := func(name string) string {
		v := os.Getenv(name)
		if v == "" {
			missing = append(missing, name)
		}
		return v
	}
	endpoint, ak, sk, bucket := get(EnvEndpoint), get(EnvAccessKey), get(EnvSecretKey), get(EnvBucket)
	if len(missing) > 0 {
		t.Skipf("KS3 conformance against a real endpoint: set %v (missing: %v)",
			[]string{EnvEndpoint, EnvAccessKey, EnvSecretKey, EnvBucket}, missing)
	}
	c, err := ks3.New(ks3.Options{
		Endpoint:      endpoint,
		Secure:        true,
		Addressing:    ks3.Addressing(os.Getenv(EnvAddressing)),
		AccessKey:     ak,
		SecretKey:     sk,
		SecurityToken: os.Getenv(EnvSecurityToken),
		Region:        os.Getenv(EnvRegion),
	})
	if err != nil {
		t.Fatalf("client from %s etc.: %v", EnvEndpoint, err)
	}
	return c, bucket
}
