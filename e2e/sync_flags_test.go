package e2e

import (
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestSyncIncludeAndBandwidth: sync's --include picks the files it names,
// and --bandwidth holds an upload to the rate asked for.
func TestSyncIncludeAndBandwidth(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("picked")
	src := filepath.Join(e.dir, "src")
	writeFile(t, src, "a.txt", []byte("alpha"))
	writeFile(t, src, "sub/b.txt", []byte("beta"))
	writeFile(t, src, "c.jpg", []byte("photo"))
	e.syncCmd(0, src, "ks3://picked/p", "--include", "*.txt")
	if got, want := e.keys("picked", ""), []string{"p/a.txt", "p/sub/b.txt"}; !slices.Equal(got, want) {
		t.Fatalf("keys after --include '*.txt': %v, want %v", got, want)
	}

	writeFile(t, src, "big.bin", make([]byte, 3<<20))
	start := time.Now()
	e.syncCmd(0, src, "ks3://picked/p", "--include", "*.bin", "--bandwidth", "1MiB")
	// 3 MiB at 1 MiB/s: the limiter lets a second's burst through, so at
	// least two seconds (a lower bound: a slow machine only adds to it).
	if took := time.Since(start); took < 1800*time.Millisecond {
		t.Errorf("3 MiB at --bandwidth 1MiB took %s, want about 2-3 s", took.Round(time.Millisecond))
	}
	if got := e.keys("picked", ""); !slices.Contains(got, "p/big.bin") {
		t.Fatalf("keys after the limited push: %v", got)
	}
}
