package store

import (
	"context"
	"crypto/md5"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
)

// StageFile stages the content of the regular file at path for a bulk
// import: in memory up to InlineLimit bytes, otherwise as a hard link to
// the file, or a copy where the file system cannot link it. The file must
// not change while it is staged; a linked file must not be edited in place
// afterwards either, since the object shares its bytes (replacing it with
// a new file, as editors and ks3sync do, is fine).
func (s *Store) StageFile(path string) (*Staged, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("stage %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stage %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("stage %s: not a regular file", path)
	}
	if fi.Size() <= InlineLimit {
		return s.Stage(f, InlineLimit)
	}
	b := &Staged{id: newBlobID()}
	if err := os.Link(path, s.tempPath(b.id)); err != nil {
		if b.size, err = s.writeTemp(b.id, f, fi.Size()); err != nil {
			return nil, fmt.Errorf("stage %s: %w", path, err)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			s.discard(b)
			return nil, fmt.Errorf("stage %s: %w", path, err)
		}
	}
	if err := b.hash(f, fi.Size()); err != nil {
		s.discard(b)
		return nil, fmt.Errorf("stage %s: %w", path, err)
	}
	return b, nil
}

// errChanged fails the staging of a file that changed while it was read.
var errChanged = errors.New("file changed while it was staged")

// hash sets b's size and MD5 from r, which must hold size bytes.
func (b *Staged) hash(r io.Reader, size int64) error {
	h := md5.New()
	n, err := io.CopyBuffer(h, readerOnly{r}, make([]byte, copyBufferSize))
	if err != nil {
		return err
	}
	if n != size {
		return errChanged
	}
	b.size = n
	copy(b.md5[:], h.Sum(nil))
	return nil
}

// PutObjects stores many objects in one transaction, objs[i] made of
// data[i], replacing the objects under the same keys: the commit of a bulk
// import. It takes ownership of data; on failure nothing is stored.
func (s *Store) PutObjects(ctx context.Context, objs []Object, data []*Staged) error {
	if len(objs) != len(data) {
		s.discard(data...)
		return fmt.Errorf("put %d objects: %d pieces of data", len(objs), len(data))
	}
	err := s.w.write(data, func(ctx context.Context, tx *sql.Tx) ([]string, error) {
		var obsolete []string
		for i, o := range objs {
			b := data[i]
			old, err := replaceObject(ctx, tx, o, []segment{{blob: b.id, size: b.size, inline: b.inline, data: b.data}})
			if err != nil {
				return nil, fmt.Errorf("put %q: %w", o.Key, err)
			}
			obsolete = append(obsolete, old...)
		}
		return obsolete, nil
	})
	if err != nil {
		return fmt.Errorf("put %d objects: %w", len(objs), err)
	}
	return nil
}
