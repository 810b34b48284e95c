package syncer

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/history"
	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/planner"
)

// device returns a syncer of a second folder on the fixture's store.
func (f *fixture) device(t *testing.T, host string, mut func(*Options)) (*fixture, *Syncer) {
	t.Helper()
	g := newFixture(t)
	g.store = f.store
	return g, g.syncer(t, func(o *Options) {
		o.Direction, o.Delete, o.Host, o.Journal = planner.Both, planner.Propagate, host, true
		if mut != nil {
			mut(o)
		}
	})
}

// A change made on one device reaches the other through the journal: the
// poll names exactly the changed paths, reads only new entries of other
// devices, and costs one listing request when nothing changed.
func TestJournalPoll(t *testing.T) {
	f := newFixture(t)
	a, sa := f.device(t, "laptop", nil)
	b, sb := f.device(t, "desktop", nil)
	a.write(t, "x/one.txt", []byte("1"))
	a.write(t, "two.txt", []byte("2"))
	if _, err := sa.Run(t.Context(), "run"); err != nil {
		t.Fatal(err)
	}
	if _, err := sb.Run(t.Context(), "run"); err != nil {
		t.Fatal(err)
	}
	var cb, ca JournalCursor
	if res, err := sb.PollJournal(t.Context(), &cb); err != nil || res.Requests != 2 || len(res.Paths) != 2 {
		t.Fatalf("first poll: %+v, %v; want the two paths for one list and one get", res, err)
	}
	if res, err := sb.PollJournal(t.Context(), &cb); err != nil || res.Requests != 1 || len(res.Paths) != 0 {
		t.Fatalf("idle poll: %+v, %v; want one request and nothing", res, err)
	}
	if res, err := sa.PollJournal(t.Context(), &ca); err != nil || len(res.Paths) != 0 {
		t.Fatalf("a device's own entries: %+v, %v; want none", res, err)
	}
	os.Remove(filepath.Join(a.root, "two.txt"))
	if _, err := sa.Run(t.Context(), "run"); err != nil {
		t.Fatal(err)
	}
	res, err := sb.PollJournal(t.Context(), &cb)
	if err != nil || !slices.Equal(res.Paths, []string{"two.txt"}) {
		t.Fatalf("poll after a delete: %+v, %v", res, err)
	}
	if _, err := sb.RunPaths(t.Context(), res.Paths); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(b.root, "two.txt")); !os.IsNotExist(err) {
		t.Errorf("the delete did not reach the other device: %v", err)
	}
}

