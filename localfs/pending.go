package localfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/ks3sync/ks3sync/planner"
)

// Pending is a file being written beside the place it is meant for: a
// temporary file (named with TempPrefix) in the destination's folder,
// which becomes the destination only when Place renames it over it. Until
// then the destination is untouched; Discard removes the temporary file.
//
// The steps are apart so that a caller can check what it wrote, and that
// the destination may still be replaced, between them: Create, Write,
// Seal (durable on disk, with its mode and mtime), Place (renamed into
// place, the rename made durable). A Pending is not safe for concurrent
// use.
type Pending struct {
	f      *os.File
	final  string
	mode   fs.FileMode
	closed bool
	placed bool
	kept   bool // left in place for Resume
	// sealed is the temporary file as Seal left it, read back from the
	// filesystem (with the mtime precision the filesystem keeps).
	sealed planner.Fingerprint
}

// Create starts a file that is to become final. A file already at final
// will keep its permissions when replaced; a new one gets NewFileMode
// (see SetMode for another). final's
// folder must exist, and final may not be a folder.
func Create(final string) (*Pending, error) {
	mode, err := destMode(final)
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(filepath.Dir(final), TempPrefix+"*")
	if err != nil {
		return nil, err
	}
	return &Pending{f: f, final: final, mode: mode}, nil
}

// Resume continues a temporary file that an earlier Pending for final left
// behind (see Keep): its first keep bytes stay, anything after them is cut
// off, and writes continue from there. temp must be a regular file with a
// temporary name in final's folder, holding at least keep bytes.
func Resume(final, temp string, keep int64) (*Pending, error) {
	if filepath.Dir(temp) != filepath.Dir(final) || !IsTemp(filepath.Base(temp)) {
		return nil, fmt.Errorf("resume %s: %s is not a temporary file beside it", final, temp)
	}
	mode, err := destMode(final)
	if err != nil {
		return nil, err
	}
	fi, err := os.Lstat(temp)
	switch {
	case err != nil:
		return nil, err
	case !fi.Mode().IsRegular() || fi.Size() < keep || keep < 0:
		return nil, fmt.Errorf("resume %s: %s is not a file of at least %d bytes", final, temp, keep)
	}
	f, err := os.OpenFile(temp, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	if err := f.Truncate(keep); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := f.Seek(keep, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	return &Pending{f: f, final: final, mode: mode}, nil
}

// destMode is the mode a file placed at final gets: that of the file it
// replaces, else NewFileMode. final may not be a folder.
func destMode(final string) (fs.FileMode, error) {
	switch fi, err := os.Stat(final); {
	case err == nil && fi.IsDir():
		return 0, fmt.Errorf("%s is a folder", final)
	case err == nil:
		return fi.Mode().Perm(), nil
	case !errors.Is(err, fs.ErrNotExist):
		return 0, err
	}
	return NewFileMode(), nil
}

// SetMode sets the permission bits the file gets when it is sealed,
// instead of those of the file it replaces or NewFileMode.
func (p *Pending) SetMode(m fs.FileMode) { p.mode = m.Perm() }

// Write writes to the temporary file.
func (p *Pending) Write(b []byte) (int, error) { return p.f.Write(b) }

// Name returns the path of the temporary file.
func (p *Pending) Name() string { return p.f.Name() }

// Sync flushes what was written so far to disk, so that a checkpoint taken
// after it survives a crash.
func (p *Pending) Sync() error { return p.f.Sync() }

// Keep closes the temporary file and leaves it in place, for Resume to
// continue later; Discard does nothing after it.
func (p *Pending) Keep() error {
	if p == nil || p.placed {
		return nil
	}
	p.kept = true
	if p.closed {
		return nil
	}
	p.closed = true
	return p.f.Close()
}

// Seal makes what was written durable: it gives the temporary file its
// mode, syncs it to disk, closes it and sets its modification time to
// mtime (unless mtime is zero). Nothing can be written after Seal.
func (p *Pending) Seal(mtime time.Time) error {
	if err := p.f.Chmod(p.mode); err != nil {
		return err
	}
	if err := p.f.Sync(); err != nil {
		return err
	}
	p.closed = true
	if err := p.f.Close(); err != nil {
		return err
	}
	if !mtime.IsZero() {
		if err := os.Chtimes(p.f.Name(), mtime, mtime); err != nil {
			return err
		}
	}
	fi, err := os.Lstat(p.f.Name())
	if err != nil {
		return err
	}
	p.sealed = fingerprint(fi)
	return nil
}

// Replaced reports whether fp, the destination's fingerprint after Place,
// is no longer the file Seal left: written, or replaced, since. The change
// time is not compared, since the rename itself may change it.
func (p *Pending) Replaced(fp planner.Fingerprint) bool {
	s := p.sealed
	return fp.Size != s.Size || fp.MTime != s.MTime || (s.Inode != 0 && fp.Inode != s.Inode)
}

// Place renames the sealed temporary file over the destination and syncs
// the folder, so that the rename survives a crash where the system allows
// it. After Place, Discard does nothing.
func (p *Pending) Place() error {
	if !p.closed {
		return fmt.Errorf("place %s: the file is not sealed", p.final)
	}
	// On Windows a file open in another program cannot be replaced: wait a
	// little for it to be let go (see RetryLocked).
	err := RetryLocked(context.Background(), true, func() error { return os.Rename(p.f.Name(), p.final) })
	if err != nil {
		return err
	}
	p.placed = true
	syncDir(filepath.Dir(p.final))
	return nil
}

// Discard closes and removes the temporary file unless it was placed or
// kept. It may be called more than once, and on a nil Pending.
func (p *Pending) Discard() {
	if p == nil || p.placed || p.kept {
		return
	}
	if !p.closed {
		p.closed = true
		p.f.Close()
	}
	os.Remove(p.f.Name())
}

// WriteFile creates or replaces the file final with what fill writes, with
// the steps of Pending: the destination is replaced only once all of it is
// written and on disk, and gets mtime (unless zero). When fill or any step
// fails, final is untouched and the temporary file removed.
func WriteFile(final string, mtime time.Time, fill func(io.Writer) error) error {
	p, err := Create(final)
	if err != nil {
		return err
	}
	defer p.Discard()
	if err := fill(p); err != nil {
		return err
	}
	if err := p.Seal(mtime); err != nil {
		return err
	}
	return p.Place()
}
