package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// `ks3sync sync SRC DST`: an ad-hoc pair without a config file, both ways,
// through the real binary against the embedded server.

// syncCmd runs `ks3sync --endpoint URL sync ARGS` and wants exit code want.
func (e *env) syncCmd(want int, args ...string) result {
	e.t.Helper()
	return e.tool(want, append([]string{"sync", "--no-progress"}, args...)...)
}

func TestSyncPushAndPull(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("adhoc")
	src := filepath.Join(e.dir, "src")
	writeFile(t, src, "a.txt", []byte("alpha"))
	writeFile(t, src, "sub/b.txt", []byte("beta"))
	writeFile(t, src, "skip.tmp", []byte("excluded"))

	// Push: the folder first.
	r := e.syncCmd(0, src, "ks3://adhoc/docs", "--exclude", "*.tmp", "--transfers", "2")
	if got, want := e.keys("adhoc", ""), []string{"docs/a.txt", "docs/sub/b.txt"}; !slices.Equal(got, want) {
		t.Fatalf("keys after push: %v, want %v\n%s", got, want, r)
	}
	// The same pair again: its own state says nothing changed.
	contains(t, e.syncCmd(0, src, "ks3://adhoc/docs", "--exclude", "*.tmp", "--json"), `"uploaded":0`)
	states, _ := filepath.Glob(filepath.Join(e.dir, ".state", "ks3sync", "sync", "sync-*.db"))
	if len(states) != 1 {
		t.Errorf("state databases of the pushed pair: %v", states)
	}

	// Pull: the bucket first, into a folder that does not exist yet.
	dst := filepath.Join(e.dir, "dst")
	e.syncCmd(0, "ks3://adhoc/docs/", dst)
	if got := readTree(t, dst); len(got) != 2 || string(got["a.txt"]) != "alpha" || string(got["sub/b.txt"]) != "beta" {
		t.Fatalf("pulled tree: %v", got)
	}

	// A local deletion: without --delete nothing goes on the bucket; a
	// dry run with --delete says what it would do and does nothing.
	if err := os.Remove(filepath.Join(src, "a.txt")); err != nil {
		t.Fatal(err)
	}
	e.syncCmd(0, src, "ks3://adhoc/docs", "--exclude", "*.tmp")
	if got := e.keys("adhoc", "docs/"); !slices.Contains(got, "docs/a.txt") {
		t.Fatalf("push without --delete deleted docs/a.txt: %v", got)
	}
	contains(t, e.syncCmd(0, src, "ks3://adhoc/docs", "--exclude", "*.tmp", "--delete", "--dry-run"), "would delete-remote", "a.txt")
	if got := e.keys("adhoc", "docs/"); !slices.Contains(got, "docs/a.txt") {
		t.Fatalf("dry run deleted docs/a.txt: %v", got)
	}
	e.syncCmd(0, src, "ks3://adhoc/docs", "--exclude", "*.tmp", "--delete", "--max-delete", "100%")
	if got, want := e.keys("adhoc", "docs/"), []string{"docs/sub/b.txt"}; !slices.Equal(got, want) {
		t.Fatalf("keys after push --delete: %v, want %v", got, want)
	}

	// The pull side follows: without --delete the local copy stays, with it
	// the file goes.
	e.syncCmd(0, "ks3://adhoc/docs", dst)
	if _, err := os.Stat(filepath.Join(dst, "a.txt")); err != nil {
		t.Fatalf("pull without --delete removed a.txt: %v", err)
	}
	e.syncCmd(0, "ks3://adhoc/docs", dst, "--delete", "--max-delete", "100%")
	if got := readTree(t, dst); len(got) != 1 || string(got["sub/b.txt"]) != "beta" {
		t.Fatalf("pulled tree after --delete: %v", got)
	}
}

