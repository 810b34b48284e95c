package state

import (
	"testing"
	"time"
)

func intentsOf(t *testing.T, db *DB, pair string) []Intent {
	t.Helper()
	var out []Intent
	for in, err := range db.Intents(t.Context(), pair) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, in)
	}
	return out
}

// An intent stays until the base of its path is written or deleted, and
// a reset of the pair forgets it.
func TestIntents(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	a := Intent{Pair: "p", Path: "a.txt", Key: "pre/a.txt", MD5: "0cc175b9c0f1b6a831c399e269772661",
		LocalSize: 1, LocalMTime: 7, LocalCTime: 8, LocalInode: 1 << 63, Multipart: true, Created: time.Unix(1700000000, 9)}
	b := Intent{Pair: "p", Path: "b.txt", Key: "pre/b.txt", MD5: "92eb5ffee6ae2fec3ad71c777531578f", Created: time.Unix(1700000001, 0)}
	for _, in := range []Intent{a, b, {Pair: "q", Path: "a.txt", Key: "k", MD5: "m"}} {
		if err := db.SaveIntent(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SaveIntent(ctx, Intent{Pair: "p", Path: "c.txt"}); err == nil {
		t.Error("an intent without key and md5 was saved")
	}
	if got := intentsOf(t, db, "p"); len(got) != 2 || got[0] != a || got[1] != b {
		t.Fatalf("Intents = %+v, want %+v and %+v", got, a, b)
	}
	if err := db.PutBase(ctx, BaseEntry{Pair: "p", Path: "a.txt", MD5: a.MD5}); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteBase(ctx, "p", "b.txt"); err != nil {
		t.Fatal(err)
	}
	if got := intentsOf(t, db, "p"); len(got) != 0 {
		t.Errorf("intents left after their base was written: %+v", got)
	}
	if err := db.ResetPair(ctx, "q"); err != nil {
		t.Fatal(err)
	}
	if got := intentsOf(t, db, "q"); len(got) != 0 {
		t.Errorf("intents left after a reset: %+v", got)
	}
}

// A download's intent keeps the object it copies, and is refused without
// its ETag or as a multipart upload.
func TestDownloadIntent(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	d := Intent{Pair: "p", Path: "d.bin", Key: "pre/d.bin", MD5: "0cc175b9c0f1b6a831c399e269772661",
		LocalSize: 1, LocalMTime: 7, LocalInode: 42, Download: true, ETag: `"e1"`, RemoteSize: 33,
		StorageClass: "STANDARD_IA", Encrypted: true, Created: time.Unix(1700000000, 0)}
	if err := db.SaveIntent(ctx, d); err != nil {
		t.Fatal(err)
	}
	if got := intentsOf(t, db, "p"); len(got) != 1 || got[0] != d {
		t.Fatalf("Intents = %+v, want %+v", got, d)
	}
	for _, bad := range []Intent{
		{Pair: "p", Path: "e", Key: "k", MD5: "m", Download: true},
		{Pair: "p", Path: "e", Key: "k", MD5: "m", Download: true, ETag: "x", Multipart: true},
	} {
		if err := db.SaveIntent(ctx, bad); err == nil {
			t.Errorf("SaveIntent(%+v) succeeded", bad)
		}
	}
}
