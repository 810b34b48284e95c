package planner

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// syncedPair returns n files that are identical on both sides and in the
// base, named f000, f001, ...
func syncedPair(n int) Input {
	var in Input
	for i := range n {
		p := fmt.Sprintf("f%03d", i)
		sum := fmt.Sprintf("%032x", i)
		f := Fingerprint{Size: 5, MTime: 1, CTime: 1, Inode: uint64(i + 1)}
		in.Local = append(in.Local, LocalEntry{Path: p, Fingerprint: f})
		in.Remote = append(in.Remote, RemoteEntry{Key: p, Size: 5, ETag: sum})
		in.Base = append(in.Base, BaseEntry{Path: p, Local: f, MD5: sum, RemoteKey: p, RemoteSize: 5, ETag: sum})
	}
	return in
}

func TestParseMaxDelete(t *testing.T) {
	tests := []struct {
		in   string
		want MaxDelete
	}{
		{"", MaxDelete{}},
		{"  ", MaxDelete{}},
		{"50%", MaxDelete{Percent: 50}},
		{"12.5%", MaxDelete{Percent: 12.5}},
		{"100%", MaxDelete{Percent: 100}},
		{" 7 ", MaxDelete{Count: 7}},
		{"100", MaxDelete{Count: 100}},
	}
	for _, tc := range tests {
		got, err := ParseMaxDelete(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseMaxDelete(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
		if tc.in != "" && strings.TrimSpace(tc.in) != "" && got.String() != strings.TrimSpace(tc.in) {
			t.Errorf("MaxDelete%+v.String() = %q, want %q", got, got.String(), strings.TrimSpace(tc.in))
		}
	}
	for _, bad := range []string{"0", "0%", "-1", "101%", "abc", "5.5", "%", "1e2", "NaN%", "50 percent"} {
		_, err := ParseMaxDelete(bad)
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q", bad)) {
			t.Errorf("ParseMaxDelete(%q) error = %v, want one naming the value", bad, err)
		}
	}
}

func TestMaxDeleteGuard(t *testing.T) {
	tests := []struct {
		name      string
		dir       Direction
		limit     MaxDelete
		deleted   int // files deleted on the side that drives deletions
		wantErr   string
		wantCount int
	}{
		{name: "60% of remote files with limit 50%", dir: Push, limit: MaxDelete{Percent: 50}, deleted: 60,
			wantErr: "refusing to delete 60 of 100 files remotely (max_delete 50%)"},
		{name: "40% passes", dir: Push, limit: MaxDelete{Percent: 50}, deleted: 40, wantCount: 40},
		{name: "exactly the limit passes", dir: Push, limit: MaxDelete{Percent: 50}, deleted: 50, wantCount: 50},
		{name: "count limit exceeded", dir: Push, limit: MaxDelete{Count: 10}, deleted: 11,
			wantErr: "refusing to delete 11 of 100 files remotely (max_delete 10)"},
		{name: "count limit reached", dir: Push, limit: MaxDelete{Count: 10}, deleted: 10, wantCount: 10},
		{name: "no limit", dir: Push, deleted: 100, wantCount: 100},
		{name: "local deletions in pull", dir: Pull, limit: MaxDelete{Percent: 25}, deleted: 30,
			wantErr: "refusing to delete 30 of 100 files locally (max_delete 25%)"},
		{name: "local deletions within the limit", dir: Pull, limit: MaxDelete{Percent: 25}, deleted: 20, wantCount: 20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := syncedPair(100)
			if tc.dir == Push {
				in.Local = in.Local[tc.deleted:]
			} else {
				in.Remote = in.Remote[tc.deleted:]
			}
			opts := Options{Direction: tc.dir, Delete: Propagate, MaxDelete: tc.limit, Host: "h", Time: "t"}
			res, err := Plan(in, opts)
			if tc.wantErr != "" {
				var ge *GuardError
				if !errors.As(err, &ge) {
					t.Fatalf("err = %v, want a *GuardError", err)
				}
				if !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %q, want it to contain %q", err, tc.wantErr)
				}
				if ge.Deletes != tc.deleted || ge.Files != 100 || ge.Limit != tc.limit {
					t.Fatalf("GuardError = %+v", ge)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Counts[DeleteRemote] + res.Counts[DeleteLocal]; got != tc.wantCount {
				t.Fatalf("planned %d deletions, want %d (counts %v)", got, tc.wantCount, res.Counts)
			}
		})
	}
}

func TestLocalRootMissingNeverDeletesRemotely(t *testing.T) {
	for _, dir := range []Direction{Push, Both} {
		t.Run(string(dir), func(t *testing.T) {
			in := syncedPair(10)
			in.Local = nil
			opts := Options{Direction: dir, Delete: Propagate, LocalRootMissing: true, MaxDelete: MaxDelete{Percent: 50}, Host: "h", Time: "t"}
			res, err := Plan(in, opts)
			if err != nil {
				t.Fatal(err)
			}
			if res.Counts[DeleteRemote] != 0 || len(res.Actions) != 0 {
				t.Fatalf("planned %v, want nothing", res.Actions)
			}
			if res.Counts[Nothing] != 10 {
				t.Errorf("Counts = %v, want 10 nothing", res.Counts)
			}
			if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "10 remote deletions skipped") {
				t.Errorf("Warnings = %q", res.Warnings)
			}
		})
	}
}

