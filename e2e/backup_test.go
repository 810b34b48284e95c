package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/ks3server/store"
)

// snapshot is the local tree as one run left it, with the wall time taken
// right after the run.
type snapshot struct {
	at     time.Time
	files  tree
	mtimes map[string]time.Time
}

// takeSnapshot records the tree under root and the current time, with a
// margin on both sides so that no object written by the runs before or
// after shares its millisecond (listings give LastModified in
// milliseconds).
func takeSnapshot(t *testing.T, root string) snapshot {
	t.Helper()
	time.Sleep(20 * time.Millisecond)
	s := snapshot{at: time.Now(), files: readTree(t, root), mtimes: readMTimes(t, root)}
	time.Sleep(20 * time.Millisecond)
	return s
}

func readMTimes(t *testing.T, root string) map[string]time.Time {
	t.Helper()
	out := map[string]time.Time{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = fi.ModTime()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// assertSnapshot checks that root holds exactly the snapshot's files, byte
// for byte, with their mtimes.
func assertSnapshot(t *testing.T, what string, want snapshot, root string) {
	t.Helper()
	got := readTree(t, root)
	if w, g := strings.Join(want.files.keys(), "\n"), strings.Join(got.keys(), "\n"); w != g {
		t.Fatalf("%s: file sets differ:\nwant:\n%s\ngot:\n%s", what, w, g)
	}
	mtimes := readMTimes(t, root)
	for k, data := range want.files {
		if !bytes.Equal(data, got[k]) {
			t.Errorf("%s: %s: content differs (%d vs %d bytes)", what, k, len(data), len(got[k]))
		}
		if !mtimes[k].Equal(want.mtimes[k]) {
			t.Errorf("%s: %s: mtime %v, want %v", what, k, mtimes[k], want.mtimes[k])
		}
	}
}

// setMTime gives a file a distinctive mtime, so that restored mtimes are
// told apart from the time of the restore.
func setMTime(t *testing.T, root, rel string, at time.Time) {
	t.Helper()
	if err := os.Chtimes(filepath.Join(root, filepath.FromSlash(rel)), at, at); err != nil {
		t.Fatal(err)
	}
}

// backupKeyFile writes a key with `ks3sync keygen` and returns its path.
func backupKeyFile(e *env) string {
	e.t.Helper()
	p := filepath.Join(e.dir, "backup.key")
	e.mustRun(0, "keygen", p)
	return p
}

// removeState deletes the state database of a config written by
// writeConfig, so that what follows works from the bucket alone.
func removeState(t *testing.T, e *env, cfgName string) {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(e.dir, cfgName+".state.db*"))
	if len(matches) == 0 {
		t.Fatal("state DB not where the config put it")
	}
	for _, m := range matches {
		if err := os.Remove(m); err != nil {
			t.Fatal(err)
		}
	}
}

// TestBackupRestoreAtEveryRun drives a tree through runs with edits,
// deletions, a rename, same-size edits, a touch, a rewrite of everything and
// a re-creation, then, without the state database, restores every run's
// time into an empty folder: byte-identical trees with their mtimes, for a
// plain and an encrypted pair, each with a multipart file.
func TestBackupRestoreAtEveryRun(t *testing.T) {
	for _, encrypted := range []bool{false, true} {
		t.Run(fmt.Sprintf("encrypted=%v", encrypted), func(t *testing.T) {
			e := newEnv(t)
			e.mkBucket("bkt")
			src := filepath.Join(e.dir, "src")
			extra := "    delete: propagate\n    history: {keep: 30d}\n"
			if encrypted {
				extra += fmt.Sprintf("    encryption: {key_file: %s}\n", backupKeyFile(e))
			}
			cfg := pairConfig(e, "bk", src, "bkt", extra)
			snaps := backupRuns(t, e, src, cfg)

			removeState(t, e, "bk.yaml")
			for i, s := range snaps {
				out := filepath.Join(e.dir, fmt.Sprintf("restore-%d", i))
				r := e.mustRun(0, "restore", "--config", cfg, "--pair", "bk", "--at", s.at.Format(time.RFC3339Nano), "--to", out)
				if !strings.Contains(r.stdout, fmt.Sprintf("restored %d of %d file(s)", len(s.files), len(s.files))) {
					t.Errorf("restore of run %d: summary:\n%s", i+1, r)
				}
				assertSnapshot(t, fmt.Sprintf("restore --at run %d", i+1), s, out)
			}
			checkBackupHistory(t, e, cfg, snaps)
			// The bucket is what the last run left: check agrees.
			e.mustRun(0, "check", "--config", cfg, "--pair", "bk", "--download")
		})
	}
}

// backupRuns syncs src through five runs and returns the tree after each.
func backupRuns(t *testing.T, e *env, src, cfg string) []snapshot {
	day := func(n int) time.Time { return time.Date(2024, 1, n, 12, 0, 0, 123456789, time.UTC) }
	files := tree{
		"a.txt":             []byte("alpha, first version\n"),
		"b.txt":             []byte("bravo-1"),
		"c.txt":             []byte("charlie"),
		"d.txt":             []byte("delta, to be renamed"),
		"e.txt":             []byte("echo, only touched"),
		"dir/f.txt":         []byte("foxtrot"),
		"dir/sub/g.bin":     pseudoRandom(7, 70_000),
		"big/multipart.bin": pseudoRandom(8, 9<<20), // above the 8 MiB multipart threshold
	}
	files.write(t, src)
	for i, k := range files.keys() {
		setMTime(t, src, k, day(i+1))
	}
	var snaps []snapshot
	run := func() {
		t.Helper()
		e.mustRun(0, "run", "--config", cfg, "--no-progress")
		snaps = append(snaps, takeSnapshot(t, src))
	}
	run()

	// Run 2: an edit, a same-size edit, a deletion, a rename, a touch, a
	// same-size edit of the multipart file, a new file.
	writeFile(t, src, "a.txt", []byte("alpha, second and longer version\n"))
	writeFile(t, src, "b.txt", []byte("bravo-2"))
	setMTime(t, src, "b.txt", day(20))
	os.Remove(filepath.Join(src, "c.txt"))
	os.Rename(filepath.Join(src, "d.txt"), filepath.Join(src, "dir", "d-renamed.txt"))
	setMTime(t, src, "e.txt", day(21))
	big := pseudoRandom(8, 9<<20)
	copy(big[5<<20:], "a same-size edit inside the second part")
	writeFile(t, src, "big/multipart.bin", big)
	writeFile(t, src, "new.txt", []byte("new in run 2"))
	run()

	// Run 3: everything rewritten at once (what ransomware does). History
	// is on, so max_overwrite does not hold the pass.
	for k, data := range readTree(t, src) {
		writeFile(t, src, k, append([]byte("rewritten: "), data...))
	}
	run()

	// Run 4: a deletion, and c.txt created again.
	os.Remove(filepath.Join(src, "dir", "f.txt"))
	writeFile(t, src, "c.txt", []byte("charlie is back"))
	run()
	return snaps
}

// checkBackupHistory checks `history --json` of one file against the runs.
func checkBackupHistory(t *testing.T, e *env, cfg string, snaps []snapshot) {
	t.Helper()
	r := e.mustRun(0, "history", "--config", cfg, "--pair", "bk", "c.txt", "--json")
	var got []string
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	for sc.Scan() {
		var v struct {
			Path    string    `json:"path"`
			Written time.Time `json:"written"`
			Current bool      `json:"current"`
			Cause   string    `json:"cause"`
			Size    int64     `json:"size"`
			MD5     string    `json:"md5"`
		}
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("history --json line %q: %v", sc.Text(), err)
		}
		if v.Path != "c.txt" || v.MD5 == "" || v.Written.After(snaps[len(snaps)-1].at) {
			t.Errorf("history line %+v", v)
		}
		state := v.Cause
		if v.Current {
			state = fmt.Sprintf("current %d", v.Size)
		}
		got = append(got, state)
	}
	// Written in run 1, deleted in run 2, written again in run 4.
	if want := []string{"deleted", fmt.Sprintf("current %d", len("charlie is back"))}; !slices.Equal(got, want) {
		t.Errorf("history of c.txt: %q, want %q\n%s", got, want, r)
	}
}