// Names a killed pass recorded for the journal but never journaled are
// journaled by the next pass, even one with nothing to do, so another
// device hears of them without its full rescan.
func TestJournalAfterKill(t *testing.T) {
	f := newFixture(t)
	a, sa := f.device(t, "laptop", nil)
	_, sb := f.device(t, "desktop", nil)
	var cb JournalCursor
	if _, err := sb.PollJournal(t.Context(), &cb); err != nil {
		t.Fatal(err)
	}
	a.write(t, "sent.txt", []byte("s"))
	if _, err := sa.Run(t.Context(), "run"); err != nil {
		t.Fatal(err)
	}
	// As a pass killed after its upload and before its journal entry
	// leaves it.
	if _, err := a.db.AddOutbox(t.Context(), "p", []string{"sent.txt", "gone.txt"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := sa.Run(t.Context(), "run"); err != nil {
		t.Fatal(err)
	}
	res, err := sb.PollJournal(t.Context(), &cb)
	slices.Sort(res.Paths)
	if err != nil || !slices.Equal(res.Paths, []string{"gone.txt", "sent.txt"}) {
		t.Fatalf("poll: %+v, %v; want the names the killed pass left", res, err)
	}
	if left, err := a.db.PendingOutbox(t.Context(), "p"); err != nil || len(left) != 0 {
		t.Errorf("outbox after the journal entry: %+v, %v", left, err)
	}
}

// A push pair journals what it writes, so that a pull pair on another
// device finds it with a poll; a pull pair writes no journal.
func TestJournalPushToPull(t *testing.T) {
	f := newFixture(t)
	a, sa := f.device(t, "laptop", func(o *Options) { o.Direction = planner.Push })
	b, sb := f.device(t, "server", func(o *Options) { o.Direction = planner.Pull })
	var cb JournalCursor
	if res, err := sb.PollJournal(t.Context(), &cb); err != nil || len(res.Paths) != 0 {
		t.Fatalf("first poll: %+v, %v", res, err)
	}
	a.write(t, "report.txt", []byte("r"))
	if _, err := sa.Run(t.Context(), "run"); err != nil {
		t.Fatal(err)
	}
	res, err := sb.PollJournal(t.Context(), &cb)
	if err != nil || !slices.Equal(res.Paths, []string{"report.txt"}) {
		t.Fatalf("poll: %+v, %v; want report.txt", res, err)
	}
	before := len(f.store.objects)
	if _, err := sb.RunPaths(t.Context(), res.Paths); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(filepath.Join(b.root, "report.txt")); err != nil || string(data) != "r" {
		t.Fatalf("report.txt on the server: %q, %v", data, err)
	}
	if len(f.store.objects) != before {
		t.Errorf("a pull pass wrote %d objects", len(f.store.objects)-before)
	}
}

// A folder renamed on one device is renamed on the other: its files are
// moved, not downloaded again, keep their mtimes, and the old folder goes.
func TestFolderRenameArrivesAsRename(t *testing.T) {
	f := newFixture(t)
	a, sa := f.device(t, "laptop", nil)
	b, sb := f.device(t, "desktop", nil)
	a.write(t, "old/one.txt", []byte("one"))
	a.write(t, "old/deep/two.txt", []byte("two"))
	for _, s := range []*Syncer{sa, sb} {
		if _, err := s.Run(t.Context(), "run"); err != nil {
			t.Fatal(err)
		}
	}
	before, err := os.Stat(filepath.Join(b.root, "old", "one.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(a.root, "old"), filepath.Join(a.root, "new")); err != nil {
		t.Fatal(err)
	}
	if _, err := sa.Run(t.Context(), "run"); err != nil {
		t.Fatal(err)
	}
	f.store.ranges = nil
	res, err := sb.Run(t.Context(), "run")
	if err != nil || res.Counts.Downloaded != 2 || res.Counts.Deleted != 2 {
		t.Fatalf("run on the other device: %+v, %v", res, err)
	}
	if n := len(f.store.ranges); n != 0 {
		t.Errorf("%d objects downloaded, want the files renamed", n)
	}
	for rel, want := range map[string]string{"new/one.txt": "one", "new/deep/two.txt": "two"} {
		if data, err := os.ReadFile(filepath.Join(b.root, filepath.FromSlash(rel))); err != nil || string(data) != want {
			t.Errorf("%s: %q, %v", rel, data, err)
		}
	}
	if after, err := os.Stat(filepath.Join(b.root, "new", "one.txt")); err != nil || !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("mtime %v, want %v kept", after.ModTime(), before.ModTime())
	}
	if _, err := os.Stat(filepath.Join(b.root, "old")); !os.IsNotExist(err) {
		entries, _ := os.ReadDir(filepath.Join(b.root, "old"))
		t.Errorf("the old folder is still there: %v %v", err, entries)
	}
	if res, err := sb.Run(t.Context(), "run"); err != nil || res.Counts.Downloaded+res.Counts.Uploaded+res.Counts.Deleted != 0 {
		t.Errorf("a pass after the rename: %+v, %v; want nothing to do", res.Counts, err)
	}
}

// editedDoc returns a device "laptop" on a new fixture, with mut applied to
// its options, whose doc.txt was synced as "base" and then edited to
// "laptop edit".
func editedDoc(t *testing.T, mut func(*Options)) (*fixture, *fixture, *Syncer) {
	t.Helper()
	f := newFixture(t)
	a, sa := f.device(t, "laptop", mut)
	a.write(t, "doc.txt", []byte("base"))
	if _, err := sa.Run(t.Context(), "run"); err != nil {
		t.Fatal(err)
	}
	a.write(t, "doc.txt", []byte("laptop edit"))
	return f, a, sa
}

// isWrittenCopy reports whether dst is the history key of the laptop's
// copy of doc.txt made as soon as it wrote it.
func isWrittenCopy(dst string) bool {
	return strings.HasSuffix(dst, "_laptop_written") && strings.Contains(dst, "/doc.txt/")
}

// wantLostRace runs a pass of the laptop that loses a race for doc.txt and
// checks that its edit is kept as one conflict copy.
func wantLostRace(t *testing.T, a *fixture, sa *Syncer) {
	t.Helper()
	res, err := sa.Run(t.Context(), "run")
	if err != nil || res.Counts.Conflicts != 1 {
		t.Fatalf("racing run: %+v, %v; want one conflict", res.Counts, err)
	}
	copies, _ := filepath.Glob(filepath.Join(a.root, "doc.conflict-laptop-*.txt"))
	if len(copies) != 1 {
		t.Fatalf("conflict copies: %v", copies)
	}
	if data, _ := os.ReadFile(copies[0]); string(data) != "laptop edit" {
		t.Errorf("conflict copy holds %q", data)
	}
}

// Two devices edit one file at the same moment: the upload whose object
// the other device replaces right after it keeps its local version as a
// conflict copy named after its device, so both versions survive.
func TestLostRaceKeepsConflictCopy(t *testing.T) {
	f, a, sa := editedDoc(t, nil)
	f.store.afterPut = func(key string) {
		if key == "pre/doc.txt" {
			f.store.afterPut = nil
			f.store.PutObject(t.Context(), "bkt", key, strings.NewReader("desktop edit"), 12, ks3.PutOptions{})
		}
	}
	wantLostRace(t, a, sa)
	if _, err := sa.Run(t.Context(), "run"); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(a.root, "doc.txt")); string(data) != "desktop edit" {
		t.Errorf("doc.txt holds %q, want the other device's edit", data)
	}
	var keys []string
	for k := range f.store.objects {
		if strings.HasPrefix(k, "pre/doc.conflict-laptop-") {
			keys = append(keys, k)
		}
	}
	if len(keys) != 1 {
		t.Errorf("the conflict copy was not uploaded: %v", keys)
	}
}

// Another device's write that lands right after an upload was checked
// (its HEAD came before the upload, so it keeps only the version before)
// replaces the upload unseen; with history on, the upload's version was
// kept in the history as soon as it was written, so it is not lost.
func TestRaceAfterCheckKeepsWrittenVersion(t *testing.T) {
	f, a, sa := editedDoc(t, func(o *Options) { o.History = history.Policy{Keep: time.Hour} })
	f.store.afterCopy = func(dst string) {
		if isWrittenCopy(dst) {
			f.store.afterCopy = nil
			f.store.PutObject(t.Context(), "bkt", "pre/doc.txt", strings.NewReader("desktop edit"), 12, ks3.PutOptions{})
		}
	}
	if _, err := sa.Run(t.Context(), "run"); err != nil {
		t.Fatal(err)
	}
	var kept []string
	for k, o := range f.store.objects {
		if strings.HasPrefix(k, "pre/.ks3sync/history/doc.txt/") {
			kept = append(kept, string(o.data))
		}
	}
	slices.Sort(kept)
	// "base" twice: kept when written, and when displaced (retention
	// drops the first; see history.JustWritten).
	if !slices.Equal(slices.Compact(kept), []string{"base", "laptop edit"}) {
		t.Errorf("history holds %q, want the version before and the one written", kept)
	}
	if _, err := sa.Run(t.Context(), "run"); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(a.root, "doc.txt")); string(data) != "desktop edit" {
		t.Errorf("doc.txt holds %q, want the other device's edit", data)
	}
}

