package planner

import (
	"errors"
	"github.com/ks3sync/ks3sync/names"
	"strings"
	"testing"
)

func TestPlanConflictKeepsBoth(t *testing.T) {
	base := BaseEntry{Path: "docs/report.docx", Local: fp(10, 1), MD5: md5A, RemoteKey: "p/docs/report.docx", RemoteSize: 10, ETag: md5A}
	in := Input{
		Local:  []LocalEntry{{Path: "docs/report.docx", Fingerprint: fp(11, 2), MD5: md5B}},
		Remote: []RemoteEntry{{Key: "p/docs/report.docx", Size: 12, ETag: md5C}},
		Base:   []BaseEntry{base},
	}
	res, err := Plan(in, Options{Direction: Both, Prefix: "p/", Host: "laptop", Time: "20261125-024100"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Actions) != 1 {
		t.Fatalf("actions = %+v", res.Actions)
	}
	a := res.Actions[0]
	if a.Kind != Conflict || a.Key != "p/docs/report.docx" || a.Path != "docs/report.docx" {
		t.Errorf("action = %+v", a)
	}
	if a.ConflictPath != "docs/report.conflict-laptop-20261125-024100.docx" {
		t.Errorf("ConflictPath = %q", a.ConflictPath)
	}
	if a.Remote == nil || a.Remote.Path != "docs/report.docx" || a.Local != &in.Local[0] || a.Base != &in.Base[0] {
		t.Errorf("entries: local %p (want %p), remote %+v, base %p", a.Local, &in.Local[0], a.Remote, a.Base)
	}
	if in.Remote[0].Path != "" {
		t.Errorf("Plan modified the input: remote path %q", in.Remote[0].Path)
	}
}

func TestConflictName(t *testing.T) {
	tests := []struct{ path, host, time, want string }{
		{"report.docx", "laptop", "20261125-024100", "report.conflict-laptop-20261125-024100.docx"},
		{"a/b/archive.tar.gz", "h", "t", "a/b/archive.tar.conflict-h-t.gz"},
		{"Makefile", "h", "t", "Makefile.conflict-h-t"},
		{"dir/.profile", "h", "t", "dir/.profile.conflict-h-t"},
		{"dir.d/file", "h", "t", "dir.d/file.conflict-h-t"},
		{"x.txt", `my/host:1`, "2026-11-25 02:41:00", "x.conflict-my-host-1-2026-11-25 02-41-00.txt"},
	}
	for _, tc := range tests {
		if got := ConflictName(tc.path, tc.host, tc.time); got != tc.want {
			t.Errorf("ConflictName(%q, %q, %q) = %q, want %q", tc.path, tc.host, tc.time, got, tc.want)
		}
	}
}

// TestPlanLostStateDB: with the base gone, files whose content is the same
// on both sides are recorded, not transferred.
func TestPlanLostStateDB(t *testing.T) {
	in := Input{
		Local: []LocalEntry{
			{Path: "big.iso", Fingerprint: fp(1<<30, 5), MD5: md5A},
			{Path: "enc.bin", Fingerprint: fp(100, 5), MD5: md5B},
			{Path: "small.txt", Fingerprint: fp(3, 5), MD5: md5C},
		},
		Remote: []RemoteEntry{
			{Key: "big.iso", Size: 1 << 30, ETag: "0123456789abcdef0123456789abcdef-64", MD5: md5A},
			{Key: "enc.bin", Size: 112, ETag: "ffffffffffffffffffffffffffffffff", MD5: md5B, Encrypted: true},
			{Key: "small.txt", Size: 3, ETag: strings.ToUpper(md5C)},
		},
	}
	for _, dir := range []Direction{Push, Pull, Both} {
		res, err := Plan(in, Options{Direction: dir, Host: "h", Time: "t"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Counts[UpdateBase] != 3 || len(res.Actions) != 3 {
			t.Fatalf("%s: counts %v, want 3 update-base", dir, res.Counts)
		}
		nb, ok := res.Actions[1].NewBase()
		want := BaseEntry{Path: "enc.bin", Local: fp(100, 5), MD5: md5B, RemoteKey: "enc.bin", RemoteSize: 112, ETag: "ffffffffffffffffffffffffffffffff", Encrypted: true}
		if !ok || nb != want {
			t.Errorf("NewBase = %+v, %v; want %+v", nb, ok, want)
		}
	}
}

func TestPlanEncryptedSizesAreNotCompared(t *testing.T) {
	// The ciphertext is larger than the file: sizes say nothing, and
	// without the plaintext MD5 the content is unknown.
	in := Input{
		Local:  []LocalEntry{{Path: "f", Fingerprint: fp(100, 5), MD5: md5A}},
		Remote: []RemoteEntry{{Key: "f", Size: 112, ETag: md5A, Encrypted: true}},
	}
	res, err := Plan(in, Options{Direction: Both, Host: "h", Time: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if a := res.Actions[0]; a.Kind != Conflict || !strings.Contains(a.Reason, "could not be compared") {
		t.Errorf("action = %s %q, want a conflict saying the content could not be compared", a.Kind, a.Reason)
	}
}

func TestPlanKeys(t *testing.T) {
	const nfd, nfc = "cafe\u0301", "caf\u00e9"
	in := Input{
		Local: []LocalEntry{
			{Path: nfc, Fingerprint: fp(2, 2), MD5: md5B},
			{Path: "dir/new.txt", Fingerprint: fp(1, 1)},
		},
		Remote: []RemoteEntry{{Key: "p/" + nfd, Size: 1, ETag: md5A}},
		Base:   []BaseEntry{{Path: nfc, Local: fp(1, 1), MD5: md5A, RemoteKey: "p/" + nfd, RemoteSize: 1, ETag: md5A}},
	}
	res, err := Plan(in, Options{Prefix: "p/"})
	if err != nil {
		t.Fatal(err)
	}
	got := actionSummary(res)
	// The changed file overwrites the existing NFD key instead of adding an
	// NFC twin; the new file gets prefix + path.
	want := []string{"upload " + nfc + " p/" + nfd, "upload dir/new.txt p/dir/new.txt"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("actions %q, want %q", got, want)
	}
	if res.Actions[0].Remote.Path != nfc {
		t.Errorf("remote path = %q, want the NFC path", res.Actions[0].Remote.Path)
	}
}

func TestPlanPerItemErrors(t *testing.T) {
	const nfd, nfc = "cafe\u0301", "caf\u00e9"
	in := Input{
		Local: []LocalEntry{
			{Path: "bad//path"},                  // cannot be a key that maps back
			{Path: "dup", Fingerprint: fp(1, 1)}, // two files that normalise alike
			{Path: "dup", Fingerprint: fp(2, 2)},
			{Path: "fine"},
			{Path: "not" + nfd},
		},
		Remote: []RemoteEntry{
			{Key: "../escape", Size: 1},
			{Key: "a//b", Size: 1},
			{Key: "cafe\u0301", Size: 1},
			{Key: "caf\u00e9", Size: 1},
			{Key: "junk.tmp/../x", Size: 1}, // unsafe, but excluded by the filter
		},
	}
	res, err := Plan(in, Options{Direction: Both, Delete: Propagate, Host: "h", Time: "t", Exclude: []string{"junk.tmp/"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range res.Actions {
		if a.Kind == Error && (a.Err == nil || !strings.HasPrefix(a.Reason, "skipped: ")) {
			t.Errorf("error action without Err or reason: %+v", a)
		}
		got = append(got, string(a.Kind)+" "+a.Path+" "+a.Key)
	}
	want := []string{
		"error  ../escape",
		"error  a//b",
		"error bad//path ",
		"error " + nfc + " " + nfc,
		"error " + nfc + " " + nfd,
		"error dup ",
		"error dup ",
		"upload fine fine",
		"error not" + nfd + " ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("actions\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(res.Actions[3].Reason, "differ only in Unicode normalisation") {
		t.Errorf("duplicate key reason = %q", res.Actions[3].Reason)
	}
	if res.Counts[Error] != 8 || res.Counts[Upload] != 1 {
		t.Errorf("Counts = %v", res.Counts)
	}
}

func TestPlanRejectsBadOptions(t *testing.T) {
	tests := []struct {
		opts Options
		why  string
	}{
		{Options{Direction: "sideways"}, `direction "sideways"`},
		{Options{Delete: "shred"}, `delete policy "shred"`},
		{Options{Prefix: "no-slash"}, `prefix "no-slash"`},
		{Options{Direction: Both}, "host and time are required"},
		{Options{Direction: Pull, Host: "h"}, "host and time are required"},
		{Options{Exclude: []string{"[x"}}, `exclude pattern "[x"`},
		{Options{MaxDelete: MaxDelete{Percent: 120}}, "max_delete"},
		{Options{MaxDelete: MaxDelete{Count: -1}}, "max_delete"},
	}
	for _, tc := range tests {
		_, err := Plan(Input{}, tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("Plan(%+v) err = %v, want one saying %q", tc.opts, err, tc.why)
		}
	}
	_, err := Plan(Input{Local: localsOf("b", "a")}, Options{})
	if err == nil || !strings.Contains(err.Error(), "not sorted") {
		t.Errorf("unsorted input: err = %v", err)
	}
}

func TestPlanCountsAndDefaults(t *testing.T) {
	in := syncedPair(5)
	in.Local = in.Local[1:]                                                    // f000 deleted locally
	in.Local[0].MTime, in.Local[0].Size = 9, 6                                 // f001 changed
	in.Local = append(in.Local, LocalEntry{Path: "z", Fingerprint: fp(1, 1)})  // new
	in.Remote = append(in.Remote, RemoteEntry{Key: "zz", Size: 1, ETag: md5A}) // remote only
	res, err := Plan(in, Options{})                                            // push, keep
	if err != nil {
		t.Fatal(err)
	}
	want := map[ActionKind]int{Upload: 2, Nothing: 5}
	if len(res.Counts) != len(want) || res.Counts[Upload] != 2 || res.Counts[Nothing] != 5 {
		t.Errorf("Counts = %v, want %v", res.Counts, want)
	}
	if res.LocalFiles != 5 || res.RemoteFiles != 6 {
		t.Errorf("LocalFiles, RemoteFiles = %d, %d; want 5, 6", res.LocalFiles, res.RemoteFiles)
	}
}

func TestPlanWindowsTarget(t *testing.T) {
	in := Input{Remote: []RemoteEntry{{Key: "aux.txt", Size: 1}, {Key: "big/" + strings.Repeat("x", 256), Size: 1}, {Key: "ok.txt", Size: 1}}}
	res, err := Plan(in, Options{Direction: Pull, Host: "h", Time: "t", Names: names.ForOS("windows")})
	if err != nil {
		t.Fatal(err)
	}
	got := actionSummary(res)
	want := []string{"error  big/" + strings.Repeat("x", 256), "download ok.txt ok.txt", "download ａux.txt aux.txt"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("actions %q, want %q", got, want)
	}
	var err2 = res.Actions[0].Err
	if err2 == nil || !strings.Contains(err2.Error(), "UTF-16 units long") {
		t.Errorf("Err = %v", err2)
	}
	if errors.Unwrap(err2) == nil {
		t.Errorf("Err %v should wrap the reason", err2)
	}
}

// TestPlanPrefixChanged: a base recorded under another prefix describes
// other objects. Their absence under the new prefix is no deletion.
func TestPlanPrefixChanged(t *testing.T) {
	in := Input{
		Local: []LocalEntry{{Path: "a", Fingerprint: fp(1, 1)}},
		Base: []BaseEntry{
			{Path: "a", Local: fp(1, 1), MD5: md5A, RemoteKey: "old/a", RemoteSize: 1, ETag: md5A},
			{Path: "b", Local: fp(1, 1), MD5: md5A, RemoteKey: "old/b", RemoteSize: 1, ETag: md5A},
		},
	}
	res, err := Plan(in, Options{Direction: Both, Delete: Propagate, Prefix: "new/", Host: "h", Time: "t"})
	if err != nil {
		t.Fatal(err)
	}
	got := actionSummary(res)
	want := []string{"upload a new/a", "forget-base b old/b"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("actions %q, want %q", got, want)
	}
}
