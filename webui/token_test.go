package webui_test

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/ks3sync/ks3sync/webui"
)

// The token is made once, beside the state database, readable by its
// owner only, and the same for every later reader, even two at once.
func TestTokenFile(t *testing.T) {
	path := webui.TokenFileFor(filepath.Join(t.TempDir(), "state", "state.db"))
	if !strings.HasSuffix(path, "state.db.http-token") {
		t.Fatalf("token file %s", path)
	}
	tokens := make([]string, 4)
	var wg sync.WaitGroup
	for i := range tokens {
		wg.Go(func() {
			tok, err := webui.LoadOrCreateToken(path)
			if err != nil {
				t.Error(err)
			}
			tokens[i] = tok
		})
	}
	wg.Wait()
	for _, tok := range tokens {
		if tok != tokens[0] || len(tok) != 43 {
			t.Fatalf("tokens %q, want one of 43 characters", tokens)
		}
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm() != 0o600 {
		t.Fatalf("token file mode %04o, want 0600", info.Mode().Perm())
	}
	if again, err := webui.LoadOrCreateToken(path); err != nil || again != tokens[0] {
		t.Fatalf("read again: %q, %v", again, err)
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*.tmp*"))
	if len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

// A token file others can read, or that holds no token, is refused with
// what to do.
func TestTokenFileRefused(t *testing.T) {
	dir := t.TempDir()
	if runtime.GOOS != "windows" {
		open := filepath.Join(dir, "open")
		os.WriteFile(open, []byte("0123456789abcdef0123\n"), 0o644)
		if _, err := webui.LoadOrCreateToken(open); err == nil || !strings.Contains(err.Error(), "chmod 600 "+open) {
			t.Errorf("a readable token file: %v", err)
		}
	}
	bad := filepath.Join(dir, "bad")
	os.WriteFile(bad, []byte("short\n"), 0o600)
	if _, err := webui.LoadOrCreateToken(bad); err == nil || !strings.Contains(err.Error(), "delete it") {
		t.Errorf("a damaged token file: %v", err)
	}
}