// Another device deletes the object right after an upload was checked and
// before its copy into the history: the copy fails, and the local version
// is kept as a conflict copy, which the next pass uploads.
func TestDeleteBeforeWrittenCopyKeepsConflictCopy(t *testing.T) {
	f, a, sa := editedDoc(t, func(o *Options) { o.History = history.Policy{Keep: time.Hour} })
	f.store.beforeCopy = func(dst string) {
		if isWrittenCopy(dst) {
			f.store.beforeCopy = nil
			f.store.DeleteObjects(t.Context(), "bkt", []string{"pre/doc.txt"})
		}
	}
	wantLostRace(t, a, sa)
}

// An object another device changed after the listing is neither replaced
// nor deleted: the action waits, and the next pass sees both changes.
func TestBothChecksBeforeDelete(t *testing.T) {
	f := newFixture(t)
	a, sa := f.device(t, "laptop", func(o *Options) { o.History.Keep = 0 })
	a.write(t, "doc.txt", []byte("base"))
	if _, err := sa.Run(t.Context(), "run"); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(a.root, "doc.txt"))
	f.store.afterPut = nil
	// The other device's edit lands between the listing and the delete.
	in, opts, err := sa.gather(t.Context(), nil, &tally{})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := planner.Plan(in, opts)
	if err != nil || plan.Counts[planner.DeleteRemote] != 1 {
		t.Fatalf("plan: %+v, %v", plan, err)
	}
	f.store.PutObject(t.Context(), "bkt", "pre/doc.txt", strings.NewReader("edited"), 6, ks3.PutOptions{})
	var tl tally
	if err := sa.execute(t.Context(), plan, &tl); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.store.objects["pre/doc.txt"]; !ok {
		t.Fatal("the edited object was deleted")
	}
	if _, err := sa.Run(t.Context(), "run"); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(a.root, "doc.txt")); string(data) != "edited" {
		t.Errorf("doc.txt = %q, want the edit to win over the delete", data)
	}
}