func TestRemoteListFailed(t *testing.T) {
	for _, dir := range []Direction{Pull, Both} {
		_, err := Plan(syncedPair(3), Options{Direction: dir, Delete: Propagate, RemoteListFailed: true, Host: "h", Time: "t"})
		if !errors.Is(err, ErrRemoteListFailed) {
			t.Errorf("%s: err = %v, want ErrRemoteListFailed", dir, err)
		}
	}

	// Push plans against the base: the partial listing is ignored, so the
	// files it lacks are not taken for remote deletions, and local changes
	// and deletions still go out.
	in := syncedPair(4)
	in.Local[1].Size, in.Local[1].MTime = 9, 2 // f001 changed
	in.Local = append(in.Local[:2], in.Local[3:]...)
	in.Local = append(in.Local, LocalEntry{Path: "new", Fingerprint: Fingerprint{Size: 1}})
	in.Remote = in.Remote[:1] // the listing broke after one key
	res, err := Plan(in, Options{Direction: Push, Delete: Propagate, RemoteListFailed: true})
	if err != nil {
		t.Fatal(err)
	}
	got := actionSummary(res)
	want := []string{"upload f001 f001", "delete-remote f002 f002", "upload new new"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("actions %q, want %q", got, want)
	}
	if res.RemoteFiles != 4 || len(res.Warnings) != 1 {
		t.Errorf("RemoteFiles = %d, Warnings = %q", res.RemoteFiles, res.Warnings)
	}
}

// actionSummary renders actions as "kind path key".
func actionSummary(res *Result) []string {
	var out []string
	for _, a := range res.Actions {
		out = append(out, fmt.Sprintf("%s %s %s", a.Kind, a.Path, a.Key))
	}
	return out
}

func TestParseMaxOverwrite(t *testing.T) {
	got, err := ParseMaxOverwrite("50%")
	if err != nil || got != (MaxOverwrite{Percent: 50}) {
		t.Errorf("ParseMaxOverwrite(50%%) = %+v, %v", got, err)
	}
	if got, err := ParseMaxOverwrite("7"); err != nil || got != (MaxOverwrite{Count: 7}) {
		t.Errorf("ParseMaxOverwrite(7) = %+v, %v", got, err)
	}
	for _, bad := range []string{"0", "0%", "150%", "x"} {
		_, err := ParseMaxOverwrite(bad)
		if err == nil || !strings.HasPrefix(err.Error(), fmt.Sprintf("max_overwrite %q", bad)) {
			t.Errorf("ParseMaxOverwrite(%q) error = %v, want one naming max_overwrite and the value", bad, err)
		}
	}
}

func TestMaxOverwriteGuard(t *testing.T) {
	tests := []struct {
		name           string
		dir            Direction
		limit          MaxOverwrite
		history        bool
		edited, added  int
		wantOverwrites int
		wantErr        string
	}{
		{name: "60% with limit 50%", dir: Push, limit: MaxOverwrite{Percent: 50}, edited: 60,
			wantErr: "refusing to overwrite 60 of 100 objects (max_overwrite 50%)"},
		{name: "exactly the limit passes", dir: Push, limit: MaxOverwrite{Percent: 50}, edited: 50, wantOverwrites: 50},
		{name: "count limit", dir: Push, limit: MaxOverwrite{Count: 5}, edited: 6,
			wantErr: "refusing to overwrite 6 of 100 objects (max_overwrite 5)"},
		{name: "new files are not overwrites", dir: Push, limit: MaxOverwrite{Count: 5}, edited: 5, added: 50, wantOverwrites: 5},
		{name: "history on keeps every version", dir: Push, limit: MaxOverwrite{Percent: 50}, history: true, edited: 100, wantOverwrites: 100},
		{name: "both direction", dir: Both, limit: MaxOverwrite{Percent: 10}, edited: 11,
			wantErr: "refusing to overwrite 11 of 100 objects"},
		{name: "pull never overwrites objects", dir: Pull, limit: MaxOverwrite{Count: 1}, edited: 100},
		{name: "no limit", dir: Push, edited: 100, wantOverwrites: 100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := syncedPair(100)
			for i := range tc.edited {
				in.Local[i].Size, in.Local[i].MTime = 6, 2
			}
			for i := range tc.added {
				in.Local = append(in.Local, LocalEntry{Path: fmt.Sprintf("g%03d", i), Fingerprint: Fingerprint{Size: 1}})
			}
			opts := Options{Direction: tc.dir, MaxOverwrite: tc.limit, History: tc.history, Host: "h", Time: "t"}
			res, err := Plan(in, opts)
			if tc.wantErr != "" {
				var ge *GuardError
				if !errors.As(err, &ge) || ge.Guard != GuardMaxOverwrite {
					t.Fatalf("err = %v, want a max_overwrite *GuardError", err)
				}
				if !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "turn history on") {
					t.Fatalf("err = %q, want it to contain %q and name the remedies", err, tc.wantErr)
				}
				if ge.Overwrites != tc.edited || ge.Files != 100 || ge.Limit != tc.limit || ge.Side != SideRemote {
					t.Fatalf("GuardError = %+v", ge)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.Overwrites != tc.wantOverwrites {
				t.Fatalf("Overwrites = %d, want %d (counts %v)", res.Overwrites, tc.wantOverwrites, res.Counts)
			}
		})
	}
}

