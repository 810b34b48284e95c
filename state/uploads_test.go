package state

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

// block returns a 16-byte value filled with b.
func block(b byte) []byte { return bytes.Repeat([]byte{b}, 16) }

func sampleUpload(pair, path, id string) Upload {
	return Upload{
		Pair: pair, Path: path, Key: "prefix/" + path, Bucket: "bucket", UploadID: id,
		Size: 3 << 20, MTime: t0.UnixNano(), Inode: 1<<64 - 1,
		PartSize: 1 << 20, Encrypted: true, IV: block(0xAA), Created: t0,
	}
}

func partNumbers(u *Upload) []int {
	var out []int
	for _, p := range u.Parts {
		out = append(out, p.Number)
	}
	return out
}

func TestUploadCheckpoint(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	want := sampleUpload("p", "big.iso", "id-1")
	if err := db.SaveUpload(ctx, want); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{3, 1, 2} {
		p := UploadPart{Number: n, Size: 1 << 20, ETag: fmt.Sprintf(`"etag-%d"`, n), Chain: block(byte(n))}
		if err := db.AddPart(ctx, want.UploadID, p); err != nil {
			t.Fatal(err)
		}
	}
	// Replacing part 2, and saving the upload again, keeps the other parts.
	if err := db.AddPart(ctx, want.UploadID, UploadPart{Number: 2, Size: 7, ETag: "new", Chain: block(9)}); err != nil {
		t.Fatal(err)
	}
	want.Key = "prefix/renamed"
	if err := db.SaveUpload(ctx, want); err != nil {
		t.Fatal(err)
	}

	got, err := db.UploadFor(ctx, "p", "big.iso")
	if err != nil || got == nil {
		t.Fatalf("UploadFor = %v, %v", got, err)
	}
	if !slices.Equal(partNumbers(got), []int{1, 2, 3}) {
		t.Fatalf("parts %v, want [1 2 3]", partNumbers(got))
	}
	if p := got.Parts[1]; p.Size != 7 || p.ETag != "new" || !bytes.Equal(p.Chain, block(9)) {
		t.Errorf("replaced part 2 = %+v", p)
	}
	if p := got.Parts[2]; p.ETag != `"etag-3"` || !bytes.Equal(p.Chain, block(3)) {
		t.Errorf("part 3 = %+v", p)
	}
	parts := got.Parts
	got.Parts = nil
	if !got.Created.Equal(want.Created) {
		t.Errorf("Created = %v, want %v", got.Created, want.Created)
	}
	got.Created = want.Created
	if fmt.Sprint(*got) != fmt.Sprint(want) {
		t.Errorf("upload\n got %+v\nwant %+v", *got, want)
	}
	got.Parts = parts
	if c, ok := got.LastChain(); !ok || !bytes.Equal(c, block(3)) {
		t.Errorf("LastChain = %x, %v", c, ok)
	}
}

