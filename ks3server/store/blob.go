package store

import (
	"bytes"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// InlineLimit is the largest object whose bytes are kept in the database
// rather than in a blob file. Such objects cost no file creation, sync or
// rename: their bytes are made durable by the commit of their metadata,
// together with every other write of the batch.
const InlineLimit = 64 << 10

// copyBufferSize is the buffer used to stream data to and from blobs.
const copyBufferSize = 256 << 10

// Staged is data read and made durable that no metadata references yet:
// a synced temporary blob file, or for small data its bytes in memory.
// The write that commits it takes ownership; Discard drops it.
type Staged struct {
	id     string
	inline bool   // kept in memory, committed into the database
	data   []byte // the bytes of inline data
	size   int64
	md5    [md5.Size]byte
}

// Size is the number of bytes staged.
func (b *Staged) Size() int64 { return b.size }

// MD5 is the MD5 digest of the bytes staged.
func (b *Staged) MD5() [md5.Size]byte { return b.md5 }

// newBlobID returns a random blob id: 32 hex digits.
func newBlobID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (s *Store) tempPath(id string) string { return filepath.Join(s.root, tmpDir, id) }

func (s *Store) blobPath(id string) string {
	return filepath.Join(s.root, objectsDir, id[:2], id)
}

// Stage reads r to its end, computing its MD5, and keeps the data: in
// memory up to InlineLimit bytes, else in a new synced temporary blob. It
// reads at most limit bytes and fails with ErrTooLarge beyond that. Errors
// reading r are returned as *ReadError.
func (s *Store) Stage(r io.Reader, limit int64) (*Staged, error) {
	b := &Staged{id: newBlobID()}
	h := md5.New()
	head, err := io.ReadAll(io.LimitReader(io.TeeReader(readErrors{r}, h), min(limit, InlineLimit)+1))
	if err != nil {
		return nil, err
	}
	if int64(len(head)) <= min(limit, InlineLimit) {
		b.inline, b.data, b.size = true, head, int64(len(head))
		copy(b.md5[:], h.Sum(nil))
		return b, nil
	}
	if int64(len(head)) > limit {
		return nil, ErrTooLarge
	}
	rest := io.TeeReader(readErrors{r}, h)
	if b.size, err = s.writeTemp(b.id, io.MultiReader(bytes.NewReader(head), rest), limit); err != nil {
		return nil, err
	}
	copy(b.md5[:], h.Sum(nil))
	return b, nil
}

// writeTemp streams r into tmp/<id>, synced unless the store does not
// sync, and returns its size. It fails with ErrTooLarge beyond limit bytes,
// leaving no file behind on any failure.
func (s *Store) writeTemp(id string, r io.Reader, limit int64) (int64, error) {
	f, err := os.OpenFile(s.tempPath(id), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return 0, fmt.Errorf("stage blob: %w", err)
	}
	n, err := io.CopyBuffer(f, readerOnly{io.LimitReader(r, limit+1)}, make([]byte, copyBufferSize))
	if err == nil && n > limit {
		err = ErrTooLarge
	}
	if err == nil && s.sync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(s.tempPath(id))
		var re *ReadError
		if errors.As(err, &re) || errors.Is(err, ErrTooLarge) {
			return 0, err
		}
		return 0, fmt.Errorf("stage blob: %w", err)
	}
	return n, nil
}

// toFile makes sure b is a file blob: parts of multipart uploads are
// always files.
func (s *Store) toFile(b *Staged) error {
	if !b.inline {
		return nil
	}
	if _, err := s.writeTemp(b.id, bytes.NewReader(b.data), b.size); err != nil {
		return err
	}
	b.inline, b.data = false, nil
	return nil
}

// stageSegment stages a copy of a committed segment: its inline bytes, or
// a hard link to its blob file (a copy where the file system has no
// links).
func (s *Store) stageSegment(seg segment) (*Staged, error) {
	b := &Staged{id: newBlobID(), size: seg.size}
	if seg.inline {
		b.inline, b.data = true, seg.data
		return b, nil
	}
	if err := os.Link(s.blobPath(seg.blob), s.tempPath(b.id)); err == nil {
		return b, nil
	}
	f, err := os.Open(s.blobPath(seg.blob))
	if err != nil {
		return nil, fmt.Errorf("stage copy of blob %s: %w", seg.blob, err)
	}
	defer f.Close()
	if _, err := s.writeTemp(b.id, f, seg.size); err != nil {
		return nil, fmt.Errorf("stage copy of blob %s: %w", seg.blob, err)
	}
	return b, nil
}

// Discard drops staged data that will not be committed.
func (s *Store) Discard(blobs ...*Staged) { s.discard(blobs...) }

func (s *Store) discard(blobs ...*Staged) {
	for _, b := range blobs {
		if b == nil || b.inline {
			continue
		}
		if err := os.Remove(s.tempPath(b.id)); err != nil && !isNotExist(err) {
			s.log.Warn().Err(err).Str("blob", b.id).Msg("cannot delete a staged blob")
		}
	}
}

// placeBlob moves tmp/<id> into objects/.
func (s *Store) placeBlob(id string) error {
	dst := s.blobPath(id)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.Rename(s.tempPath(id), dst)
}

// removeBlobs deletes trashed blob files; blobs that a reader has pinned
// are deleted when the last reader unpins them.
func (s *Store) removeBlobs(blobs []string) {
	var now []string
	s.pinMu.Lock()
	for _, id := range blobs {
		if s.pins[id] > 0 {
			s.doomed[id] = true
		} else {
			now = append(now, id)
		}
	}
	s.pinMu.Unlock()
	s.deleteBlobFiles(now)
}

// deleteBlobFiles deletes blob files; the next commit clears their trash
// entries.
func (s *Store) deleteBlobFiles(blobs []string) {
	var gone []string
	for _, id := range blobs {
		if err := os.Remove(s.blobPath(id)); err != nil && !isNotExist(err) {
			s.log.Warn().Err(err).Str("blob", id).Msg("cannot delete an unreferenced blob; retrying on next open")
			continue
		}
		gone = append(gone, id)
	}
	s.w.addCleared(gone)
}

// pin marks blobs as in use by a reader; the caller holds s.mu for reading
// while it resolved them.
func (s *Store) pin(blobs []string) {
	s.pinMu.Lock()
	defer s.pinMu.Unlock()
	for _, id := range blobs {
		s.pins[id]++
	}
}

// unpin releases blobs pinned by pin and deletes those that were dropped
// meanwhile.
func (s *Store) unpin(blobs []string) {
	var now []string
	s.pinMu.Lock()
	for _, id := range blobs {
		if s.pins[id]--; s.pins[id] > 0 {
			continue
		}
		delete(s.pins, id)
		if s.doomed[id] {
			delete(s.doomed, id)
			now = append(now, id)
		}
	}
	s.pinMu.Unlock()
	s.deleteBlobFiles(now)
}

// readErrors tags the errors of a reader as *ReadError.
type readErrors struct{ r io.Reader }

func (b readErrors) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		err = &ReadError{err}
	}
	return n, err
}

// readerOnly hides WriterTo/ReaderFrom so that io.CopyBuffer uses its buffer.
type readerOnly struct{ io.Reader }
