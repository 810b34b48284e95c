package webui

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
)

// tokenBytes is the entropy of a generated token.
const tokenBytes = 32

// tokenForm is what a token file may hold: at least 16 characters of
// base64, URL-safe base64 or hex.
var tokenForm = regexp.MustCompile(`^[A-Za-z0-9._~+/=-]{16,}$`)

// TokenFileFor returns where a daemon using the state database at statePath
// keeps its generated token: beside it.
func TokenFileFor(statePath string) string { return statePath + ".http-token" }

// LoadOrCreateToken returns the token kept at path, first creating it
// (random, URL-safe, readable by its owner only) when there is none. Two
// processes creating it at once end up with the same token. A token file
// that others may read is refused: the token authorises actions.
func LoadOrCreateToken(path string) (string, error) {
	t, err := readToken(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return t, err
	}
	if err := createToken(path); err != nil {
		return "", fmt.Errorf("create token file %s: %w", path, err)
	}
	return readToken(path)
}

// readToken reads and checks a token file.
func readToken(path string) (string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if perm := info.Mode().Perm(); runtime.GOOS != "windows" && perm&0o077 != 0 {
		return "", fmt.Errorf("token file %s can be read by others (mode %04o): run chmod 600 %s", path, perm, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	t := strings.TrimSpace(string(b))
	if !tokenForm.MatchString(t) {
		return "", fmt.Errorf("token file %s does not hold a token: delete it and a new one is made", path)
	}
	return t, nil
}

// createToken writes a new token to a temporary file and links it into
// place, so that a reader never sees half a token and an existing token
// is never replaced.
func createToken(path string) error {
	buf := make([]byte, tokenBytes)
	if _, err := rand.Read(buf); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".tmp*") // mode 0600
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(base64.RawURLEncoding.EncodeToString(buf) + "\n"); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return nil
}
