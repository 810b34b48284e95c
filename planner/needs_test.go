package planner

import (
	"slices"
	"testing"
)

func TestNeeds(t *testing.T) {
	const multipart = "0123456789abcdef0123456789abcdef-4"
	base := func(p string) BaseEntry {
		return BaseEntry{Path: p, Local: fp(10, 1), MD5: md5A, RemoteKey: p, RemoteSize: 10, ETag: md5A}
	}
	tests := []struct {
		name       string
		l          *LocalEntry
		r          *RemoteEntry
		b          bool // with base(p)
		hash, head bool
	}{
		{name: "unchanged", l: &LocalEntry{Fingerprint: fp(10, 1)}, r: &RemoteEntry{Size: 10, ETag: md5A}, b: true},
		{name: "touched or same-size edit", l: &LocalEntry{Fingerprint: fp(10, 2)}, r: &RemoteEntry{Size: 10, ETag: md5A}, b: true, hash: true},
		{name: "already hashed", l: &LocalEntry{Fingerprint: fp(10, 2), MD5: md5B}, r: &RemoteEntry{Size: 10, ETag: md5A}, b: true},
		{name: "size changed, remote unchanged", l: &LocalEntry{Fingerprint: fp(11, 2)}, r: &RemoteEntry{Size: 10, ETag: md5A}, b: true},
		{name: "size changed, local deleted remotely", l: &LocalEntry{Fingerprint: fp(11, 2)}, b: true},
		{name: "both changed to the same size", l: &LocalEntry{Fingerprint: fp(11, 2)}, r: &RemoteEntry{Size: 11, ETag: md5C}, b: true, hash: true},
		{name: "both changed, multipart", l: &LocalEntry{Fingerprint: fp(11, 2)}, r: &RemoteEntry{Size: 11, ETag: multipart}, b: true, hash: true, head: true},
		{name: "both changed, different sizes", l: &LocalEntry{Fingerprint: fp(11, 2)}, r: &RemoteEntry{Size: 12, ETag: multipart}, b: true},
		{name: "no base, same size", l: &LocalEntry{Fingerprint: fp(10, 2)}, r: &RemoteEntry{Size: 10, ETag: md5A}, hash: true},
		{name: "no base, different size", l: &LocalEntry{Fingerprint: fp(10, 2)}, r: &RemoteEntry{Size: 9, ETag: md5A}},
		{name: "no base, multipart", l: &LocalEntry{Fingerprint: fp(10, 2)}, r: &RemoteEntry{Size: 10, ETag: multipart}, hash: true, head: true},
		{name: "no base, multipart with our MD5", l: &LocalEntry{Fingerprint: fp(10, 2)}, r: &RemoteEntry{Size: 10, ETag: multipart, MD5: md5A}, hash: true},
		{name: "no base, encrypted", l: &LocalEntry{Fingerprint: fp(10, 2), MD5: md5A}, r: &RemoteEntry{Size: 32, ETag: md5C, Encrypted: true}, head: true},
		{name: "no base, local only", l: &LocalEntry{Fingerprint: fp(10, 2)}},
		{name: "no base, remote only", r: &RemoteEntry{Size: 10, ETag: multipart}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var in Input
			if tc.l != nil {
				l := *tc.l
				l.Path = "f"
				in.Local = []LocalEntry{l}
			}
			if tc.r != nil {
				r := *tc.r
				r.Key = "f"
				in.Remote = []RemoteEntry{r}
			}
			if tc.b {
				in.Base = []BaseEntry{base("f")}
			}
			hash, head := Needs(in, Options{})
			if got := len(hash) == 1; got != tc.hash || (got && hash[0] != "f") {
				t.Errorf("hash = %q, want hashing %v", hash, tc.hash)
			}
			if got := len(head) == 1; got != tc.head || (got && head[0] != "f") {
				t.Errorf("head = %q, want a HEAD %v", head, tc.head)
			}
		})
	}
}

func TestNeedsSkipsFilteredAndBadInput(t *testing.T) {
	in := Input{
		Local:  []LocalEntry{{Path: "a.tmp", Fingerprint: fp(1, 1)}, {Path: "b", Fingerprint: fp(1, 1)}},
		Remote: []RemoteEntry{{Key: "p/a.tmp", Size: 1, ETag: md5A}, {Key: "p/b", Size: 1, ETag: md5A}},
	}
	hash, head := Needs(in, Options{Prefix: "p/", Exclude: []string{"*.tmp"}})
	if !slices.Equal(hash, []string{"b"}) || len(head) != 0 {
		t.Errorf("Needs = %q, %q; want [b], []", hash, head)
	}
	hash, head = Needs(in, Options{Prefix: "p/", Exclude: []string{"[bad"}})
	if hash != nil || head != nil {
		t.Errorf("invalid options: Needs = %q, %q; want nothing", hash, head)
	}
}

// TestNeedsThenPlan: after the caller supplies what Needs asked for, a lost
// state DB costs no transfer.
func TestNeedsThenPlan(t *testing.T) {
	in := Input{
		Local:  []LocalEntry{{Path: "f", Fingerprint: fp(10, 2)}},
		Remote: []RemoteEntry{{Key: "f", Size: 10, ETag: "0123456789abcdef0123456789abcdef-4"}},
	}
	hash, head := Needs(in, Options{Direction: Both, Host: "h", Time: "t"})
	if len(hash) != 1 || len(head) != 1 {
		t.Fatalf("Needs = %q, %q", hash, head)
	}
	in.Local[0].MD5 = md5A  // hashed by the caller
	in.Remote[0].MD5 = md5A // from x-kss-meta-md5
	res, err := Plan(in, Options{Direction: Both, Host: "h", Time: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Counts[UpdateBase] != 1 || len(res.Actions) != 1 {
		t.Errorf("Counts = %v, want one update-base", res.Counts)
	}
}

func TestNeedsUnsortedInput(t *testing.T) {
	in := Input{Local: []LocalEntry{{Path: "b"}, {Path: "a"}}, Remote: []RemoteEntry{{Key: "a", Size: 0}, {Key: "b", Size: 0}}}
	if hash, head := Needs(in, Options{}); hash != nil || head != nil {
		t.Errorf("Needs = %q, %q; want nothing", hash, head)
	}
}