// TestBackupRestoreIntoThePairFolder: without --to, files that differ
// locally are left unless --overwrite, deleted files come back, and
// --dry-run writes nothing.
func TestBackupRestoreIntoThePairFolder(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("bkt")
	src := filepath.Join(e.dir, "src")
	tree{"keep.txt": []byte("v1"), "edit.txt": []byte("v1"), "gone.txt": []byte("v1"), "dir/x.txt": []byte("x1")}.write(t, src)
	cfg := pairConfig(e, "bk", src, "bkt", "    delete: propagate\n")
	e.mustRun(0, "run", "--config", cfg)
	first := takeSnapshot(t, src)
	writeFile(t, src, "edit.txt", []byte("v2"))
	writeFile(t, src, "dir/x.txt", []byte("x2"))
	os.Remove(filepath.Join(src, "gone.txt"))
	e.mustRun(0, "run", "--config", cfg)
	at := first.at.Format(time.RFC3339Nano)

	r := e.mustRun(0, "restore", "--config", cfg, "--pair", "bk", "--at", at, "--dry-run", "gone.txt")
	if !strings.Contains(r.stdout, "would restore") || !strings.Contains(r.stdout, "gone.txt") {
		t.Errorf("dry run output:\n%s", r)
	}
	if _, err := os.Stat(filepath.Join(src, "gone.txt")); err == nil {
		t.Fatal("the dry run wrote gone.txt")
	}
	r = e.mustRun(1, "restore", "--config", cfg, "--pair", "bk", "--at", at)
	if !strings.Contains(r.stderr, "edit.txt") || !strings.Contains(r.stderr, "dir/x.txt") ||
		!strings.Contains(r.stdout, "restored 1 of 4 file(s)") || !strings.Contains(r.stdout, "1 already up to date; 2 left as they are") {
		t.Errorf("restore without --overwrite:\n%s", r)
	}
	now := readTree(t, src)
	if string(now["edit.txt"]) != "v2" || string(now["gone.txt"]) != "v1" {
		t.Errorf("after restore without --overwrite: edit.txt %q, gone.txt %q", now["edit.txt"], now["gone.txt"])
	}
	e.mustRun(0, "restore", "--config", cfg, "--pair", "bk", "--at", at, "--overwrite", "dir", "edit.txt")
	assertSnapshot(t, "restore --overwrite", first, src)

	for _, bad := range [][]string{
		{"restore", "--config", cfg, "--pair", "bk"},
		{"restore", "--config", cfg, "--pair", "bk", "--at", "yesterday"},
		{"restore", "--config", cfg, "--pair", "nope", "--at", "1h"},
		{"restore", "--config", cfg, "--pair", "bk", "--at", "1h", "../outside"},
	} {
		if r := e.run(bad...); r.code != 2 {
			t.Errorf("ks3sync %s: want exit 2, got %s", strings.Join(bad, " "), r)
		}
	}
}

