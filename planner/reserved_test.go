package planner

import (
	"strings"
	"testing"
)

func TestIsReserved(t *testing.T) {
	for rel, want := range map[string]bool{
		".ks3sync":                     true,
		".ks3sync/history/a.txt/v":     true,
		".ks3sync/journal/x":           true,
		".ks3sync2":                    false,
		".ks3sync-tmp-1":               false,
		"docs/.ks3sync/history/a.txt/": false, // only the pair's top level is reserved
		"":                             false,
	} {
		if got := IsReserved(rel); got != want {
			t.Errorf("IsReserved(%q) = %v, want %v", rel, got, want)
		}
	}
	if got := ReservedPrefix("laptop/docs/"); got != "laptop/docs/.ks3sync/" {
		t.Errorf("ReservedPrefix = %q", got)
	}
}

// TestReservedFolderIsNotPartOfThePair: history objects and a local folder
// of the same name are neither planned nor counted by the guards, in any
// direction, with or without filters.
func TestReservedFolderIsNotPartOfThePair(t *testing.T) {
	for _, dir := range []Direction{Push, Pull, Both} {
		for _, exclude := range [][]string{nil, {"*.tmp"}} {
			in := syncedPair(2)
			for i := range in.Remote {
				in.Remote[i].Key = "p/" + in.Remote[i].Key
				in.Base[i].RemoteKey = "p/" + in.Base[i].RemoteKey
			}
			in.Local = append([]LocalEntry{{Path: ".ks3sync/history/f000/x", Fingerprint: fp(3, 3)}}, in.Local...)
			in.Remote = append([]RemoteEntry{
				{Key: "p/.ks3sync", Size: 1, ETag: md5A},
				{Key: "p/.ks3sync/history/f000/20261125T024100.000Z_h_replaced", Size: 5, ETag: md5B},
				{Key: "p/.ks3sync/history/f001/20261125T024100.000Z_h_deleted", Size: 5, ETag: md5C},
			}, in.Remote...)
			opts := Options{Direction: dir, Delete: Propagate, Prefix: "p/", Exclude: exclude,
				MaxDelete: MaxDelete{Count: 1}, MaxOverwrite: MaxOverwrite{Count: 1}, Host: "h", Time: "t"}
			res, err := Plan(in, opts)
			if err != nil {
				t.Fatalf("%s %v: %v", dir, exclude, err)
			}
			if len(res.Actions) != 0 || res.LocalFiles != 2 || res.RemoteFiles != 2 {
				t.Errorf("%s %v: actions %q, %d local and %d remote files; want nothing and 2 each",
					dir, exclude, actionSummary(res), res.LocalFiles, res.RemoteFiles)
			}
			if hash, head := Needs(in, opts); len(hash)+len(head) != 0 {
				t.Errorf("%s %v: Needs asked for %q and %q", dir, exclude, hash, head)
			}
		}
	}
	var m *Matcher
	if m.Match(".ks3sync", true) || m.Match(".ks3sync/history/a", false) || !m.Match("a/.ks3sync", true) {
		t.Error("Matcher.Match does not leave out exactly the reserved folder")
	}
	if !strings.HasPrefix(ReservedPrefix(""), ReservedDir) {
		t.Errorf("ReservedPrefix(\"\") = %q", ReservedPrefix(""))
	}
}
