package main

import (
	"fmt"

	"github.com/ks3sync/ks3sync/ks3"
)

// setSignature selects the request-signing scheme of the client: "kss" (or
// "") for KS3's own signature, "v4" for AWS Signature Version 4, which KS3
// and any S3-compatible endpoint accept. With v4, opts.Region ("" means
// us-east-1) names the region signed for.
func setSignature(opts *ks3.Options, name string) error {
	switch name {
	case "", "kss":
		opts.Signature = ks3.SignatureKSS
	case "v4":
		opts.Signature = ks3.SignatureV4
	default:
		return fmt.Errorf("signature %q is not kss or v4", name)
	}
	return nil
}
