package state

import (
	"path/filepath"
	"testing"
	"time"
)

func TestDownloadCheckpoints(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	d := Download{Pair: "p", Path: "big/file.bin", Temp: "big/.ks3sync-tmp-123", Key: "pre/big/file.bin",
		ETag: "e-3", Size: 96 << 20, Encrypted: true, Written: 32 << 20, Created: time.Unix(1700000000, 5)}
	if got, err := db.DownloadFor(ctx, "p", d.Path); err != nil || got != nil {
		t.Fatalf("before saving: %+v, %v", got, err)
	}
	if err := db.SaveDownload(ctx, d); err != nil {
		t.Fatal(err)
	}
	d.Written = 64 << 20
	if err := db.SaveDownload(ctx, d); err != nil { // a later checkpoint replaces it
		t.Fatal(err)
	}
	other := Download{Pair: "p", Path: "a.bin", Temp: ".ks3sync-tmp-9", Key: "a.bin", ETag: "x", Size: 1}
	if err := db.SaveDownload(ctx, other); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveDownload(ctx, Download{Pair: "q", Path: "a.bin", Temp: "t", Key: "k", ETag: "e"}); err != nil {
		t.Fatal(err)
	}
	got, err := db.DownloadFor(ctx, "p", d.Path)
	if err != nil || got == nil || *got != d {
		t.Fatalf("DownloadFor = %+v, %v; want %+v", got, err, d)
	}
	var paths []string
	for dl, err := range db.Downloads(ctx, "p") {
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, dl.Path)
	}
	if len(paths) != 2 || paths[0] != "a.bin" || paths[1] != d.Path {
		t.Errorf("Downloads(p) = %q", paths)
	}
	if err := db.DeleteDownload(ctx, "p", d.Path); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteDownload(ctx, "p", d.Path); err != nil {
		t.Errorf("deleting twice: %v", err)
	}
	if got, _ := db.DownloadFor(ctx, "p", d.Path); got != nil {
		t.Errorf("deleted checkpoint still there: %+v", got)
	}
	if err := db.SaveDownload(ctx, Download{Pair: "p", Path: "x"}); err == nil {
		t.Error("a checkpoint without temp, key and etag was saved")
	}
}

func TestDownloadCheckpointsSurviveReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	d := Download{Pair: "p", Path: "f", Temp: ".ks3sync-tmp-1", Key: "f", ETag: "e", Size: 10, Written: 4}
	if err := db.SaveDownload(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if db, err = Open(path); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got, err := db.DownloadFor(t.Context(), "p", "f"); err != nil || got == nil || got.Written != 4 {
		t.Errorf("after reopening: %+v, %v", got, err)
	}
}
