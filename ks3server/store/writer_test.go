package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// holdWriter blocks the writer's next commit, as a long reader would,
// until the returned function is called (once or more).
func holdWriter(s *Store) (release func()) {
	s.mu.RLock()
	var once sync.Once
	return func() { once.Do(s.mu.RUnlock) }
}

// waitFor waits until cond holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestGroupCommit checks that writes arriving while a commit runs are
// committed together, each answered after its commit, and that a write
// that fails in a batch fails alone.
func TestGroupCommit(t *testing.T) {
	s := openTest(t, "")
	mustBucket(t, s, "bkt")
	ctx := context.Background()
	before := s.w.batches.Load()
	release := holdWriter(s)
	defer release()
	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	defer wg.Wait()
	for i := range n {
		wg.Go(func() {
			bucket := "bkt"
			if i == 7 {
				bucket = "missing"
			}
			data := []byte(fmt.Sprint("object ", i))
			if i == 9 {
				data = big('9')
			}
			b, err := s.Stage(bytes.NewReader(data), 1<<20)
			if err == nil {
				err = s.PutObject(ctx, testObject(bucket, fmt.Sprint("k", i), b.Size()), b)
			}
			errs[i] = err
		})
		if i == 0 { // the first write is taken alone, and held
			waitFor(t, "the first batch", func() bool { return s.w.batches.Load() == before+1 })
		}
	}
	waitFor(t, "the other writes to queue", func() bool { return s.w.waiting.Load() == n-1 })
	release()
	wg.Wait()
	if got := s.w.batches.Load() - before; got != 2 {
		t.Errorf("%d writes committed in %d batches, want 2 (the held one, then all others)", n, got)
	}
	for i, err := range errs {
		switch {
		case i == 7 && !errors.Is(err, ErrNoSuchBucket):
			t.Errorf("write to a missing bucket: %v, want ErrNoSuchBucket", err)
		case i != 7 && err != nil:
			t.Errorf("write %d: %v", i, err)
		}
	}
	for i := range n {
		if i == 7 {
			continue
		}
		want := []byte(fmt.Sprint("object ", i))
		if i == 9 {
			want = big('9')
		}
		if got := mustGet(t, s, "bkt", fmt.Sprint("k", i)); !bytes.Equal(got, want) {
			t.Errorf("object %d reads back as %d bytes", i, len(got))
		}
	}
	if n := countBlobs(t, s); n != 1 {
		t.Errorf("%d blob files, want 1 (one object above the inline limit)", n)
	}
}

// TestWriterDurability checks the synchronous setting of the connection
// that commits: FULL, or NORMAL without sync.
func TestWriterDurability(t *testing.T) {
	for _, tc := range []struct {
		noSync bool
		want   int
	}{{false, 2}, {true, 1}} {
		s, err := Open(context.Background(), Options{Root: t.TempDir(), NoSync: tc.noSync})
		if err != nil {
			t.Fatal(err)
		}
		var got int
		if err := s.w.conn.QueryRowContext(context.Background(), "PRAGMA synchronous").Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("NoSync %v: synchronous = %d, want %d", tc.noSync, got, tc.want)
		}
		s.Close()
	}
}

// TestWriteAfterClose checks that a closed store refuses writes.
func TestWriteAfterClose(t *testing.T) {
	s := openTest(t, "")
	mustBucket(t, s, "bkt")
	s.Close()
	err := s.CreateBucket(context.Background(), Bucket{Name: "other", Created: testNow})
	if !errors.Is(err, ErrClosed) {
		t.Fatalf("write after Close: %v, want ErrClosed", err)
	}
}
