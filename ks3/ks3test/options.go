package ks3test

import "github.com/ks3sync/ks3sync/ks3"

// Options adapt the suite to an S3-compatible endpoint that is not KS3. The
// zero value checks KS3's behaviour.
type Options struct {
	// S3 expects Amazon S3's rules where KS3 has its own: parts of at least
	// 5 MiB, the AWS all-users group URI, x-amz-meta- headers on presigned
	// uploads, and CreateBucket of a bucket the caller already owns may
	// succeed (as in us-east-1).
	S3 bool
	// Permissive skips the checks that an S3 test double such as moto
	// fails: it verifies no signatures or expiry of presigned URLs, ignores
	// response-* overrides and object ACL documents, reports a fixed upload
	// initiation time, grants no WRITE for public-read-write, checks part
	// sizes before part order, does not page delimited ListObjects (V1)
	// listings, and answers InitiateMultipartUpload with the key unencoded
	// even where XML cannot carry it.
	Permissive bool
}

// Values that differ between KS3 and S3.
const (
	s3MinPartSize = 5 << 20
	s3AllUsersURI = "http://acs.amazonaws.com/groups/global/AllUsers"
)

// minPartSize is the smallest size of a part but the last.
func (o Options) minPartSize() int {
	if o.S3 {
		return s3MinPartSize
	}
	return ks3.MinPartSize
}

// allUsersURI is the URI of the grantee group of all users.
func (o Options) allUsersURI() string {
	if o.S3 {
		return s3AllUsersURI
	}
	return ks3.AllUsersURI
}

// metaHeader is the header of the user metadata name on presigned uploads.
func (o Options) metaHeader(name string) string {
	if o.S3 {
		return "x-amz-meta-" + name
	}
	return "x-kss-meta-" + name
}
