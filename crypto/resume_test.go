package crypto_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
)

// TestResumeFromChain interrupts an encrypted multipart upload after every
// part k, saves the chain value as a checkpoint would (hex text), and
// encrypts parts k+1.. in a fresh EncryptPart from that value: the bytes must
// be those of the uninterrupted run.
func TestResumeFromChain(t *testing.T) {
	key := ks3crypto.Key([]byte("resume key 16 by"))
	iv := [16]byte{9, 8, 7, 6, 5, 4, 3, 2, 1}
	partSize := ks3crypto.ChunkSize + 48
	plain := patterned(4*partSize + 37)
	src := writeTemp(t, plain)
	parts := fixedParts(partSize)(len(plain))

	var bodies [][]byte
	var chains []string
	prev := iv
	for i, n := range parts {
		off := int64(i * partSize)
		p, err := ks3crypto.EncryptPart(key, prev, i == 0, i == len(parts)-1, io.NewSectionReader(src, off, int64(n)))
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		if prev, err = p.Chain(); err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, body)
		chains = append(chains, hex.EncodeToString(prev[:]))
	}
	if !bytes.Equal(bytes.Join(bodies, nil), reference(t, key, iv, plain)) {
		t.Fatal("uninterrupted run differs from reference")
	}

	for k := 1; k < len(parts); k++ {
		prev := mustIV(t, chains[k-1])
		for i := k; i < len(parts); i++ {
			off := int64(i * partSize)
			p, err := ks3crypto.EncryptPart(key, prev, false, i == len(parts)-1, io.NewSectionReader(src, off, int64(parts[i])))
			if err != nil {
				t.Fatal(err)
			}
			body, err := readWith(p)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(body, bodies[i]) {
				t.Fatalf("resumed after part %d: part %d differs", k, i+1)
			}
			if prev, err = p.Chain(); err != nil || hex.EncodeToString(prev[:]) != chains[i] {
				t.Fatalf("resumed after part %d: chain after part %d = %x, %v; want %s", k, i+1, prev, err, chains[i])
			}
		}
	}
}

func writeTemp(t *testing.T, data []byte) *os.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plain")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// TestPartReplay checks that Seek(0, io.SeekStart) replays identical bytes
// after a full read, after a partial read and after a size probe, and that
// Chain is only available once the part has been read to the end.
func TestPartReplay(t *testing.T) {
	key := ks3crypto.Key([]byte("replay key 16 by"))
	iv := [16]byte{0xfe}
	plain := patterned(3*ks3crypto.ChunkSize + 11)
	want, wantChain := encryptPart(t, key, iv, true, true, plain)

	p, err := ks3crypto.EncryptPart(key, iv, true, true, section(plain))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Chain(); err == nil {
		t.Error("Chain before reading succeeded")
	}
	if size, err := p.Seek(0, io.SeekEnd); err != nil || size != int64(len(want)) {
		t.Fatalf("Seek(0, SeekEnd) = %d, %v; want %d", size, err, len(want))
	}
	if n, err := p.Read(make([]byte, 10)); n != 0 || err != io.EOF {
		t.Errorf("Read at end = %d, %v; want 0, EOF", n, err)
	}
	if _, err := p.Chain(); err == nil {
		t.Error("Chain after a size probe (nothing encrypted) succeeded")
	}
	for _, partial := range []int{0, 1, 16, 17, ks3crypto.ChunkSize + 3, len(want)} {
		if _, err := p.Seek(0, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(p, make([]byte, partial)); err != nil {
			t.Fatal(err)
		}
		if pos, err := p.Seek(0, io.SeekCurrent); err != nil || pos != int64(partial) {
			t.Fatalf("Seek(0, SeekCurrent) = %d, %v; want %d", pos, err, partial)
		}
		if partial < len(want) {
			if _, err := p.Chain(); err == nil {
				t.Errorf("Chain after reading %d of %d bytes succeeded", partial, len(want))
			}
		}
		if _, err := p.Seek(0, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(p)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("replay after reading %d bytes differs (err %v)", partial, err)
		}
		if chain, err := p.Chain(); err != nil || chain != wantChain {
			t.Errorf("Chain after replay = %x, %v; want %x", chain, err, wantChain)
		}
	}
}

func TestPartReaderSeekErrors(t *testing.T) {
	p, err := ks3crypto.EncryptPart(vecKey, [16]byte{}, true, true, section([]byte("x")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Seek(-1, io.SeekStart); err == nil {
		t.Error("Seek to -1 succeeded")
	}
	if _, err := p.Seek(0, 7); err == nil {
		t.Error("Seek with whence 7 succeeded")
	}
}

func TestEncryptPartErrors(t *testing.T) {
	if _, err := ks3crypto.EncryptPart(vecKey, [16]byte{}, true, false, section(make([]byte, 17))); err == nil {
		t.Error("a non-last part of 17 bytes was accepted")
	}
	if _, err := ks3crypto.EncryptPart(vecKey, [16]byte{}, true, true, nil); err == nil {
		t.Error("a nil plaintext was accepted")
	}
	// A source that is shorter than its section claims (a truncated file).
	short := io.NewSectionReader(bytes.NewReader(make([]byte, 40)), 0, 64)
	p, err := ks3crypto.EncryptPart(vecKey, [16]byte{}, true, true, short)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(p); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("reading a truncated source: %v, want io.ErrUnexpectedEOF", err)
	}
}

// TestPartChainFromAnotherGoroutine reads the part in one goroutine and asks
// for the chain in another, as an uploader does while net/http's writer
// goroutine may still hold the body; run with -race.
func TestPartChainFromAnotherGoroutine(t *testing.T) {
	plain := patterned(4 * ks3crypto.ChunkSize)
	want, wantChain := encryptPart(t, vecKey, [16]byte{}, true, false, plain)
	p, err := ks3crypto.EncryptPart(vecKey, [16]byte{}, true, false, section(plain))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan []byte)
	go func() {
		body, _ := io.ReadAll(p)
		done <- body
	}()
	for {
		chain, err := p.Chain()
		if err == nil {
			if chain != wantChain {
				t.Errorf("Chain = %x, want %x", chain, wantChain)
			}
			break
		}
		runtime.Gosched()
	}
	if body := <-done; !bytes.Equal(body, want) {
		t.Error("body read concurrently with Chain differs")
	}
}
