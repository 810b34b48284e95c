package harness

import (
	"path"
	"strings"
	"testing"
)

// The burst's folders are new and nested two levels below burst/, and
// burstFolders counts them.
func TestBurstFolders(t *testing.T) {
	if got := burstPath(12345); got != "burst/d12/e03/f12345.bin" {
		t.Errorf("burstPath(12345) = %q", got)
	}
	for _, n := range []int{0, 1, 99, 100, 101, 200, 999, 1000, 1001, 10000} {
		dirs := map[string]bool{}
		for i := range n {
			p := burstPath(i)
			if strings.Count(p, "/") != 3 {
				t.Fatalf("burstPath(%d) = %q, want two folders below burst/", i, p)
			}
			for d := path.Dir(p); d != "."; d = path.Dir(d) {
				dirs[d] = true
			}
		}
		if got := burstFolders(n); got != len(dirs) {
			t.Errorf("burstFolders(%d) = %d, the paths use %d", n, got, len(dirs))
		}
	}
}
