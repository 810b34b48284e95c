package localfs

import (
	"errors"
	"io/fs"
	"slices"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/ks3sync/ks3sync/planner"
)

// simFS simulates the naming behaviour of a filesystem, written apart from
// package names so that the tests check the rules against a model instead
// of against themselves: NTFS as Win32 sees it, APFS, ext4, a FAT mount.
// It holds files by the key under which the filesystem finds a path, and
// remembers each folder's and file's name as first created.
type simFS struct {
	name            string
	goos            string
	caseInsensitive bool              // lookups ignore letter case (NTFS, APFS, FAT)
	normInsensitive bool              // lookups ignore Unicode normalization (APFS)
	windowsNames    bool              // forbids <>:"|?*\ and controls, strips trailing dots and spaces, reserves devices
	dirs            map[string]string // lookup key of a folder -> its path as created
	files           map[string]simFile
}

type simFile struct {
	path string // as created
	fp   planner.Fingerprint
}

var errSimInvalid = errors.New("invalid name") // EINVAL, or Win32's ERROR_INVALID_NAME

func newSimFS(name, goos string, ci, ni, win bool) *simFS {
	return &simFS{name: name, goos: goos, caseInsensitive: ci, normInsensitive: ni, windowsNames: win,
		dirs: map[string]string{}, files: map[string]simFile{}}
}

// simulated filesystems, one per system the name rules must serve.
func simFilesystems() []*simFS {
	return []*simFS{
		newSimFS("linux/ext4", "linux", false, false, false),
		newSimFS("windows/NTFS", "windows", true, false, true),
		newSimFS("darwin/APFS", "darwin", true, true, false),
		newSimFS("linux/vfat", "linux", true, false, true),
	}
}

// stored returns the name a segment is stored under, as the system's file
// API turns it, or an error for a name it refuses.
func (s *simFS) stored(seg string) (string, error) {
	if !s.windowsNames {
		return seg, nil
	}
	if strings.ContainsAny(seg, `<>:"|?*\`) || strings.ContainsFunc(seg, func(r rune) bool { return r < 0x20 }) {
		return "", errSimInvalid
	}
	seg = strings.TrimRight(seg, ". ") // what Win32 and the FAT driver do silently
	stem, _, _ := strings.Cut(seg, ".")
	switch strings.ToUpper(strings.TrimRight(stem, " ")) {
	case "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM9", "LPT1", "LPT9", "COM¹", "CONIN$", "CONOUT$":
		return "", errSimInvalid // opens a device, never a file
	}
	if seg == "" {
		return "", errSimInvalid
	}
	return seg, nil
}

// lookup is the key under which the filesystem finds a name.
func (s *simFS) lookup(seg string) string {
	if s.normInsensitive {
		seg = norm.NFC.String(seg)
	}
	if s.caseInsensitive {
		seg = strings.ToUpper(seg) // NTFS compares through an upcase table
	}
	return seg
}

// resolve maps a slash path to its lookup key and its stored form.
func (s *simFS) resolve(p string) (key, as string, err error) {
	var keys, segs []string
	for _, seg := range strings.Split(p, "/") {
		st, err := s.stored(seg)
		if err != nil {
			return "", "", err
		}
		keys, segs = append(keys, s.lookup(st)), append(segs, st)
	}
	return strings.Join(keys, "/"), strings.Join(segs, "/"), nil
}

// writeNew creates the file p and its folders; it fails if a file is
// already there under any spelling the filesystem takes for p.
func (s *simFS) writeNew(p string, fp planner.Fingerprint) error {
	key, as, err := s.resolve(p)
	if err != nil {
		return err
	}
	if _, ok := s.files[key]; ok {
		return fs.ErrExist
	}
	// Folders keep the spelling they were created with.
	keys, segs := strings.Split(key, "/"), strings.Split(as, "/")
	for i := 1; i < len(keys); i++ {
		dk := strings.Join(keys[:i], "/")
		if _, ok := s.dirs[dk]; !ok {
			parent := ""
			if i > 1 {
				parent = s.dirs[strings.Join(keys[:i-1], "/")] + "/"
			}
			s.dirs[dk] = parent + segs[i-1]
		}
	}
	name := segs[len(segs)-1]
	if dir := strings.Join(keys[:len(keys)-1], "/"); dir != "" {
		name = s.dirs[dir] + "/" + name
	}
	s.files[key] = simFile{path: name, fp: fp}
	return nil
}

// scan lists the files as a scan reports them: NFC paths in byte order.
func (s *simFS) scan() []planner.LocalEntry {
	var out []planner.LocalEntry
	for _, f := range s.files {
		out = append(out, planner.LocalEntry{Path: nfc(f.path), Fingerprint: f.fp})
	}
	slices.SortFunc(out, func(a, b planner.LocalEntry) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// The probe works in the folder's top level.

func (s *simFS) create(name string) error {
	return s.writeNew(name, planner.Fingerprint{})
}

func (s *simFS) exists(name string) (bool, error) {
	key, _, err := s.resolve(name)
	if err != nil {
		return false, err
	}
	_, ok := s.files[key]
	return ok, nil
}

func (s *simFS) remove(name string) {
	if key, _, err := s.resolve(name); err == nil {
		delete(s.files, key)
	}
}

var _ probeFS = (*simFS)(nil)
