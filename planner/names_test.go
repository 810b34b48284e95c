package planner

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/ks3sync/ks3sync/names"
)

// TestPlanCaseCollision: two keys that one case-insensitive folder cannot
// hold apart are both skipped, and a local file of that name is left
// alone rather than uploaded over either of them.
func TestPlanCaseCollision(t *testing.T) {
	remote := []RemoteEntry{{Key: "Report.pdf", Size: 1, ETag: md5A}, {Key: "report.pdf", Size: 2, ETag: md5A}}
	for _, rules := range []names.Policy{names.ForOS("windows"), names.ForOS("darwin"), {CaseInsensitive: true}} {
		for _, local := range [][]LocalEntry{nil, {{Path: "REPORT.pdf", Fingerprint: fp(3, 3)}}} {
			in := Input{Local: local, Remote: remote}
			res, err := Plan(in, Options{Direction: Both, Delete: Propagate, Host: "h", Time: "t", Names: rules})
			if err != nil {
				t.Fatal(err)
			}
			path := "Report.pdf"
			if local != nil {
				path = local[0].Path // the spelling on disk
			}
			got := strings.Join(actionSummary(res), "|")
			if want := "error " + path + " report.pdf|error " + path + " Report.pdf"; got != want {
				t.Errorf("%v, local %v: actions %q, want %q", rules, local, got, want)
			}
			for _, a := range res.Actions {
				if !strings.Contains(a.Reason, `"Report.pdf", "report.pdf"`) || !strings.Contains(a.Reason, "letter case") {
					t.Errorf("reason %q does not name both keys and the cause", a.Reason)
				}
				if !errors.Is(a.Err, ErrNameCollision) {
					t.Errorf("error %v is not an ErrNameCollision: it would fail the pass", a.Err)
				}
			}
		}
	}
	// On a case-sensitive folder they are two files.
	res, err := Plan(Input{Remote: remote}, Options{Direction: Pull, Host: "h", Time: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Counts[Download] != 2 {
		t.Errorf("case-sensitive: %q", actionSummary(res))
	}
}

// TestPlanCaseInsensitiveFolders: a folder spelled differently on disk
// than in the bucket is the same folder; nothing is deleted, uploaded or
// downloaded for it, and a change goes to the key the object has.
func TestPlanCaseInsensitiveFolders(t *testing.T) {
	base := []BaseEntry{{Path: "dir/b", Local: fp(1, 1), MD5: md5A, RemoteKey: "p/dir/b", RemoteSize: 1, ETag: md5A}}
	remote := []RemoteEntry{{Key: "p/dir/b", Size: 1, ETag: md5A}}
	opts := Options{Direction: Both, Delete: Propagate, Prefix: "p/", Host: "h", Time: "t", Names: names.ForOS("darwin")}
	res, err := Plan(Input{Local: []LocalEntry{{Path: "Dir/b", Fingerprint: fp(1, 1)}}, Base: base, Remote: remote}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Actions) != 0 || res.Counts[Nothing] != 1 {
		t.Errorf("unchanged: %q", actionSummary(res))
	}
	res, err = Plan(Input{Local: []LocalEntry{{Path: "Dir/b", Fingerprint: fp(2, 2)}}, Base: base, Remote: remote}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(actionSummary(res), "|"); got != "upload dir/b p/dir/b" {
		t.Errorf("changed: %q", got)
	}
}

// TestPlanForgetsOtherSpellings: records of one path under two spellings
// keep the one of the key the bucket has; the other is forgotten.
func TestPlanForgetsOtherSpellings(t *testing.T) {
	in := Input{
		Local: []LocalEntry{{Path: "X", Fingerprint: fp(1, 1)}},
		Base: []BaseEntry{
			{Path: "X", Local: fp(1, 1), MD5: md5A, RemoteKey: "X", RemoteSize: 1, ETag: md5A},
			{Path: "x", Local: fp(1, 1), MD5: md5A, RemoteKey: "x", RemoteSize: 1, ETag: md5A},
		},
		Remote: []RemoteEntry{{Key: "x", Size: 1, ETag: md5A}},
	}
	res, err := Plan(in, Options{Direction: Both, Delete: Propagate, Host: "h", Time: "t", Names: names.ForOS("windows")})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(actionSummary(res), "|"); got != "forget-base X X" {
		t.Errorf("actions %q, want forget-base X X", got)
	}
}

// TestPlanWindowsRoundTrip: under windows rules a pulled key lands on its
// mapped name, and that file uploads to exactly the key again.
func TestPlanWindowsRoundTrip(t *testing.T) {
	keys := []string{"p/CON.txt", "p/a:b", "p/name.", "p/trail ", "p/what?", "p/x\x01y"}
	var remote []RemoteEntry
	for _, k := range keys {
		remote = append(remote, RemoteEntry{Key: k, Size: 1, ETag: md5A})
	}
	rules := names.ForOS("windows")
	res, err := Plan(Input{Remote: remote}, Options{Direction: Pull, Prefix: "p/", Host: "h", Time: "t", Names: rules})
	if err != nil {
		t.Fatal(err)
	}
	var local []LocalEntry
	for _, a := range res.Actions {
		if a.Kind != Download {
			t.Fatalf("pull: %s %s: %s", a.Kind, a.Key, a.Reason)
		}
		local = append(local, LocalEntry{Path: a.Path, Fingerprint: fp(1, 1)})
	}
	sortLocal(local)
	res, err = Plan(Input{Local: local}, Options{Prefix: "p/", Names: rules})
	if err != nil {
		t.Fatal(err)
	}
	var up []string
	for _, a := range res.Actions {
		up = append(up, a.Key)
	}
	sortStrings(up)
	if strings.Join(up, "|") != strings.Join(keys, "|") {
		t.Errorf("push of the pulled tree writes %q, want %q", up, keys)
	}
}

func sortLocal(l []LocalEntry) {
	slices.SortFunc(l, func(a, b LocalEntry) int { return strings.Compare(a.Path, b.Path) })
}

func sortStrings(s []string) { slices.Sort(s) }
