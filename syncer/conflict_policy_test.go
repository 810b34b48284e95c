package syncer

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/planner"
)

// A conflict settled by the pair's policy (newer, local, remote) leaves
// the winner on both sides, keeps the loser in the history, and is
// reported as a conflict, as a conflict copy is.
func TestConflictPolicySettlesAndReports(t *testing.T) {
	for _, tc := range []struct {
		policy    planner.ConflictPolicy
		localAge  time.Duration // how long before now the local edit is dated
		wantLocal bool          // the local version wins
	}{
		{planner.LocalWins, time.Hour, true},
		{planner.RemoteWins, -time.Hour, false},
		{planner.Newer, -time.Hour, true}, // the local edit is dated after the remote one
		{planner.Newer, time.Hour, false},
	} {
		f := newServed(t)
		var (
			mu     sync.Mutex
			events []Event
		)
		s := f.syncer(t, func(o *Options) {
			o.Direction, o.Conflict = planner.Both, tc.policy
			o.Report = func(ev Event) { mu.Lock(); events = append(events, ev); mu.Unlock() }
		})
		f.write(t, "a.txt", "base")
		f.run(t, s)

		f.write(t, "a.txt", "local edit")
		dated := time.Now().Add(-tc.localAge)
		os.Chtimes(filepath.Join(f.root, "a.txt"), dated, dated)
		remote := []byte("remote edit, longer")
		if _, err := f.client.PutObject(t.Context(), "bkt", "pre/a.txt", bytes.NewReader(remote), int64(len(remote)), ks3.PutOptions{}); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		events = nil
		mu.Unlock()
		res := f.run(t, s)

		name := string(tc.policy) + map[bool]string{true: ", local wins", false: ", remote wins"}[tc.wantLocal]
		want, lost := "remote edit, longer", "local edit"
		if tc.wantLocal {
			want, lost = lost, want
		}
		got := readDir(t, f.root)
		delete(got, ".ks3sync/folder")
		if len(got) != 1 || got["a.txt"] != want {
			t.Errorf("%s: folder holds %q, want only a.txt = %q", name, got, want)
		}
		if got := f.object(t, "pre/a.txt"); got != want {
			t.Errorf("%s: object holds %q, want %q", name, got, want)
		}
		found := false
		for _, v := range f.kept(t) {
			found = found || v.Name == "a.txt" && f.object(t, v.Key) == lost
		}
		if !found {
			t.Errorf("%s: the losing version %q is not in the history", name, lost)
		}
		if res.Counts.Conflicts != 1 {
			t.Errorf("%s: %d conflicts counted, want 1", name, res.Counts.Conflicts)
		}
		mu.Lock()
		reported := 0
		for _, ev := range events {
			if ev.Kind == EventConflict && ev.Path == "a.txt" && strings.Contains(ev.Reason, "conflict policy") {
				reported++
			}
		}
		mu.Unlock()
		if reported != 1 {
			t.Errorf("%s: %d conflict events naming the policy, want 1", name, reported)
		}
	}
}
