package e2e

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/objmeta"
	"github.com/ks3sync/ks3sync/planner"
)

// multiSeed returns the seed of the convergence test: KS3SYNC_MULTI_SEED
// to replay a run, or a new one.
func multiSeed(t *testing.T) uint64 {
	if s := os.Getenv("KS3SYNC_MULTI_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("KS3SYNC_MULTI_SEED=%q: %v", s, err)
		}
		return n
	}
	return uint64(time.Now().UnixNano())
}

// multiOps is how many random operations the convergence test applies to
// a folder (pauses and operations that found nothing to act on do not
// count): KS3SYNC_MULTI_OPS, or 1000.
func multiOps(t *testing.T) int {
	if s := os.Getenv("KS3SYNC_MULTI_OPS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("KS3SYNC_MULTI_OPS=%q: want a positive count", s)
		}
		return n
	}
	return 1000
}

type fileState struct {
	md5   string
	mtime int64
}

// folderState reads a folder's files (not ks3sync's reserved folder).
func folderState(t *testing.T, root string) map[string]fileState {
	t.Helper()
	out := map[string]fileState{}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if planner.IsReserved(rel) {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() && !strings.Contains(d.Name(), ".ks3sync-tmp") {
			data, err := os.ReadFile(p)
			fi, err2 := d.Info()
			if err == nil && err2 == nil {
				s := md5.Sum(data)
				out[rel] = fileState{hex.EncodeToString(s[:]), fi.ModTime().UnixNano()}
			}
		}
		return nil
	})
	return out
}

// TestThreeDevicesConverge runs three watch daemons (three folders, three
// state databases) on one prefix, drives a seeded random sequence of
// operations on their folders, then checks that folders and bucket are
// identical, that every version written survives as a file, a conflict
// copy or a history entry, and that nothing deleted came back. The kill
// variant SIGKILLs one daemon midway and restarts it later. A version the
// test replaces or deletes on its own device before the daemon could see
// it settle (2 s, or up to 10 s while it has not reached the bucket, as on
// a loaded machine) is not required to survive (no tool could have seen
// it); the log says how many there were. KS3SYNC_MULTI_SEED replays a run and
// KS3SYNC_MULTI_OPS sets the number of operations.
func TestThreeDevicesConverge(t *testing.T) {
	if testing.Short() {
		t.Skip("three devices for minutes: not in -short")
	}
	for _, kill := range []bool{false, true} {
		t.Run(fmt.Sprintf("kill=%v", kill), func(t *testing.T) { threeDevices(t, kill) })
	}
}

