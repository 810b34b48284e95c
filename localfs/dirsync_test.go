package localfs

import (
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Callers that arrive while a flush runs are not served by it (it may have
// begun before their renames) but share the next one.
func TestDirSyncSharesTheNextFlush(t *testing.T) {
	ds := &dirSync{}
	ds.cond.L = &ds.mu
	began := make(chan int, 4)
	release := make(chan struct{})
	var flushes atomic.Int32
	flush := func() {
		began <- int(flushes.Add(1))
		<-release
	}
	var returned [3]atomic.Bool
	var wg sync.WaitGroup
	wg.Go(func() { ds.wait(flush); returned[0].Store(true) })
	if n := <-began; n != 1 {
		t.Fatalf("first flush is number %d", n)
	}
	for i := 1; i <= 2; i++ {
		wg.Go(func() { ds.wait(flush); returned[i].Store(true) })
	}
	time.Sleep(20 * time.Millisecond) // let both late callers queue (the checks hold either way)
	release <- struct{}{}             // flush 1 ends
	if n := <-began; n != 2 {
		t.Fatalf("second flush is number %d", n)
	}
	waitUntil(t, returned[0].Load)
	if returned[1].Load() || returned[2].Load() {
		t.Fatal("a caller that arrived during flush 1 returned before flush 2 ended")
	}
	release <- struct{}{} // flush 2 ends
	wg.Wait()
	if n := flushes.Load(); n != 2 {
		t.Errorf("%d flushes for 3 callers, want 2", n)
	}
}

// Many renames into one folder at once are made durable with fewer folder
// flushes than files, and the registry forgets the folder afterwards.
func TestSyncDirConcurrent(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Go(func() {
			if err := WriteFile(filepath.Join(dir, "f"+string(rune('a'+i))), time.Time{}, func(w io.Writer) error {
				_, err := w.Write([]byte("x"))
				return err
			}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	entries, _ := os.ReadDir(dir)
	if len(entries) != 32 {
		t.Errorf("%d files, want 32", len(entries))
	}
	dirSyncs.mu.Lock()
	defer dirSyncs.mu.Unlock()
	if len(dirSyncs.m) != 0 {
		t.Errorf("the registry still holds %d folders", len(dirSyncs.m))
	}
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}
