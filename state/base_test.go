package state

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
)

func TestBaseRoundTrip(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	want := []BaseEntry{sampleBase("p", "a/b.txt", 1), sampleBase("p", "c", 2), {Pair: "p", Path: "zero"}}
	if err := db.PutBase(ctx, want...); err != nil {
		t.Fatal(err)
	}
	for _, w := range want {
		got, ok, err := db.GetBase(ctx, w.Pair, w.Path)
		if err != nil || !ok {
			t.Fatalf("GetBase(%q) = %v, %v", w.Path, ok, err)
		}
		if !sameBase(got, w) {
			t.Errorf("GetBase(%q)\n got %+v\nwant %+v", w.Path, got, w)
		}
	}
	if _, ok, err := db.GetBase(ctx, "p", "missing"); ok || err != nil {
		t.Errorf("GetBase(missing) = %v, %v; want false, nil", ok, err)
	}
	if _, ok, err := db.GetBase(ctx, "other", "c"); ok || err != nil {
		t.Errorf("GetBase of another pair = %v, %v; want false, nil", ok, err)
	}
}

func TestBaseOrderAndPairs(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	paths := []string{"b", "a/b", "a.b", "a", "B", "é", "e\u0301x", "a/b/c", "Z", "~", "日本"}
	var entries []BaseEntry
	for i, p := range paths {
		entries = append(entries, sampleBase("p", p, i), sampleBase("q", p+"-q", i))
	}
	if err := db.PutBase(ctx, entries...); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range collect(t, db.Base(ctx, "p")) {
		if e.Pair != "p" {
			t.Fatalf("Base(p) yielded pair %q", e.Pair)
		}
		got = append(got, e.Path)
	}
	want := slices.Clone(paths)
	slices.Sort(want) // Go compares strings by bytes, as COLLATE BINARY does
	if !slices.Equal(got, want) {
		t.Errorf("Base order\n got %q\nwant %q", got, want)
	}
	for _, pair := range []string{"p", "q"} {
		if n, err := db.CountBase(ctx, pair); err != nil || n != len(paths) {
			t.Errorf("CountBase(%q) = %d, %v; want %d", pair, n, err, len(paths))
		}
	}
	if n, err := db.CountBase(ctx, "none"); err != nil || n != 0 {
		t.Errorf("CountBase(none) = %d, %v", n, err)
	}
}

func TestPutBaseReplaces(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	if err := db.PutBase(ctx, sampleBase("p", "f", 1)); err != nil {
		t.Fatal(err)
	}
	want := sampleBase("p", "f", 7)
	if err := db.PutBase(ctx, want); err != nil {
		t.Fatal(err)
	}
	got, _, err := db.GetBase(ctx, "p", "f")
	if err != nil || !sameBase(got, want) {
		t.Fatalf("after replace: %+v, %v", got, err)
	}
	if n, _ := db.CountBase(ctx, "p"); n != 1 {
		t.Fatalf("CountBase = %d, want 1", n)
	}
}

func TestPutBaseAllOrNothing(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	err := db.PutBase(ctx, sampleBase("p", "ok", 1), BaseEntry{Pair: "p"})
	if err == nil {
		t.Fatal("PutBase with an empty path succeeded")
	}
	if n, _ := db.CountBase(ctx, "p"); n != 0 {
		t.Fatalf("CountBase = %d after a failed PutBase, want 0", n)
	}
}