func threeDevices(t *testing.T, kill bool) {
	seed := multiSeed(t)
	t.Logf("seed %d (KS3SYNC_MULTI_SEED=%d replays it)", seed, seed)
	// why keeps the first line of every failure: the daemons' logs are
	// printed after the errors, and a CI log may keep only its tail, so the
	// last line says what failed.
	var why []string
	fail := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		first, _, _ := strings.Cut(msg, "\n")
		why = append(why, first)
		t.Error(msg)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("FAILED with seed %d (%s): replay with KS3SYNC_MULTI_SEED=%d", seed, strings.Join(why, "; "), seed)
		}
	})
	rng := rand.New(rand.NewPCG(seed, 19))
	e := newEnv(t)
	e.mkBucket("bkt")
	const n = 3
	roots, cfgs, ds := make([]string, n), make([]string, n), make([]*daemon, n)
	for i := range n {
		roots[i] = filepath.Join(e.dir, fmt.Sprintf("dev%d", i))
		os.MkdirAll(roots[i], 0o755)
		cfgs[i] = e.writeConfig(fmt.Sprintf("dev%d.yaml", i), fmt.Sprintf(`device: dev%d
pairs:
  - name: m
    local: %s
    bucket: bkt
    prefix: m/
    direction: both
    delete: propagate
    max_delete: 100%%
    max_overwrite: 100%%
    remote_poll: 1s
    watch: {delay: 200ms, max_delay: 1s, rescan: 1h}
`, i, roots[i]))
		ds[i] = e.startWatch(cfgs[i])
	}
	// versions are the contents written, by MD5. A version the test itself
	// replaces or deletes on the device that wrote it before the watcher
	// could have seen it settle (quick) is not required to survive: no
	// tool could have seen it.
	type version struct {
		desc  string
		dev   int
		at    time.Time
		quick bool
	}
	versions := map[string]*version{}
	start := time.Now()
	const (
		settleTime   = 2 * time.Second // more than watch max_delay plus a pass
		startSettled = 5 * time.Second // a restarted daemon's start and first full pass
		loadedSettle = 10 * time.Second
	)
	// inBucket reports whether the object of rel holds the content whose
	// MD5 is sum.
	inBucket := func(rel, sum string) bool {
		info, err := e.client.HeadObject(t.Context(), "bkt", "m/"+rel)
		return err == nil && objmeta.Read(info.Metadata).MD5 == sum
	}
	type gone struct{ path, md5 string }
	var deleted []gone
	id := 0
	content := func(size int) []byte {
		id++
		s := fmt.Sprintf("v%07d-%d ", id, seed)
		for len(s) < size {
			s += "x"
		}
		return []byte(s)
	}
	// down is the device whose daemon is killed, -1 when none, and
	// restarted when it was started again.
	down, restarted := -1, time.Time{}
	// displace notes that the file rel of device d is about to be replaced
	// or deleted by the test: a version its daemon could not have seen
	// settle (written a moment ago, or while the daemon was down and not
	// long enough since its restart) is not required to survive.
	displace := func(d int, rel string) {
		data, err := os.ReadFile(filepath.Join(roots[d], filepath.FromSlash(rel)))
		if err != nil {
			return
		}
		sum := md5.Sum(data)
		v := versions[hex.EncodeToString(sum[:])]
		if v == nil || v.dev != d {
			return
		}
		unseen := d == down || (d == 1 && v.at.Before(restarted) && time.Since(restarted) < startSettled)
		age := time.Since(v.at)
		// On a loaded machine a pass can take longer than settleTime: a
		// version younger than loadedSettle that has not reached the
		// bucket is still on its way.
		if age < settleTime || unseen || (age < loadedSettle && !inBucket(rel, hex.EncodeToString(sum[:]))) {
			v.quick = true
		}
	}
	files := func(d int) []string {
		var out []string
		for p := range folderState(t, roots[d]) {
			if !strings.Contains(p, ".conflict-") {
				out = append(out, p)
			}
		}
		slices.Sort(out)
		return out
	}
	// write reports whether the file was written.
	write := func(d int, rel string, data []byte) bool {
		displace(d, rel)
		p := filepath.Join(roots[d], filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if os.WriteFile(p, data, 0o644) != nil {
			return false
		}
		sum := md5.Sum(data)
		versions[hex.EncodeToString(sum[:])] = &version{desc: fmt.Sprintf("%.14s on dev%d as %s at +%v", data, d, rel, time.Since(start).Round(time.Millisecond)), dev: d, at: time.Now()}
		return true
	}
	// folders lists the folders d<from> to d<to-1> that device d has, or
	// with present false those it does not have.
	folders := func(d, from, to int, present bool) []string {
		var out []string
		for i := from; i < to; i++ {
			name := fmt.Sprintf("d%d", i)
			if _, err := os.Stat(filepath.Join(roots[d], name)); (err == nil) == present {
				out = append(out, name)
			}
		}
		return out
	}
	// The operations count only when they changed a folder: a pause, or an
	// operation that found nothing to act on or failed, is not one.
	kinds := []string{"creates", "edits", "same-size edits", "deletes", "file renames", "folder renames", "edits of one file on two devices"}
	applied := make([]int, len(kinds))
	ops, done, pauses, noops := multiOps(t), 0, 0, 0
	for done < ops {
		if kill && down == -1 && restarted.IsZero() && done >= ops/2 {
			down = 1
			ds[1].cmd.Process.Kill()
			ds[1].done <- <-ds[1].done // for the cleanup
		}
		if kill && down == 1 && done >= ops/2+ops/10 {
			ds[1] = e.startWatch(cfgs[1])
			down, restarted = -1, time.Now()
		}
		d := rng.IntN(n)
		fs := files(d)
		pick := func() string { return fs[rng.IntN(len(fs))] }
		kind := -1 // the index in kinds of the operation applied
		switch k := rng.IntN(10); {
		case k < 3 || len(fs) == 0:
			rel := fmt.Sprintf("f%d.txt", id)
			if rng.IntN(2) == 0 {
				rel = fmt.Sprintf("d%d/f%d.txt", rng.IntN(5), id)
			}
			if write(d, rel, content(10+rng.IntN(40))) {
				kind = 0
			}
		case k == 3:
			if write(d, pick(), content(60+rng.IntN(40))) {
				kind = 1
			}
		case k == 4:
			p := pick()
			if data, err := os.ReadFile(filepath.Join(roots[d], p)); err == nil && write(d, p, content(len(data))) {
				kind = 2
			}
		case k == 5:
			p := pick()
			data, _ := os.ReadFile(filepath.Join(roots[d], p))
			sum := md5.Sum(data)
			displace(d, p)
			if os.Remove(filepath.Join(roots[d], p)) == nil {
				deleted = append(deleted, gone{p, hex.EncodeToString(sum[:])})
				kind = 3
			}
		case k == 6:
			p := pick()
			if os.Rename(filepath.Join(roots[d], p), filepath.Join(roots[d], fmt.Sprintf("r%d-%s", id, filepath.Base(p)))) == nil {
				kind = 4
			}
			id++
		case k == 7:
			// One of d0 to d9 that the device has, to one it does not have
			// (a folder may come back to a name it had a moment ago).
			from, to := folders(d, 0, 10, true), folders(d, 0, 10, false)
			if len(from) > 0 && len(to) > 0 && os.Rename(filepath.Join(roots[d], from[rng.IntN(len(from))]), filepath.Join(roots[d], to[rng.IntN(len(to))])) == nil {
				kind = 5
			}
		case k == 8:
			// The same file edited on two devices within one poll: a file
			// that both have.
			o := (d + 1 + rng.IntN(n-1)) % n
			var both []string
			for _, p := range files(o) {
				if _, found := slices.BinarySearch(fs, p); found {
					both = append(both, p)
				}
			}
			if len(both) > 0 {
				p := both[rng.IntN(len(both))]
				if write(d, p, content(20+rng.IntN(20))) {
					kind = 1 // an edit, unless the other device's lands too
					if write(o, p, content(20+rng.IntN(20))) {
						kind = 6
					}
				}
			}
		default:
			pauses++
			time.Sleep(time.Duration(200+rng.IntN(1300)) * time.Millisecond)
			continue
		}
		if kind < 0 {
			noops++
			continue
		}
		applied[kind]++
		done++
		time.Sleep(time.Duration(rng.IntN(30)) * time.Millisecond)
	}
	mix := make([]string, len(kinds))
	for i, k := range kinds {
		mix[i] = fmt.Sprintf("%d %s", applied[i], k)
	}
	t.Logf("%d operations applied: %s; besides them %d pauses and %d operations that found nothing to act on", done, strings.Join(mix, ", "), pauses, noops)
	var last string
	deadline := time.Now().Add(3 * time.Minute)
	for {
		s0 := folderState(t, roots[0])
		ok := true
		for i := 1; i < n && ok; i++ {
			if si := folderState(t, roots[i]); !mapsEqual(s0, si) {
				ok, last = false, fmt.Sprintf("dev0 and dev%d differ at %v", i, diffPaths(s0, si))
			}
		}
		if ok {
			keys := e.keys("bkt", "m/")
			ok = len(keys) == len(s0)
			last = fmt.Sprintf("bucket %d keys, folders %d files", len(keys), len(s0))
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			fail("no convergence: %s", last)
			t.FailNow()
		}
		time.Sleep(time.Second)
	}
	final := folderState(t, roots[0])
	for rel, st := range final {
		data, obj := e.getObject("bkt", "m/"+rel)
		sum := md5.Sum(data)
		if hex.EncodeToString(sum[:]) != st.md5 || objmeta.Read(obj.Metadata).MTime.UnixNano() != st.mtime {
			fail("%s: object differs from the files (content or mtime)", rel)
		}
	}
	have := map[string]bool{}
	for _, st := range final {
		have[st.md5] = true
	}
	for _, k := range e.allKeys("bkt", "m/.ks3sync/history/") {
		data, _ := e.getObject("bkt", k)
		sum := md5.Sum(data)
		have[hex.EncodeToString(sum[:])] = true
	}
	var lost []string
	quick := 0
	for sum, v := range versions {
		switch {
		case v.quick:
			quick++
		case !have[sum]:
			lost = append(lost, v.desc)
		}
	}
	slices.Sort(lost)
	if len(lost) > 0 {
		fail("%d of %d written versions are neither a file, a conflict copy nor a history entry (%s):\n%s",
			len(lost), len(versions), strings.Join(lost[:min(3, len(lost))], ", "), strings.Join(lost, "\n"))
	}
	for _, g := range deleted {
		if st, ok := final[g.path]; ok && st.md5 == g.md5 {
			fail("%s came back after it was deleted", g.path)
		}
	}
	t.Logf("%d operations, %d versions (%d replaced by the test before they could sync), %d files at the end, %d deletions", ops, len(versions), quick, len(final), len(deleted))
}

func mapsEqual(a, b map[string]fileState) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// diffPaths lists the paths whose state differs between a and b.
func diffPaths(a, b map[string]fileState) []string {
	var out []string
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			out = append(out, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}
