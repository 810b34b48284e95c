package localfs

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"

	"github.com/ks3sync/ks3sync/names"
)

// NameRules returns the file name rules of the folder root: with force set
// ("windows", "darwin" or "linux", a way for tests to get another system's
// rules), that system's usual rules; otherwise what ProbeNames finds. On
// Windows the Windows rules always apply, forced or not, since no NTFS
// folder can hold the names they map.
func NameRules(root, force string) (names.Policy, error) {
	if force == "" {
		return ProbeNames(root)
	}
	p, err := names.Named(force)
	if err != nil {
		return names.ForOS(runtime.GOOS), err
	}
	p.Windows = p.Windows || runtime.GOOS == "windows"
	return p, nil
}

// ProbeNames returns the file name rules of the folder root: the usual ones
// of this system (names.ForOS), refined by creating and looking up a few
// files in root, named with TempPrefix and removed at once. It finds out
// whether names that differ only in letter case or only in Unicode
// normalization are one file there, and, off Windows, whether the
// filesystem refuses the characters Windows forbids, as FAT and exFAT
// mounts do, in which case the Windows rules apply. When root cannot be
// written, the usual rules come back with the error.
func ProbeNames(root string) (names.Policy, error) {
	p, err := probeNames(dirProbe(root), runtime.GOOS)
	if err != nil {
		return p, fmt.Errorf("probe file names in %s: %w", root, err)
	}
	return p, nil
}

// probeFS is the little a probe does in a folder.
type probeFS interface {
	// create makes an empty file; it fails if name exists or is refused.
	create(name string) error
	// exists reports whether name is there; a false answer is no error.
	exists(name string) (bool, error)
	remove(name string)
}

// probeNames probes fsys for the rules of a folder on system goos.
func probeNames(fsys probeFS, goos string) (names.Policy, error) {
	p := names.ForOS(goos)
	stem := TempPrefix + "probe-" + strconv.FormatUint(rand.Uint64(), 36) + "-"
	first := stem + "A\u00e9" // "A" and "é" in NFC
	if err := fsys.create(first); err != nil {
		return p, err
	}
	defer fsys.remove(first)
	if same, err := fsys.exists(stem + "a\u00e9"); err == nil {
		p.CaseInsensitive = same
	}
	if same, err := fsys.exists(stem + "Ae\u0301"); err == nil { // "é" in NFD
		p.NormalizationInsensitive = same
	}
	if goos != "windows" { // on NTFS a colon would name a stream of "probe-a"
		colon := stem + "a:b"
		if err := fsys.create(colon); err != nil {
			p.Windows = true
		} else {
			fsys.remove(colon)
		}
	}
	return p, nil
}

// dirProbe probes a folder on disk.
type dirProbe string

var _ probeFS = dirProbe("")

func (d dirProbe) create(name string) error {
	f, err := os.OpenFile(filepath.Join(string(d), name), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	return f.Close()
}

func (d dirProbe) exists(name string) (bool, error) {
	_, err := os.Lstat(filepath.Join(string(d), name))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	}
	return false, err
}

func (d dirProbe) remove(name string) { os.Remove(filepath.Join(string(d), name)) }