func TestGuardErrorNamesItsGuard(t *testing.T) {
	in := syncedPair(10)
	in.Local = in.Local[6:]
	_, err := Plan(in, Options{Delete: Propagate, MaxDelete: MaxDelete{Percent: 50}, MaxOverwrite: MaxOverwrite{Percent: 50}})
	var ge *GuardError
	if !errors.As(err, &ge) || ge.Guard != GuardMaxDelete || ge.Deletes != 6 {
		t.Fatalf("err = %v, want the max_delete guard", err)
	}
	legacy := &GuardError{Deletes: 6, Files: 10, Limit: Limit{Percent: 50}, Side: SideRemote}
	if legacy.Error() != ge.Error() {
		t.Errorf("a GuardError without Guard reads %q, want the max_delete message %q", legacy.Error(), ge.Error())
	}
}

// TestRenamesAreNotDeletions: a folder renamed in a small pair (every
// file of it deleted under its old name and new under another) is not a
// mass deletion, on either side; content that goes away still is.
func TestRenamesAreNotDeletions(t *testing.T) {
	rename := func(in Input, replaced bool) Input {
		var local []LocalEntry
		for _, l := range in.Local {
			l.Path = "renamed/" + l.Path
			if replaced {
				l.Fingerprint.Inode += 100 // another file of the same size and mtime
			}
			local = append(local, l)
		}
		in.Local = local
		return in
	}
	limit := Options{Direction: Push, Delete: Propagate, MaxDelete: MaxDelete{Percent: 50}, Host: "h", Time: "t"}
	res, err := Plan(rename(syncedPair(3), false), limit)
	if err != nil {
		t.Fatalf("renaming every file of a 3-file pair: %v", err)
	}
	if res.Counts[DeleteRemote] != 3 || res.Counts[Upload] != 3 {
		t.Errorf("counts = %v, want 3 uploads and 3 remote deletions", res.Counts)
	}
	if remote, local := Deletions(res); remote != 0 || local != 0 {
		t.Errorf("Deletions = %d, %d; want 0, 0 for a rename", remote, local)
	}
	var ge *GuardError
	if _, err := Plan(rename(syncedPair(3), true), limit); !errors.As(err, &ge) || ge.Deletes != 3 {
		t.Errorf("new files in place of every old one: err = %v, want the guard with 3 deletions", err)
	}

	// Pulled: the objects renamed in the bucket come down under their
	// new names, and the old files go.
	in := syncedPair(3)
	for i := range in.Remote {
		in.Remote[i].Key = "renamed/" + in.Remote[i].Key
	}
	pull := Options{Direction: Pull, Delete: Propagate, MaxDelete: MaxDelete{Percent: 50}, Host: "h", Time: "t"}
	res, err = Plan(in, pull)
	if err != nil {
		t.Fatalf("objects renamed in the bucket: %v", err)
	}
	if remote, local := Deletions(res); remote != 0 || local != 0 || res.Counts[DeleteLocal] != 3 {
		t.Errorf("Deletions = %d, %d of counts %v; want 0, 0 of 3 local deletions", remote, local, res.Counts)
	}
	for i := range in.Remote {
		in.Remote[i].ETag = fmt.Sprintf("%032x", 100+i)
	}
	if _, err := Plan(in, pull); !errors.As(err, &ge) || ge.Side != SideLocal || ge.Deletes != 3 {
		t.Errorf("other objects in place of the old ones: err = %v, want the local guard with 3 deletions", err)
	}
}
