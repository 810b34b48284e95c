package state

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// openTest opens a fresh state database under t.TempDir and closes it when
// the test ends.
func openTest(t testing.TB) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return db
}

// t0 is a fixed instant that the tests measure time from.
var t0 = time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC)

// sampleBase returns a base entry with every field set and derived from i.
func sampleBase(pair, path string, i int) BaseEntry {
	return BaseEntry{
		Pair:         pair,
		Path:         path,
		LocalSize:    int64(1000 + i),
		LocalMTime:   t0.UnixNano() + int64(i),
		LocalCTime:   t0.UnixNano() + int64(2*i),
		LocalInode:   uint64(1<<63) + uint64(i), // high bit set: must survive signed storage
		MD5:          fmt.Sprintf("%032x", i),
		RemoteKey:    "prefix/" + path,
		RemoteSize:   int64(1016 + i),
		ETag:         fmt.Sprintf(`"%032x"`, i+1),
		StorageClass: "STANDARD_IA",
		Encrypted:    i%2 == 1,
		RemoteMTime:  t0.UnixNano() - int64(i),
		SyncedAt:     t0.Add(time.Duration(i) * time.Second),
	}
}

// sameBase reports whether two base entries are equal, comparing times as
// instants.
func sameBase(a, b BaseEntry) bool {
	if !a.SyncedAt.Equal(b.SyncedAt) {
		return false
	}
	a.SyncedAt, b.SyncedAt = time.Time{}, time.Time{}
	return a == b
}

// collect drains a sequence, failing the test on its error.
func collect[T any](t testing.TB, seq func(func(T, error) bool)) []T {
	t.Helper()
	var out []T
	for v, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}
