package tool

import (
	"errors"
	"testing"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/cli"
)

func TestParseURI(t *testing.T) {
	for _, tc := range []struct {
		arg    string
		want   ks3URI
		folder bool
		prefix string
		str    string
	}{
		{"ks3://bkt", ks3URI{"bkt", ""}, true, "", "ks3://bkt"},
		{"ks3://bkt/", ks3URI{"bkt", ""}, true, "", "ks3://bkt"},
		{"KS3://bkt/a", ks3URI{"bkt", "a"}, false, "a/", "ks3://bkt/a"},
		{"ks3://my.bucket_1-x/dir/", ks3URI{"my.bucket_1-x", "dir/"}, true, "dir/", "ks3://my.bucket_1-x/dir/"},
		{"ks3://bkt/a//b", ks3URI{"bkt", "a//b"}, false, "a//b/", "ks3://bkt/a//b"},
		{"ks3://bkt//lead", ks3URI{"bkt", "/lead"}, false, "/lead/", "ks3://bkt//lead"},
		{"ks3://bkt/sp ace+%20#?.txt", ks3URI{"bkt", "sp ace+%20#?.txt"}, false, "sp ace+%20#?.txt/", "ks3://bkt/sp ace+%20#?.txt"},
		{"ks3://bkt/ünï/😀", ks3URI{"bkt", "ünï/😀"}, false, "ünï/😀/", "ks3://bkt/ünï/😀"},
		{"ks3://bkt/new\nline", ks3URI{"bkt", "new\nline"}, false, "new\nline/", `ks3://bkt/"new\nline"`},
	} {
		got, err := parseURI(tc.arg)
		if err != nil || got != tc.want {
			t.Errorf("parseURI(%q) = %+v, %v; want %+v", tc.arg, got, err, tc.want)
			continue
		}
		if got.isFolder() != tc.folder || got.folderPrefix() != tc.prefix || got.String() != tc.str {
			t.Errorf("%q: isFolder %v, folderPrefix %q, String %q; want %v, %q, %q",
				tc.arg, got.isFolder(), got.folderPrefix(), got.String(), tc.folder, tc.prefix, tc.str)
		}
	}
}

func TestParseURIRejects(t *testing.T) {
	for _, arg := range []string{
		"", "bkt/key", "s3://bkt/key", "ks3:/bkt", "ks3://", "ks3:///key", "ks3://ab", "ks3://Bucket",
		"ks3://bu cket/k", "ks3://" + string(make([]byte, 64)),
		"ks3://a234567890123456789012345678901234567890123456789012345678901234",
	} {
		_, err := parseURI(arg)
		var ee *cli.ExitError
		if !errors.As(err, &ee) || ee.Code != cli.ExitUsage {
			t.Errorf("parseURI(%q) = %v, want a usage error", arg, err)
		}
	}
}

func TestURIRequirements(t *testing.T) {
	bucket, object := ks3URI{"bkt", ""}, ks3URI{"bkt", "k"}
	if bucket.requireKey("x") == nil || object.requireKey("x") != nil {
		t.Error("requireKey")
	}
	if object.requireBucketOnly("x") == nil || bucket.requireBucketOnly("x") != nil {
		t.Error("requireBucketOnly")
	}
	if got := object.with("other"); got != (ks3URI{"bkt", "other"}) {
		t.Errorf("with = %+v", got)
	}
}

func TestBaseName(t *testing.T) {
	for key, want := range map[string]string{"a/b/c.txt": "c.txt", "c.txt": "c.txt", "a/b/": "b", "a/..": ".."} {
		if got := baseName(key); got != want {
			t.Errorf("baseName(%q) = %q, want %q", key, got, want)
		}
	}
}
