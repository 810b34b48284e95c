package tool

import (
	"fmt"
	"path"
	"strings"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/cli"
)

// uriScheme starts every remote argument: ks3://BUCKET[/KEY].
const uriScheme = "ks3://"

// ks3URI is a parsed ks3://BUCKET[/KEY] argument. The key is everything
// after the first slash that follows the bucket, taken verbatim: no
// percent-decoding, so "%", "#", "?", "+" and spaces are ordinary key
// characters, and "a//b" stays "a//b".
type ks3URI struct {
	Bucket string
	Key    string
}

// isRemote reports whether arg names a KS3 location rather than a local path.
func isRemote(arg string) bool {
	return len(arg) >= len(uriScheme) && strings.EqualFold(arg[:len(uriScheme)], uriScheme)
}

// parseURI parses a ks3://BUCKET[/KEY] argument. Errors are usage errors.
func parseURI(arg string) (ks3URI, error) {
	if !isRemote(arg) {
		return ks3URI{}, cli.UsageError("%q is not a ks3://BUCKET[/KEY] URI", arg)
	}
	bucket, key, _ := strings.Cut(arg[len(uriScheme):], "/")
	if err := checkBucketName(bucket); err != nil {
		return ks3URI{}, cli.UsageError("%q: %v", arg, err)
	}
	return ks3URI{Bucket: bucket, Key: key}, nil
}

// checkBucketName applies KS3's naming rules: 3 to 63 characters, lower-case
// letters, digits, '-', '_' and '.'.
func checkBucketName(name string) error {
	if name == "" {
		return fmt.Errorf("no bucket name")
	}
	if len(name) < 3 || len(name) > 63 {
		return fmt.Errorf("bucket name %q has %d characters, want 3 to 63", name, len(name))
	}
	for _, c := range []byte(name) {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return fmt.Errorf("bucket name %q may only hold lower-case letters, digits, '-', '_' and '.'", name)
		}
	}
	return nil
}

// String formats u as ks3://BUCKET/KEY, or ks3://BUCKET for the bucket.
func (u ks3URI) String() string {
	if u.Key == "" {
		return uriScheme + u.Bucket
	}
	return uriScheme + u.Bucket + "/" + printable(u.Key)
}

// isFolder reports whether u names a "folder": the bucket itself, or a key
// ending in '/'.
func (u ks3URI) isFolder() bool {
	return u.Key == "" || strings.HasSuffix(u.Key, "/")
}

// folderPrefix returns u's key as a listing prefix for a recursive command:
// "" for the whole bucket, otherwise the key with a trailing '/', so that
// ks3://b/photos means everything under photos/ and not photos-old/.
func (u ks3URI) folderPrefix() string {
	if u.isFolder() {
		return u.Key
	}
	return u.Key + "/"
}

// with returns u with another key.
func (u ks3URI) with(key string) ks3URI {
	return ks3URI{Bucket: u.Bucket, Key: key}
}

// requireKey fails with a usage error when u names no object.
func (u ks3URI) requireKey(cmd string) error {
	if u.Key == "" {
		return cli.UsageError("%s needs ks3://BUCKET/KEY, not just the bucket %s", cmd, u)
	}
	return nil
}

// requireBucketOnly fails with a usage error when u names more than a bucket.
func (u ks3URI) requireBucketOnly(cmd string) error {
	if u.Key != "" {
		return cli.UsageError("%s takes a bucket (ks3://%s), not an object key", cmd, u.Bucket)
	}
	return nil
}

// baseName is the last element of a key, the name a download or an upload
// to a folder uses ("c.txt" for "a/b/c.txt").
func baseName(key string) string {
	return path.Base(key)
}
