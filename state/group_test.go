package state

import (
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// Writes made while a transaction commits share the next one; a write that
// fails there is rolled back alone and the others are committed.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	insert := func(path string) func(*sql.Tx) error {
		return func(tx *sql.Tx) error {
			_, err := tx.Exec(`INSERT INTO intents (pair, path, object_key, md5, local_size, local_mtime, local_ctime,
				local_inode, multipart, created) VALUES ('p', ?, 'k', 'm', 0, 0, 0, 0, 0, 0)`, path)
			return err
		}
	}
	hold, held := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { // the leader, held inside its transaction
		if err := db.update(ctx, func(tx *sql.Tx) error {
			close(held)
			<-hold
			return insert("a")(tx)
		}); err != nil {
			t.Error(err)
		}
	})
	<-held
	boom := errors.New("boom")
	errs := make([]error, 3)
	for i, fn := range []func(*sql.Tx) error{
		insert("b"),
		func(tx *sql.Tx) error { insert("c")(tx); return boom },
		insert("d"),
	} {
		wg.Go(func() { errs[i] = db.update(ctx, fn) })
	}
	for deadline := time.Now().Add(5 * time.Second); ; {
		db.commits.mu.Lock()
		n := len(db.commits.queue)
		db.commits.mu.Unlock()
		if n == 3 || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	close(hold)
	wg.Wait()
	if errs[0] != nil || !errors.Is(errs[1], boom) || errs[2] != nil {
		t.Fatalf("errors %v, want only the second to fail", errs)
	}
	var got []string
	for in, err := range db.Intents(ctx, "p") {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, in.Path)
	}
	if fmt.Sprint(got) != "[a b d]" {
		t.Errorf("rows %v, want a, b and d", got)
	}
}

// Many writers at once all get their writes committed.
func TestGroupCommitManyWriters(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for i := range 50 {
				path := fmt.Sprintf("w%02d/f%02d", w, i)
				if err := db.SaveIntent(ctx, Intent{Pair: "p", Path: path, Key: path, MD5: "m"}); err != nil {
					t.Error(err)
					return
				}
				if err := db.PutBase(ctx, BaseEntry{Pair: "p", Path: path, MD5: "m", RemoteKey: path}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	n := 0
	for _, err := range db.Base(ctx, "p") {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	left := 0
	for range db.Intents(ctx, "p") {
		left++
	}
	if n != 800 || left != 0 {
		t.Errorf("%d base entries and %d intents, want 800 and 0", n, left)
	}
}

// BenchmarkUploadRecords is the state database's work per uploaded file:
// an intent, then the base entry, from 16 workers at once.
func BenchmarkUploadRecords(b *testing.B) {
	db := openTest(b)
	ctx := b.Context()
	var mu sync.Mutex
	n := 0
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			mu.Lock()
			n++
			path := fmt.Sprintf("f%07d", n)
			mu.Unlock()
			if err := db.SaveIntent(ctx, Intent{Pair: "p", Path: path, Key: path, MD5: "m"}); err != nil {
				b.Error(err)
			}
			if err := db.PutBase(ctx, BaseEntry{Pair: "p", Path: path, MD5: "m", RemoteKey: path}); err != nil {
				b.Error(err)
			}
		}
	})
}
