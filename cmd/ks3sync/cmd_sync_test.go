package main

import (
	"testing"
)

func TestSplitRemote(t *testing.T) {
	for _, tc := range []struct{ arg, bucket, prefix string }{
		{"ks3://bkt", "bkt", ""},
		{"ks3://bkt/", "bkt", ""},
		{"ks3://bkt/docs", "bkt", "docs/"},
		{"KS3://bkt/a/b/", "bkt", "a/b/"},
	} {
		b, p, err := splitRemote(tc.arg)
		if err != nil || b != tc.bucket || p != tc.prefix {
			t.Errorf("splitRemote(%q) = %q, %q, %v; want %q, %q", tc.arg, b, p, err, tc.bucket, tc.prefix)
		}
	}
	for _, arg := range []string{"ks3://", "ks3:///x", "ks3://bkt//x"} {
		if _, _, err := splitRemote(arg); err == nil {
			t.Errorf("splitRemote(%q) accepted it", arg)
		}
	}
}

// TestAdHocPairName pins the name (and so the state database) of a pair:
// a later version must find the state an earlier one wrote. The value is
// the first 8 bytes of sha256 over the four fields joined by NUL bytes
// (printf with \0 between them, piped to sha256sum, agrees).
func TestAdHocPairName(t *testing.T) {
	got := adHocPairName("ks3-cn-beijing.ksyuncs.com", "bkt", "docs/", "/home/u/docs")
	if got != "sync-2c3bdd9a99dc87f0" {
		t.Errorf("adHocPairName = %q", got)
	}
	if other := adHocPairName("ks3-cn-beijing.ksyuncs.com", "bkt", "docs/", "/home/u/doc"); other == got {
		t.Errorf("two folders share the pair name %q", got)
	}
	if isRemoteArg("./ks3:/x") || !isRemoteArg("Ks3://b") {
		t.Errorf("isRemoteArg")
	}
}
