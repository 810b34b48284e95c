package state

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkBase1M records a base of 1,000,000 paths through a BaseBatch and
// reads it back with Base, reporting the time per row of each phase and the
// memory used: the peak Go heap in use, the memory the Go runtime took from
// the OS, and (on Linux) the peak resident set of the process, which also
// counts SQLite's own allocations. The 1M size is skipped with -short.
func BenchmarkBase1M(b *testing.B) {
	for _, rows := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			if rows > 100_000 && testing.Short() {
				b.Skip("1M rows skipped in short mode")
			}
			benchBase(b, rows)
		})
	}
}

func benchBase(b *testing.B, rows int) {
	var load, scan time.Duration
	var mem memPeak
	for b.Loop() {
		db, err := Open(filepath.Join(b.TempDir(), "state.db"))
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		benchLoad(b, db, rows, &mem)
		load += time.Since(start)

		start = time.Now()
		n := 0
		for _, err := range db.Base(b.Context(), "bench") {
			if err != nil {
				b.Fatal(err)
			}
			if n++; n%50_000 == 0 {
				mem.sample()
			}
		}
		scan += time.Since(start)
		if n != rows {
			b.Fatalf("read %d rows, want %d", n, rows)
		}
		if fi, err := os.Stat(db.Path()); err == nil {
			b.ReportMetric(float64(fi.Size())/(1<<20), "db-MB")
		}
		db.Close()
	}
	perRow := float64(b.N * rows)
	b.ReportMetric(float64(load.Nanoseconds())/perRow, "load-ns/row")
	b.ReportMetric(float64(scan.Nanoseconds())/perRow, "iter-ns/row")
	mem.report(b)
}

func benchLoad(b *testing.B, db *DB, rows int, mem *memPeak) {
	batch := db.NewBaseBatch(b.Context(), 0)
	for i := range rows {
		e := sampleBase("bench", fmt.Sprintf("dir%04d/file%07d.dat", i/1000, i), i)
		if err := batch.Put(e); err != nil {
			b.Fatal(err)
		}
		if i%50_000 == 0 {
			mem.sample()
		}
	}
	if err := batch.Flush(); err != nil {
		b.Fatal(err)
	}
}

// memPeak tracks the largest Go heap in use seen by sample.
type memPeak struct{ heapInuse, sys uint64 }

func (m *memPeak) sample() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m.heapInuse = max(m.heapInuse, ms.HeapInuse)
	m.sys = max(m.sys, ms.Sys)
}

func (m *memPeak) report(b *testing.B) {
	m.sample()
	b.ReportMetric(float64(m.heapInuse)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(m.sys)/(1<<20), "go-sys-MB")
	if kb, ok := peakRSSKB(); ok {
		b.ReportMetric(float64(kb)/1024, "peak-rss-MB")
	}
}

// peakRSSKB reads the peak resident set size of the process (VmHWM) on
// Linux.
func peakRSSKB() (int64, bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb, err == nil
		}
	}
	return 0, false
}
