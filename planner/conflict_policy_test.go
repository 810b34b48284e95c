package planner

import (
	"strings"
	"testing"
)

func TestConflictPolicy(t *testing.T) {
	base := BaseEntry{Path: "a.txt", Local: fp(10, 1), MD5: md5A, RemoteKey: "p/a.txt", RemoteSize: 10, ETag: md5A}
	local := LocalEntry{Path: "a.txt", Fingerprint: fp(11, 50), MD5: md5B}
	tests := []struct {
		policy    ConflictPolicy
		history   bool
		remoteMT  int64
		want      ActionKind
		keepLocal bool
		reason    string
	}{
		{KeepBoth, true, 0, Conflict, false, "local changed"},
		{"", true, 0, Conflict, false, "local changed"},
		{LocalWins, true, 0, Upload, false, "the local version wins"},
		{RemoteWins, true, 0, Download, true, "the remote version wins"},
		{LocalWins, false, 0, Conflict, false, "keeps both while history is off"},
		{RemoteWins, false, 0, Conflict, false, "keeps both while history is off"},
		{Newer, true, 40, Upload, false, "newer: the local version wins"},
		{Newer, true, 60, Download, true, "newer: the remote version wins"},
		{Newer, true, 50, Conflict, false, "same mtime"},
	}
	for _, tc := range tests {
		in := Input{
			Local:  []LocalEntry{local},
			Remote: []RemoteEntry{{Key: "p/a.txt", Size: 12, ETag: md5C, MTime: tc.remoteMT}},
			Base:   []BaseEntry{base},
		}
		res, err := Plan(in, Options{Direction: Both, Prefix: "p/", Host: "laptop", Time: "t", Conflict: tc.policy, History: tc.history})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Actions) != 1 {
			t.Fatalf("%s: actions = %+v", tc.policy, res.Actions)
		}
		a := res.Actions[0]
		if a.Kind != tc.want || a.KeepLocal != tc.keepLocal || !strings.Contains(a.Reason, tc.reason) {
			t.Errorf("%s history=%v remote mtime %d: %s keepLocal=%v %q, want %s keepLocal=%v containing %q",
				tc.policy, tc.history, tc.remoteMT, a.Kind, a.KeepLocal, a.Reason, tc.want, tc.keepLocal, tc.reason)
		}
		if settles := a.Kind != Conflict; a.Settles != settles {
			t.Errorf("%s history=%v remote mtime %d: Settles = %v, want %v", tc.policy, tc.history, tc.remoteMT, a.Settles, settles)
		}
		if (a.Kind == Conflict || a.KeepLocal) && a.ConflictPath != "a.conflict-laptop-t.txt" {
			t.Errorf("%s: ConflictPath = %q", tc.policy, a.ConflictPath)
		}
	}
	if _, err := Plan(Input{}, Options{Direction: Both, Host: "h", Time: "t", Conflict: "mine"}); err == nil {
		t.Error("conflict policy mine accepted")
	}
}