func TestUploadUnencrypted(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	u := sampleUpload("p", "f", "plain")
	u.Encrypted, u.IV = false, nil
	if err := db.SaveUpload(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := db.AddPart(ctx, u.UploadID, UploadPart{Number: 1, Size: 1, ETag: "e"}); err != nil {
		t.Fatal(err)
	}
	got, err := db.UploadFor(ctx, "p", "f")
	if err != nil || got.Encrypted || got.IV != nil || got.Parts[0].Chain != nil {
		t.Fatalf("UploadFor = %+v, %v", got, err)
	}
}

func TestUploadValidation(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	if err := db.SaveUpload(ctx, sampleUpload("p", "f", "ok")); err != nil {
		t.Fatal(err)
	}
	bad := []struct {
		name string
		edit func(*Upload)
	}{
		{"no id", func(u *Upload) { u.UploadID = "" }},
		{"no key", func(u *Upload) { u.Key = "" }},
		{"zero part size", func(u *Upload) { u.PartSize = 0 }},
		{"short IV", func(u *Upload) { u.IV = u.IV[:8] }},
		{"IV without encryption", func(u *Upload) { u.Encrypted = false }},
	}
	for _, tt := range bad {
		u := sampleUpload("p", "g", "bad")
		tt.edit(&u)
		if err := db.SaveUpload(ctx, u); err == nil {
			t.Errorf("SaveUpload with %s succeeded", tt.name)
		}
	}
	badParts := []UploadPart{
		{Number: 0, ETag: "e"},
		{Number: 10001, ETag: "e"},
		{Number: 1, ETag: "e", Chain: []byte{1, 2, 3}},
	}
	for _, p := range badParts {
		if err := db.AddPart(ctx, "ok", p); err == nil {
			t.Errorf("AddPart(%+v) succeeded", p)
		}
	}
	err := db.AddPart(ctx, "no-such-upload", UploadPart{Number: 1, ETag: "e"})
	if !errors.Is(err, ErrUnknownUpload) {
		t.Errorf("AddPart to an unknown upload = %v, want ErrUnknownUpload", err)
	}
}

func TestUploadForNewestAndNone(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	if u, err := db.UploadFor(ctx, "p", "f"); u != nil || err != nil {
		t.Fatalf("UploadFor with no uploads = %v, %v; want nil, nil", u, err)
	}
	older, newer := sampleUpload("p", "f", "older"), sampleUpload("p", "f", "newer")
	newer.Created = t0.Add(time.Hour)
	for _, u := range []Upload{newer, older} {
		if err := db.SaveUpload(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if u, err := db.UploadFor(ctx, "p", "f"); err != nil || u.UploadID != "newer" || len(u.Parts) != 0 {
		t.Fatalf("UploadFor = %+v, %v; want the newer upload, no parts", u, err)
	}
}

func TestUploadsAndDelete(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	for i, id := range []string{"c", "a", "b"} { // c without parts, a with 1, b with 2
		u := sampleUpload("p", "f"+id, id)
		u.Created = t0.Add(time.Duration(i) * time.Minute)
		if err := db.SaveUpload(ctx, u); err != nil {
			t.Fatal(err)
		}
		for n := 1; n <= i; n++ {
			if err := db.AddPart(ctx, id, UploadPart{Number: n, Size: 1, ETag: "e", Chain: block(byte(n))}); err != nil {
				t.Fatal(err)
			}
		}
	}
	var got []string
	for _, u := range collect(t, db.Uploads(ctx)) {
		got = append(got, fmt.Sprintf("%s%v", u.UploadID, partNumbers(&u)))
	}
	if want := []string{"a[1]", "b[1 2]", "c[]"}; !slices.Equal(got, want) {
		t.Fatalf("Uploads = %q, want %q", got, want)
	}
	for _, err := range db.Uploads(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		break
	}

	if err := db.DeleteUpload(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteUpload(ctx, "never-saved"); err != nil {
		t.Fatal(err)
	}
	if u, _ := db.UploadFor(ctx, "p", "fb"); u != nil {
		t.Fatalf("deleted upload still there: %+v", u)
	}
	var parts int
	if err := db.r.QueryRow("SELECT count(*) FROM upload_parts WHERE upload_id = 'b'").Scan(&parts); err != nil || parts != 0 {
		t.Fatalf("parts of the deleted upload: %d, %v", parts, err)
	}
	if n := len(collect(t, db.Uploads(ctx))); n != 2 {
		t.Fatalf("%d uploads left, want 2", n)
	}
}

func TestLastChain(t *testing.T) {
	iv := block(0)
	tests := []struct {
		name  string
		parts []int
		want  []byte
		ok    bool
	}{
		{"no parts", nil, iv, true},
		{"contiguous", []int{1, 2, 3}, block(3), true},
		{"gap", []int{1, 3}, nil, false},
		{"missing first", []int{2}, nil, false},
	}
	for _, tt := range tests {
		u := Upload{Encrypted: true, IV: iv}
		for _, n := range tt.parts {
			u.Parts = append(u.Parts, UploadPart{Number: n, Chain: block(byte(n))})
		}
		got, ok := u.LastChain()
		if ok != tt.ok || !bytes.Equal(got, tt.want) {
			t.Errorf("%s: LastChain = %x, %v; want %x, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}
