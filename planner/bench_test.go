package planner

import (
	"fmt"
	"testing"

	"github.com/ks3sync/ks3sync/names"
)

// benchInput builds n paths in 1,000-file directories: per 1,000, 10
// changed locally, 10 changed remotely, and one each deleted locally, deleted
// remotely, new locally and new remotely; the rest are in sync.
func benchInput(n int) Input {
	in := Input{
		Local:  make([]LocalEntry, 0, n),
		Remote: make([]RemoteEntry, 0, n),
		Base:   make([]BaseEntry, 0, n),
	}
	for i := range n {
		p := fmt.Sprintf("projects/d%04d/file-%07d.dat", i/1000, i)
		key := "laptop/" + p
		sum := fmt.Sprintf("%032x", i)
		f := Fingerprint{Size: int64(i % 4096), MTime: 1, CTime: 1, Inode: uint64(i)}
		l := LocalEntry{Path: p, Fingerprint: f}
		r := RemoteEntry{Key: key, Size: f.Size, ETag: sum}
		switch {
		case i%100 == 3:
			l.Size, l.MTime = l.Size+1, 2
		case i%100 == 5:
			r.ETag = fmt.Sprintf("%032x", i+n)
		}
		if i%1000 != 7 && i%1000 != 13 {
			in.Local = append(in.Local, l)
		}
		if i%1000 != 9 && i%1000 != 11 {
			in.Remote = append(in.Remote, r)
		}
		if i%1000 != 11 && i%1000 != 13 {
			in.Base = append(in.Base, BaseEntry{Path: p, Local: f, MD5: sum, RemoteKey: key, RemoteSize: f.Size, ETag: sum})
		}
	}
	return in
}

// BenchmarkPlan1M plans a pair of 1,000,000 files on all three sides.
func BenchmarkPlan1M(b *testing.B) {
	const n = 1_000_000
	in := benchInput(n)
	opts := Options{
		Direction: Both, Delete: Propagate, Prefix: "laptop/", Host: "h", Time: "t",
		Exclude: []string{"*.tmp", "~$*", ".DS_Store"},
	}
	b.ReportAllocs()
	var res *Result
	for b.Loop() {
		var err error
		res, err = Plan(in, opts)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/entry")
	b.ReportMetric(float64(len(res.Actions)), "actions")
}

// BenchmarkPlan1MWindowsNames plans the same pair under Windows name rules:
// case-insensitive, so the listings are merged by their folded paths.
func BenchmarkPlan1MWindowsNames(b *testing.B) {
	const n = 1_000_000
	in := benchInput(n)
	opts := Options{
		Direction: Both, Delete: Propagate, Prefix: "laptop/", Host: "h", Time: "t",
		Exclude: []string{"*.tmp", "~$*", ".DS_Store"}, Names: names.ForOS("windows"),
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Plan(in, opts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/entry")
}

// BenchmarkNeeds1M asks what to hash and HEAD for the same pair.
func BenchmarkNeeds1M(b *testing.B) {
	const n = 1_000_000
	in := benchInput(n)
	opts := Options{Direction: Both, Delete: Propagate, Prefix: "laptop/", Host: "h", Time: "t"}
	b.ReportAllocs()
	for b.Loop() {
		Needs(in, opts)
	}
}

// TestPlanLarge keeps the shape of the benchmark input honest at a size that
// runs in milliseconds.
func TestPlanLarge(t *testing.T) {
	in := benchInput(10_000)
	res, err := Plan(in, Options{Direction: Both, Delete: Propagate, Prefix: "laptop/", Host: "h", Time: "t"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[ActionKind]int{
		Upload:       100 + 10,
		Download:     100 + 10,
		DeleteRemote: 10,
		DeleteLocal:  10,
		Nothing:      10_000 - 240,
	}
	for k, n := range want {
		if res.Counts[k] != n {
			t.Errorf("Counts[%s] = %d, want %d (all: %v)", k, res.Counts[k], n, res.Counts)
		}
	}
}
