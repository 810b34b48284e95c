package syncer

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"testing"

	"github.com/ks3sync/ks3sync/ks3"
)

// countingReaderAt counts the bytes read through it.
type countingReaderAt struct {
	r    io.ReaderAt
	read int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.read += int64(n)
	return n, err
}

func TestHashPartsMatchesSeparateHashes(t *testing.T) {
	for _, tt := range []struct {
		name           string
		size, partSize int64
	}{
		{"parts smaller than a chunk", 3*hashChunk + 12345, 5 << 20},
		{"parts not aligned to chunks", 11<<20 + 7, 5<<20 + 3},
		{"one part", 5 << 20, 5 << 20},
		{"last part one byte", 10<<20 + 1, 5 << 20},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := randomBytes(uint64(tt.size), int(tt.size))
			plan, err := ks3.PlanParts(tt.size, tt.partSize)
			if err != nil {
				t.Fatal(err)
			}
			r := &countingReaderAt{r: bytes.NewReader(data)}
			got, err := hashParts(t.Context(), r, tt.size, plan)
			if err != nil {
				t.Fatal(err)
			}
			if r.read != tt.size {
				t.Errorf("read %d bytes of a %d-byte file, want each once", r.read, tt.size)
			}
			if want := md5.Sum(data); got.whole != hex.EncodeToString(want[:]) {
				t.Errorf("whole = %s, want %x", got.whole, want)
			}
			if len(got.parts) != plan.Count {
				t.Fatalf("%d part sums, want %d", len(got.parts), plan.Count)
			}
			for n := 1; n <= plan.Count; n++ {
				off, length := plan.Part(n)
				if want := md5.Sum(data[off : off+length]); got.parts[n-1] != want {
					t.Errorf("part %d = %x, want %x", n, got.parts[n-1], want)
				}
			}
		})
	}
}

func TestHashPartsShortFile(t *testing.T) {
	data := randomBytes(3, 6<<20)
	plan, err := ks3.PlanParts(8<<20, 5<<20)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hashParts(t.Context(), bytes.NewReader(data), 8<<20, plan); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v, want unexpected EOF for a file shorter than its size", err)
	}
}

func TestHashPartsCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	plan, err := ks3.PlanParts(8<<20, 5<<20)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hashParts(ctx, bytes.NewReader(make([]byte, 8<<20)), 8<<20, plan); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// Plain multipart parts carry their Content-MD5, and the file is read once
// for the whole-file MD5 and the parts' sums together.
func TestPlainPartsCarryContentMD5(t *testing.T) {
	f := newFixture(t)
	data := randomBytes(7, 1<<20+3)
	f.write(t, "big.bin", data)
	s := f.syncer(t, nil)
	res, err := s.Run(t.Context(), "run")
	if err != nil || res.Counts.Uploaded != 1 {
		t.Fatalf("run: %+v, %v", res.Counts, err)
	}
	o := f.store.objects["pre/big.bin"]
	if !bytes.Equal(o.data, data) {
		t.Fatal("object differs from the file")
	}
	if f.store.partsWithMD5 != f.store.partCalls || f.store.partCalls != 11 {
		t.Errorf("%d of %d parts carried Content-MD5, want all 11", f.store.partsWithMD5, f.store.partCalls)
	}
	if want := md5.Sum(data); o.info.Metadata["md5"] != hex.EncodeToString(want[:]) {
		t.Errorf("md5 metadata = %q, want %x", o.info.Metadata["md5"], want)
	}
}
