package state

import (
	"testing"
)

func TestFolderIdentity(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	if _, ok, err := db.FolderIdentity(ctx, "p"); err != nil || ok {
		t.Fatalf("before any record: ok %v, err %v", ok, err)
	}
	now := t0
	for _, id := range []string{"dev 1 inode 2", "dev 3 inode 4"} {
		if err := db.SetFolderIdentity(ctx, "p", id, now); err != nil {
			t.Fatal(err)
		}
		if got, ok, err := db.FolderIdentity(ctx, "p"); err != nil || !ok || got != id {
			t.Fatalf("after recording %q: %q, %v, %v", id, got, ok, err)
		}
	}
	if _, ok, _ := db.FolderIdentity(ctx, "other"); ok {
		t.Error("another pair has the identity of p")
	}
	if err := db.SetFolderIdentity(ctx, "p", "", now); err == nil {
		t.Error("an empty identity was recorded")
	}
}
