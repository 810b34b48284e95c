package state

import (
	"fmt"
	"slices"
	"sync"
	"testing"
)

// TestConcurrentUse has upload workers checkpoint parts, the watcher mark
// paths dirty and a batch rewrite the base of another pair, all while the
// planner iterates the base. Run it with -race.
func TestConcurrentUse(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	const seeded, workers, parts = 500, 6, 40
	seed := db.NewBaseBatch(ctx, 100)
	for i := range seeded {
		if err := seed.Put(sampleBase("planner", fmt.Sprintf("f%05d", i), i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := seed.Flush(); err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	errs := make(chan error, workers+2)
	for w := range workers {
		id := fmt.Sprintf("upload-%d", w)
		if err := db.SaveUpload(ctx, sampleUpload("p", id, id)); err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			for n := 1; n <= parts; n++ {
				if err := db.AddPart(ctx, id, UploadPart{Number: n, Size: 1, ETag: "e", Chain: block(byte(n))}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 100 {
			if err := db.MarkDirty(ctx, "p", t0, fmt.Sprintf("d%d", i%10)); err != nil {
				errs <- err
				return
			}
		}
	})
	wg.Go(func() {
		b := db.NewBaseBatch(ctx, 50)
		for i := range 1000 {
			if err := b.Put(sampleBase("other", fmt.Sprintf("o%05d", i), i)); err != nil {
				errs <- err
				return
			}
		}
		if err := b.Flush(); err != nil {
			errs <- err
		}
	})

	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	// Iterate until the writers are done, and once more after that.
	for pass, finished := 0, false; !finished; pass++ {
		select {
		case <-done:
			finished = true
		default:
		}
		var paths []string
		for e, err := range db.Base(ctx, "planner") {
			if err != nil {
				t.Fatal(err)
			}
			paths = append(paths, e.Path)
		}
		if len(paths) != seeded || !slices.IsSorted(paths) {
			t.Fatalf("pass %d: %d paths, sorted %v", pass, len(paths), slices.IsSorted(paths))
		}
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	for w := range workers {
		u, err := db.UploadFor(ctx, "p", fmt.Sprintf("upload-%d", w))
		if err != nil || u == nil || len(u.Parts) != parts {
			t.Fatalf("worker %d: upload %+v, %v", w, u, err)
		}
	}
	if n, _ := db.CountBase(ctx, "other"); n != 1000 {
		t.Fatalf("CountBase(other) = %d, want 1000", n)
	}
	if n, _, _ := db.DirtyStats(ctx, "p"); n != 10 {
		t.Fatalf("dirty = %d, want 10", n)
	}
}