// TestBackupPrune: prune deletes exactly the versions outside both keep
// and versions, a dry run only lists them, and the next run's retention
// applies the same policy.
func TestBackupPrune(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("bkt")
	src := filepath.Join(e.dir, "src")
	writeFile(t, src, "f.txt", []byte("version 0"))
	writeFile(t, src, "other.txt", []byte("other 0"))
	writeFile(t, src, "gone.txt", []byte("deleted later"))
	long := pairConfig(e, "bk", src, "bkt", "    delete: propagate\n    history: {keep: 1h}\n")
	e.mustRun(0, "run", "--config", long)
	for i := 1; i <= 4; i++ {
		time.Sleep(15 * time.Millisecond)
		writeFile(t, src, "f.txt", []byte(fmt.Sprintf("version %d", i)))
		if i == 4 {
			writeFile(t, src, "other.txt", []byte("other 1"))
			os.Remove(filepath.Join(src, "gone.txt"))
		}
		e.mustRun(0, "run", "--config", long)
	}
	// Kept now: f.txt versions 0-3, other.txt version 0, gone.txt.
	kept := func() []string {
		t.Helper()
		r := e.mustRun(0, "history", "--config", long, "--pair", "bk", "--json")
		var out []string
		sc := bufio.NewScanner(strings.NewReader(r.stdout))
		for sc.Scan() {
			var v struct {
				Path    string `json:"path"`
				Current bool   `json:"current"`
				Key     string `json:"key"`
			}
			json.Unmarshal(sc.Bytes(), &v)
			if !v.Current {
				data, _ := e.getObject("bkt", v.Key)
				out = append(out, v.Path+"="+string(data))
			}
		}
		return out
	}
	all := []string{"f.txt=version 0", "f.txt=version 1", "f.txt=version 2", "f.txt=version 3", "gone.txt=deleted later", "other.txt=other 0"}
	if got := kept(); !slices.Equal(got, all) {
		t.Fatalf("kept before prune: %q, want %q", got, all)
	}
	r := e.mustRun(0, "prune", "--config", long, "--pair", "bk")
	if !strings.Contains(r.stdout, "pruned 0 version(s)") || !slices.Equal(kept(), all) {
		t.Fatalf("prune within keep 1h deleted something:\n%s", r)
	}
	off := pairConfig(e, "bk", src, "bkt", "    delete: propagate\n    history: {keep: 0}\n")
	for _, args := range [][]string{{"--pair", "bk"}, nil} {
		r = e.run(append([]string{"prune", "--config", off}, args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, "history is off") && !strings.Contains(r.stderr, "keeps history") || !slices.Equal(kept(), all) {
			t.Fatalf("prune %v of a pair whose history is off: %s", args, r)
		}
	}

	time.Sleep(1100 * time.Millisecond) // every kept version is now older than 1s
	short := pairConfig(e, "bk", src, "bkt", "    delete: propagate\n    history: {keep: 1s, versions: 2}\n")
	r = e.mustRun(0, "prune", "--config", short, "--pair", "bk", "--dry-run")
	if !strings.Contains(r.stdout, "would prune 2 version(s)") || !slices.Equal(kept(), all) {
		t.Fatalf("dry run:\n%s", r)
	}
	r = e.mustRun(0, "prune", "--config", short, "--dry-run") // every pair with history on
	if !strings.Contains(r.stdout, "pair bk (") || !strings.Contains(r.stdout, "would prune 2 version(s)") || !slices.Equal(kept(), all) {
		t.Fatalf("dry run without --pair:\n%s", r)
	}
	r = e.mustRun(0, "prune", "--config", short, "--pair", "bk")
	want := []string{"f.txt=version 2", "f.txt=version 3", "gone.txt=deleted later", "other.txt=other 0"}
	if got := kept(); !slices.Equal(got, want) || !strings.Contains(r.stdout, "pruned 2 version(s)") {
		t.Fatalf("after prune: %q, want %q\n%s", got, want, r)
	}

	// With versions: 1, the next run's retention prunes on its own.
	writeFile(t, src, "other.txt", []byte("other 2"))
	e.mustRun(0, "run", "--config", pairConfig(e, "bk", src, "bkt", "    delete: propagate\n    history: {keep: 1s, versions: 1}\n"))
	want = []string{"f.txt=version 3", "gone.txt=deleted later", "other.txt=other 1"}
	if got := kept(); !slices.Equal(got, want) {
		t.Errorf("after a run with versions 1: %q, want %q", got, want)
	}
}

// TestBackupCheck: check reports exactly the planted differences; the
// corrupted object only with --download.
func TestBackupCheck(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("bkt")
	src := filepath.Join(e.dir, "src")
	victim := pseudoRandom(11, store.InlineLimit+100_000) // above the limit, the server keeps the bytes in a file
	tree{"ok.txt": []byte("fine"), "victim.bin": victim, "dir/also-ok.txt": []byte("fine too")}.write(t, src)
	cfg := pairConfig(e, "bk", src, "bkt", "")
	e.mustRun(0, "run", "--config", cfg)
	removeState(t, e, "bk.yaml") // check works from the folder and the bucket alone
	e.mustRun(0, "check", "--config", cfg, "--pair", "bk")
	e.mustRun(0, "check", "--config", cfg, "--pair", "bk", "--download")

	writeFile(t, src, "not-uploaded.txt", []byte("only here"))
	if _, err := e.client.PutObject(context.Background(), "bkt", "backup/extra.txt", bytes.NewReader([]byte("x")), 1, ks3.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	corruptStoredObject(t, e, victim)

	diffs := func(args ...string) []string {
		t.Helper()
		r := e.mustRun(1, append([]string{"check", "--config", cfg, "--pair", "bk", "--json"}, args...)...)
		var out []string
		sc := bufio.NewScanner(strings.NewReader(r.stdout))
		for sc.Scan() {
			var d struct{ Difference, Path string }
			if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
				t.Fatalf("check --json line %q: %v", sc.Text(), err)
			}
			out = append(out, d.Difference+" "+d.Path)
		}
		return out
	}
	want := []string{"missing-locally extra.txt", "missing-in-bucket not-uploaded.txt"}
	if got := diffs(); !slices.Equal(got, want) {
		t.Errorf("check: %q, want %q", got, want)
	}
	want = []string{"missing-locally extra.txt", "missing-in-bucket not-uploaded.txt", "corrupt victim.bin"}
	if got := diffs("--download"); !slices.Equal(got, want) {
		t.Errorf("check --download: %q, want %q", got, want)
	}
	r := e.mustRun(1, "check", "--config", cfg, "--pair", "bk", "--download")
	if lines := strings.Count(strings.TrimSpace(r.stdout), "\n") + 1; lines != 3 || !strings.Contains(r.stdout, "corrupt") {
		t.Errorf("check prints one line per difference:\n%s", r)
	}
	if n := len(e.keys("bkt", "")); n != 4 {
		t.Errorf("check changed the bucket: %d objects", n)
	}
}

// corruptStoredObject flips a byte of the server's copy of data in place,
// behind the server's back: size, ETag and metadata stay as they were.
func corruptStoredObject(t *testing.T, e *env, data []byte) {
	t.Helper()
	found := ""
	filepath.WalkDir(e.srv.Root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || found != "" {
			return err
		}
		if b, err := os.ReadFile(p); err == nil && bytes.Equal(b, data) {
			found = p
		}
		return nil
	})
	if found == "" {
		t.Fatal("the object's bytes are not in the server's folder")
	}
	f, err := os.OpenFile(found, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt([]byte{data[1000] ^ 0xff}, 1000); err != nil {
		t.Fatal(err)
	}
}

// TestBackupMaxOverwriteGuard: without history, a pass that rewrites most
// of the folder is held until --max-overwrite lets it through.
func TestBackupMaxOverwriteGuard(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("bkt")
	src := filepath.Join(e.dir, "src")
	for i := range 10 {
		writeFile(t, src, fmt.Sprintf("f%d.txt", i), []byte("original"))
	}
	cfg := pairConfig(e, "bk", src, "bkt", "    history: {keep: 0}\n    max_overwrite: 50%\n")
	e.mustRun(0, "run", "--config", cfg)
	for i := range 6 {
		writeFile(t, src, fmt.Sprintf("f%d.txt", i), []byte("encrypted by ransomware"))
	}
	r := e.run("run", "--config", cfg)
	if r.code != 1 || !strings.Contains(r.stderr, "refusing to overwrite 6 of 10 objects (max_overwrite 50%)") {
		t.Fatalf("guard: want exit 1 naming 6 of 10, got %s", r)
	}
	if data, _ := e.getObject("bkt", "backup/f0.txt"); string(data) != "original" {
		t.Fatal("the held pass overwrote f0.txt")
	}
	if r := e.run("run", "--config", cfg, "--max-overwrite", "lots"); r.code != 2 {
		t.Errorf("--max-overwrite lots: want exit 2, got %s", r)
	}
	e.mustRun(0, "run", "--config", cfg, "--max-overwrite", "100%")
	if data, _ := e.getObject("bkt", "backup/f0.txt"); string(data) != "encrypted by ransomware" {
		t.Error("--max-overwrite 100% did not let the pass through")
	}
	if keys := e.allKeys("bkt", "backup/.ks3sync/history/"); len(keys) != 0 {
		t.Errorf("history off kept versions: %q", keys)
	}
}