func TestDeleteBase(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	if err := db.PutBase(ctx, sampleBase("p", "a", 1), sampleBase("p", "b", 2), sampleBase("q", "a", 3)); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteBase(ctx, "p", "a", "never-there"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := db.GetBase(ctx, "p", "a"); ok {
		t.Error("p/a still present")
	}
	for _, k := range [][2]string{{"p", "b"}, {"q", "a"}} {
		if _, ok, _ := db.GetBase(ctx, k[0], k[1]); !ok {
			t.Errorf("%s/%s deleted", k[0], k[1])
		}
	}
}

func TestBaseIteratorReleasesConnection(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	for i := range 10 {
		if err := db.PutBase(ctx, sampleBase("p", fmt.Sprint(i), i)); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		for _, err := range db.Base(ctx, "p") {
			if err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	if n := db.r.Stats().InUse; n != 0 {
		t.Fatalf("%d read connections still in use after breaking out of Base", n)
	}
}

func TestBaseIteratorCancelled(t *testing.T) {
	db := openTest(t)
	if err := db.PutBase(t.Context(), sampleBase("p", "a", 1), sampleBase("p", "b", 2)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var gotErr error
	for _, err := range db.Base(ctx, "p") {
		if err != nil {
			gotErr = err
			break
		}
		cancel()
	}
	if !errors.Is(gotErr, context.Canceled) {
		t.Fatalf("iteration after cancel ended with %v, want context.Canceled", gotErr)
	}
}

func TestBaseBatch(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	b := db.NewBaseBatch(ctx, 100)
	for i := range 150 {
		if err := b.Put(sampleBase("p", fmt.Sprintf("f%04d", i), i)); err != nil {
			t.Fatal(err)
		}
	}
	// The first 100 are committed, the rest wait in the buffer.
	if n, _ := db.CountBase(ctx, "p"); n != 100 || b.Pending() != 50 {
		t.Fatalf("after 150 puts: %d stored, %d pending; want 100, 50", n, b.Pending())
	}
	// Operations apply in order: a put then a delete removes, a delete then
	// a put keeps.
	steps := []func() error{
		func() error { return b.Delete("p", "f0000") },
		func() error { return b.Put(sampleBase("p", "late", 1)) },
		func() error { return b.Delete("p", "late") },
		func() error { return b.Delete("p", "f0149") },
		func() error { return b.Put(sampleBase("p", "f0149", 999)) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	if b.Pending() != 0 {
		t.Fatalf("%d pending after Flush", b.Pending())
	}
	if n, _ := db.CountBase(ctx, "p"); n != 149 {
		t.Fatalf("CountBase = %d, want 149", n)
	}
	for path, want := range map[string]bool{"f0000": false, "late": false, "f0149": true, "f0001": true} {
		if _, ok, _ := db.GetBase(ctx, "p", path); ok != want {
			t.Errorf("%s present = %v, want %v", path, ok, want)
		}
	}
	if e, _, _ := db.GetBase(ctx, "p", "f0149"); e.LocalSize != 1999 {
		t.Errorf("f0149 LocalSize = %d, want the later put's 1999", e.LocalSize)
	}
}

func TestBaseBatchRejectsEmptyPath(t *testing.T) {
	db := openTest(t)
	b := db.NewBaseBatch(t.Context(), 0)
	if err := b.Put(BaseEntry{Pair: "p"}); err == nil {
		t.Error("Put with an empty path succeeded")
	}
	if err := b.Delete("", "x"); err == nil {
		t.Error("Delete with an empty pair succeeded")
	}
	if b.Pending() != 0 {
		t.Errorf("rejected operations were buffered: %d", b.Pending())
	}
}

func TestBaseBatchKeepsOpsAfterFailedFlush(t *testing.T) {
	db := openTest(t)
	ctx, cancel := context.WithCancel(t.Context())
	b := db.NewBaseBatch(ctx, 10)
	if err := b.Put(sampleBase("p", "a", 1)); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := b.Flush(); err == nil {
		t.Fatal("Flush with a cancelled context succeeded")
	}
	if b.Pending() != 1 {
		t.Fatalf("Pending = %d after a failed Flush, want 1", b.Pending())
	}
}

func TestResetPair(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	for _, pair := range []string{"p", "q"} {
		if err := db.PutBase(ctx, sampleBase(pair, "f", 1)); err != nil {
			t.Fatal(err)
		}
		if err := db.MarkDirty(ctx, pair, t0, "f"); err != nil {
			t.Fatal(err)
		}
		u := sampleUpload(pair, "f", "up-"+pair)
		if err := db.SaveUpload(ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := db.AddPart(ctx, u.UploadID, UploadPart{Number: 1, Size: 5, ETag: "e", Chain: block(1)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.StartRun(ctx, "p", KindRun, t0); err != nil {
		t.Fatal(err)
	}

	if err := db.ResetPair(ctx, "p"); err != nil {
		t.Fatal(err)
	}

	for pair, want := range map[string]int{"p": 0, "q": 1} {
		nb, _ := db.CountBase(ctx, pair)
		nd, _, _ := db.DirtyStats(ctx, pair)
		u, _ := db.UploadFor(ctx, pair, "f")
		if nb != want || nd != want || (u != nil) != (want == 1) {
			t.Errorf("pair %s after reset: base %d, dirty %d, upload %v; want %d each", pair, nb, nd, u, want)
		}
	}
	var parts int
	if err := db.r.QueryRow("SELECT count(*) FROM upload_parts").Scan(&parts); err != nil || parts != 1 {
		t.Errorf("upload_parts rows = %d, %v; want only q's 1", parts, err)
	}
	if runs, _ := db.Runs(ctx, "p", 0); len(runs) != 1 {
		t.Errorf("ResetPair dropped run history: %d runs", len(runs))
	}
}