func TestSyncGuardAndUsage(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("guarded")
	src := filepath.Join(e.dir, "src")
	for _, n := range []string{"1", "2", "3", "4"} {
		writeFile(t, src, n+".txt", []byte(n))
	}
	e.syncCmd(0, src, "ks3://guarded")
	for _, n := range []string{"1", "2", "3"} {
		os.Remove(filepath.Join(src, n+".txt"))
	}
	// Three deletions of four files is over the default 50%: refused, with
	// the sync command line that lets it through.
	r := e.syncCmd(1, src, "ks3://guarded", "--delete")
	contains(t, r, "refused", "ks3sync --endpoint", "sync "+src+" ks3://guarded --delete --max-delete 3")
	if got := e.keys("guarded", ""); len(got) != 4 {
		t.Fatalf("a refused pass deleted objects: %v", got)
	}

	file := writeFile(t, e.dir, "plain.txt", []byte("x"))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{src, filepath.Join(e.dir, "other")}, "both local"},
		{[]string{"ks3://guarded/a", "ks3://guarded/b"}, "both buckets"},
		{[]string{file, "ks3://guarded"}, "is not a folder"},
		{[]string{filepath.Join(e.dir, "missing"), "ks3://guarded"}, "does not exist"},
		{[]string{src, "ks3://Bad_Bucket"}, "bucket"},
		{[]string{src, "ks3://guarded", "--transfers", "0"}, "--transfers"},
		{[]string{src, "ks3://guarded", "--max-delete", "lots"}, "--max-delete"},
		{[]string{src, "ks3://guarded", "--encrypt-key", filepath.Join(e.dir, "nokey")}, "key_file"},
		{[]string{src}, "SRC and DST"},
	} {
		contains(t, e.syncCmd(2, tc.args...), tc.want)
	}
}

// TestSyncEncrypted pushes with --encrypt-key and pulls the plaintext back
// with the same key; the bucket holds no plaintext.
func TestSyncEncrypted(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("sealed")
	key := filepath.Join(e.dir, "pair.key")
	e.tool(0, "keygen", key)
	src := filepath.Join(e.dir, "src")
	writeFile(t, src, "secret.txt", []byte("the plaintext"))
	e.syncCmd(0, src, "ks3://sealed/x", "--encrypt-key", key)
	if body, _ := e.getObject("sealed", "x/secret.txt"); strings.Contains(string(body), "plaintext") {
		t.Fatalf("the object holds the plaintext")
	}
	dst := filepath.Join(e.dir, "dst")
	contains(t, e.syncCmd(1, "ks3://sealed/x", dst), "encrypt")
	e.syncCmd(0, "ks3://sealed/x", dst, "--encrypt-key", key)
	if got := readTree(t, dst); string(got["secret.txt"]) != "the plaintext" {
		t.Fatalf("pulled with the key: %v", got)
	}
}

// TestSyncBuiltinServeKeys syncs against `ks3sync serve` started without
// keys, with the pair it prints, as the tool commands do.
func TestSyncBuiltinServeKeys(t *testing.T) {
	e := newEnv(t)
	s := startServe(t, e, true, "--root", filepath.Join(e.dir, "store"))
	src := filepath.Join(e.dir, "src")
	writeFile(t, src, "f.txt", []byte("served"))
	for _, args := range [][]string{
		{"mb", "ks3://served"},
		{"sync", "--no-progress", src, "ks3://served/p"},
		{"sync", "--no-progress", "ks3://served/p", filepath.Join(e.dir, "back")},
	} {
		cmd := exec.Command(binPath, append([]string{"--endpoint", s.url}, args...)...)
		cmd.Dir, cmd.Env = e.dir, append(e.environ(), "KS3_ACCESS_KEY="+s.keys["KS3_ACCESS_KEY"], "KS3_SECRET_KEY="+s.keys["KS3_SECRET_KEY"])
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v with the printed keys: %v\n%s", args, err, out)
		}
	}
	if got := readTree(t, filepath.Join(e.dir, "back")); string(got["f.txt"]) != "served" {
		t.Fatalf("round trip through serve: %v", got)
	}
}
