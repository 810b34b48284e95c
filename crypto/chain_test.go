package crypto_test

import (
	"bytes"
	"encoding/hex"
	"io"
	"testing"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
)

// TestChainResume interrupts a chain after every part k, keeps the chain
// value as a checkpoint would (hex text), and resumes in a new Chain: the
// parts after k must be those of the uninterrupted run, whose parts joined
// are the single-PUT encryption of the whole plaintext.
func TestChainResume(t *testing.T) {
	key := ks3crypto.Key([]byte("chain key 16 byt"))
	iv := [16]byte{3, 1, 4, 1, 5, 9, 2, 6}
	partSize := ks3crypto.ChunkSize + 32
	plain := patterned(3*partSize + 5)
	sizes := fixedParts(partSize)(len(plain))

	chain := ks3crypto.NewChain(key, iv)
	var bodies [][]byte
	var saved []string
	for i, size := range sizes {
		_, p, err := chain.Next(section(plain[i*partSize:i*partSize+size]), i == len(sizes)-1)
		if err != nil {
			t.Fatal(err)
		}
		body, err := readWith(p)
		if err != nil {
			t.Fatal(err)
		}
		value, err := p.Chain()
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, body)
		saved = append(saved, hex.EncodeToString(value[:]))
	}
	if !bytes.Equal(bytes.Join(bodies, nil), reference(t, key, iv, plain)) {
		t.Fatal("the parts of the chain differ from the single-PUT encryption")
	}
	for k := 1; k <= len(sizes); k++ {
		resumed, err := ks3crypto.ResumeChain(key, k, mustIV(t, saved[k-1]))
		if err != nil {
			t.Fatal(err)
		}
		if resumed.Parts() != k {
			t.Fatalf("resumed after part %d: Parts() = %d", k, resumed.Parts())
		}
		for i := k; i < len(sizes); i++ {
			n, p, err := resumed.Next(section(plain[i*partSize:i*partSize+sizes[i]]), i == len(sizes)-1)
			if err != nil || n != i+1 {
				t.Fatalf("resumed after part %d: Next = part %d, %v; want part %d", k, n, err, i+1)
			}
			if body, err := io.ReadAll(p); err != nil || !bytes.Equal(body, bodies[i]) {
				t.Fatalf("resumed after part %d: part %d differs (%v)", k, n, err)
			}
		}
	}
}

func TestChainOrder(t *testing.T) {
	key := ks3crypto.Key([]byte("order key 16 byt"))
	chain := ks3crypto.NewChain(key, [16]byte{})
	_, first, err := chain.Next(section(make([]byte, 32)), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(first, make([]byte, 20)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := chain.Next(section(make([]byte, 16)), true); err == nil {
		t.Error("Next before the previous part was read to its end succeeded")
	}
	if _, err := io.ReadAll(first); err != nil {
		t.Fatal(err)
	}
	if _, _, err := chain.Next(section(make([]byte, 20)), false); err == nil {
		t.Error("a part that is not last and not whole blocks was accepted")
	}
	if n, _, err := chain.Next(section(make([]byte, 20)), true); err != nil || n != 2 {
		t.Fatalf("last part: %d, %v", n, err)
	}
	if _, _, err := chain.Next(section(make([]byte, 16)), true); err == nil {
		t.Error("Next after the last part succeeded")
	}
	if _, err := ks3crypto.ResumeChain(key, 0, [16]byte{}); err == nil {
		t.Error("resuming after part 0 succeeded")
	}
}

func TestAlignPartSize(t *testing.T) {
	for in, want := range map[int64]int64{0: 0, 1: 16, 16: 16, 17: 32, 8 << 20: 8 << 20, 100<<10 + 1: 100<<10 + 16} {
		if got := ks3crypto.AlignPartSize(in); got != want {
			t.Errorf("AlignPartSize(%d) = %d, want %d", in, got, want)
		}
	}
}
