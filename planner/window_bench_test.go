package planner

import (
	"fmt"
	"runtime"
	"testing"
)

// syntheticSides generates n entries on each side in batches of 1,000, in
// the shape of benchInput (per 1,000 paths a few changed, deleted or new on
// each side), without holding them.
func syntheticSides(n int) (Source[LocalEntry], Source[RemoteEntry], Source[BaseEntry]) {
	path := func(i int) string { return fmt.Sprintf("projects/d%05d/file-%08d.dat", i/1000, i) }
	fp := func(i int) Fingerprint {
		return Fingerprint{Size: int64(i % 4096), MTime: 1, CTime: 1, Inode: uint64(i)}
	}
	sum := func(i int) string { return fmt.Sprintf("%032x", i) }
	var li, ri, bi int
	local := func() ([]LocalEntry, bool, error) {
		var b []LocalEntry
		for ; li < n && len(b) < 1000; li++ {
			if li%1000 == 7 || li%1000 == 13 {
				continue
			}
			l := LocalEntry{Path: path(li), Fingerprint: fp(li)}
			if li%100 == 3 {
				l.Size, l.MTime = l.Size+1, 2
			}
			b = append(b, l)
		}
		return b, li < n, nil
	}
	remote := func() ([]RemoteEntry, bool, error) {
		var b []RemoteEntry
		for ; ri < n && len(b) < 1000; ri++ {
			if ri%1000 == 9 || ri%1000 == 11 {
				continue
			}
			r := RemoteEntry{Key: "laptop/" + path(ri), Size: fp(ri).Size, ETag: sum(ri)}
			if ri%100 == 5 {
				r.ETag = sum(ri + n)
			}
			b = append(b, r)
		}
		return b, ri < n, nil
	}
	base := func() ([]BaseEntry, bool, error) {
		var b []BaseEntry
		for ; bi < n && len(b) < 1000; bi++ {
			if bi%1000 == 11 || bi%1000 == 13 {
				continue
			}
			p := path(bi)
			b = append(b, BaseEntry{Path: p, Local: fp(bi), MD5: sum(bi), RemoteKey: "laptop/" + p, RemoteSize: fp(bi).Size, ETag: sum(bi)})
		}
		return b, bi < n, nil
	}
	return local, remote, base
}

// BenchmarkWindowedPlan streams n paths on all three sides through the
// Windower and Plan, keeping only counts, and reports the time per path
// and the peak live heap sampled after every window: the heap must stay
// flat as n grows.
func BenchmarkWindowedPlan(b *testing.B) {
	for _, n := range []int{1_000_000, 10_000_000} {
		b.Run(fmt.Sprintf("%dM", n/1_000_000), func(b *testing.B) {
			opts := Options{Direction: Both, Delete: Propagate, Prefix: "laptop/", Host: "h", Time: "t"}
			var peak uint64
			for b.Loop() {
				local, remote, base := syntheticSides(n)
				w := NewWindower(local, remote, base, WindowOptions{Prefix: opts.Prefix})
				actions := 0
				for windows := 0; ; windows++ {
					in, ok, err := w.Next()
					if err != nil {
						b.Fatal(err)
					}
					if !ok {
						break
					}
					res, err := Plan(in, opts)
					if err != nil {
						b.Fatal(err)
					}
					actions += len(res.Actions)
					if windows%100 == 0 {
						var ms runtime.MemStats
						runtime.ReadMemStats(&ms)
						peak = max(peak, ms.HeapAlloc)
					}
				}
				if actions == 0 {
					b.Fatal("no actions planned")
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/entry")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		})
	}
}
