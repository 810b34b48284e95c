package tool

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/ks3sync/ks3sync/watcher"
)

// normalizeKey turns a relative local path into key form: '/' separators
// and Unicode NFC, so that the same name gives the same key on every system.
func normalizeKey(rel string) string {
	return norm.NFC.String(filepath.ToSlash(rel))
}

// localPathFor maps rel, a key relative to a downloaded prefix, to a path
// under dir. Keys that would land outside dir (with "..", an absolute path,
// a drive letter, a NUL, or a backslash on Windows) are refused.
func localPathFor(dir, rel string) (string, error) {
	p := filepath.FromSlash(rel)
	switch {
	case strings.ContainsRune(rel, 0),
		runtime.GOOS == "windows" && strings.ContainsRune(rel, '\\'),
		!filepath.IsLocal(p):
		return "", fmt.Errorf("refused: key name %q would not land inside %s", rel, dir)
	}
	return filepath.Join(dir, p), nil
}

// writeFileAtomic creates or replaces the file final with what fill writes:
// into a temporary file in the same folder (named so that ks3sync's watcher
// ignores it), synced to disk, given mtime (unless zero) and renamed over
// final. When fill or any step fails, final is untouched and the temporary
// file removed. A replaced file keeps its permissions; a new one gets 0644.
func writeFileAtomic(final string, mtime time.Time, fill func(io.Writer) error) (err error) {
	mode := fs.FileMode(0o644)
	if fi, err := os.Stat(final); err == nil {
		if fi.IsDir() {
			return fmt.Errorf("%s is a folder", final)
		}
		mode = fi.Mode().Perm()
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	dir := filepath.Dir(final)
	tmp, err := os.CreateTemp(dir, watcher.TempPrefix+"*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = fill(tmp); err != nil {
		return err
	}
	if err = finishTemp(tmp, mode, mtime); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), final); err != nil {
		return err
	}
	fsyncDir(dir)
	return nil
}

// finishTemp sets the mode, syncs and closes tmp, then sets its times.
func finishTemp(tmp *os.File, mode fs.FileMode, mtime time.Time) error {
	if err := tmp.Chmod(mode); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if mtime.IsZero() {
		return nil
	}
	return os.Chtimes(tmp.Name(), mtime, mtime)
}

// fsyncDir makes a rename in dir durable where the system supports syncing
// a folder; it is best effort (Windows cannot open folders for syncing).
func fsyncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
