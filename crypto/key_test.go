package crypto_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
)

func TestParseKey(t *testing.T) {
	const raw = "0123456789abcdef"
	tests := []struct {
		name    string
		data    string
		want    string
		wantErr string // substring; empty: success
	}{
		{"exact", raw, raw, ""},
		{"trailing newline", raw + "\n", raw, ""},
		{"CRLF", raw + "\r\n", raw, ""},
		{"all six whitespace both ends", " \t\n\r\x0b\x0c" + raw + "\x0c\x0b\r\n\t ", raw, ""},
		{"inner whitespace kept", "0123456 89abcdef", "0123456 89abcdef", ""},
		{"binary", "\x00\x01\x02\x03\x04\x05\x06\x07\x08\xff\xfe\xfd\xfc\xfb\xfa\xf9", "\x00\x01\x02\x03\x04\x05\x06\x07\x08\xff\xfe\xfd\xfc\xfb\xfa\xf9", ""},
		{"NUL is not whitespace", raw[:15] + "\x00", raw[:15] + "\x00", ""},
		{"short", raw[:15], "", `key file "k.key": 15 bytes`},
		{"long", raw + "x", "", `key file "k.key": 17 bytes`},
		{"empty", "", "", `key file "k.key": 0 bytes`},
		{"only whitespace", " \n", "", `key file "k.key": 0 bytes`},
		// 16 raw bytes whose last byte is whitespace: the SDK trims it too.
		{"whitespace edge byte", raw[:15] + "\n", "", `key file "k.key": 15 bytes`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ks3crypto.ParseKey([]byte(tt.data), "k.key")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ks3crypto.ErrInvalidKey) {
					t.Fatalf("ParseKey error = %v, want one containing %q and wrapping ErrInvalidKey", err, tt.wantErr)
				}
				return
			}
			if err != nil || string(k[:]) != tt.want {
				t.Fatalf("ParseKey = %q, %v; want %q", k[:], err, tt.want)
			}
		})
	}
}

func TestLoadKey(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	if err := os.WriteFile(good, []byte("0123456789abcdef\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := ks3crypto.LoadKey(good)
	if err != nil || k != vecKey {
		t.Fatalf("LoadKey = %v, %v", k, err)
	}

	bad := filepath.Join(dir, "bad")
	if err := os.WriteFile(bad, []byte("short key"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = ks3crypto.LoadKey(bad)
	if err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "9 bytes") {
		t.Errorf("LoadKey(short) error = %v, want the path and the length", err)
	}

	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, 1<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ks3crypto.LoadKey(big); !errors.Is(err, ks3crypto.ErrInvalidKey) || !strings.Contains(err.Error(), big) {
		t.Errorf("LoadKey(1 MiB) error = %v", err)
	}

	if _, err := ks3crypto.LoadKey(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LoadKey(missing) error = %v, want fs.ErrNotExist", err)
	}
}

// whitespaceHeavy is a deterministic random source in which half the bytes
// are key whitespace.
type whitespaceHeavy struct{ r *rand.Rand }

func (w whitespaceHeavy) Read(p []byte) (int, error) {
	const ws = " \t\n\r\x0b\x0c"
	for i := range p {
		if w.r.IntN(2) == 0 {
			p[i] = ws[w.r.IntN(len(ws))]
		} else {
			p[i] = byte(w.r.Uint32())
		}
	}
	return len(p), nil
}

func TestGenerateKeyNeverWhitespaceEdged(t *testing.T) {
	src := whitespaceHeavy{rand.New(rand.NewPCG(1, 2))}
	seen := make(map[ks3crypto.Key]bool)
	for range 5000 {
		k, err := ks3crypto.GenerateKey(src)
		if err != nil {
			t.Fatal(err)
		}
		if strings.ContainsRune(" \t\n\r\x0b\x0c", rune(k[0])) || strings.ContainsRune(" \t\n\r\x0b\x0c", rune(k[15])) {
			t.Fatalf("generated key %x has a whitespace edge", k[:])
		}
		if back, err := ks3crypto.ParseKey(k[:], "generated"); err != nil || back != k {
			t.Fatalf("generated key %x does not load back: %v", k[:], err)
		}
		seen[k] = true
	}
	if len(seen) < 4990 {
		t.Errorf("only %d distinct keys in 5000", len(seen))
	}
}

func TestGenerateKeyErrors(t *testing.T) {
	if _, err := ks3crypto.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{' '}, 1<<16))); err == nil {
		t.Error("a source of spaces produced a key")
	}
	failing := errors.New("entropy exhausted")
	if _, err := ks3crypto.GenerateKey(failingSource(failing)); !errors.Is(err, failing) {
		t.Errorf("GenerateKey(failing source) = %v", err)
	}
	a, errA := ks3crypto.GenerateKey(nil)
	b, errB := ks3crypto.GenerateKey(nil)
	if errA != nil || errB != nil || a == b {
		t.Errorf("GenerateKey(nil) twice = %v, %v (equal: %v)", errA, errB, a == b)
	}
}

func failingSource(err error) io.Reader {
	return io.MultiReader(bytes.NewReader([]byte{1, 2, 3}), errReader{err})
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func TestWriteKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key")
	if err := ks3crypto.WriteKeyFile(path, nil); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", info.Mode().Perm())
	}
	if info.Size() != 16 {
		t.Errorf("key file is %d bytes, want 16 raw bytes", info.Size())
	}
	k, err := ks3crypto.LoadKey(path)
	if err != nil {
		t.Fatal(err)
	}

	err = ks3crypto.WriteKeyFile(path, nil)
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second WriteKeyFile error = %v, want fs.ErrExist", err)
	}
	if again, err := ks3crypto.LoadKey(path); err != nil || again != k {
		t.Error("refused overwrite changed the key file")
	}
}

func TestKeyDoesNotPrint(t *testing.T) {
	k := ks3crypto.Key([]byte("SECRETSECRET1234"))
	for _, format := range []string{"%v", "%s", "%q", "%x", "%X", "%#v", "%+v"} {
		out := fmt.Sprintf(format, k)
		if strings.Contains(out, "SECRET") || strings.Contains(strings.ToLower(out), "5345435245") {
			t.Errorf("Sprintf(%q, key) = %q reveals the key", format, out)
		}
	}
}
