package ks3server

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// stagedBlob is data written and synced to tmp/ that no metadata references
// yet. commit makes it part of the store; discard drops it.
type stagedBlob struct {
	id   string
	size int64
	md5  [md5.Size]byte
}

// bodyError marks a failure to read the request body, as opposed to a
// failure to write the blob.
type bodyError struct{ err error }

func (e bodyError) Error() string { return "read request body: " + e.err.Error() }
func (e bodyError) Unwrap() error { return e.err }

// copyBufferSize is the buffer used to stream bodies to and from blobs.
const copyBufferSize = 256 << 10

// newBlobID returns a random blob id: 32 hex digits.
func newBlobID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (s *store) tempPath(id string) string { return filepath.Join(s.root, tmpDir, id) }

func (s *store) blobPath(id string) string {
	return filepath.Join(s.root, objectsDir, id[:2], id)
}

// stage streams r into a new synced temporary blob, computing its MD5. It
// reads at most limit bytes and fails with errEntityTooLarge beyond that.
// Errors reading r are returned as bodyError.
func (s *store) stage(r io.Reader, limit int64) (stagedBlob, error) {
	b := stagedBlob{id: newBlobID()}
	f, err := os.OpenFile(s.tempPath(b.id), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return b, fmt.Errorf("stage blob: %w", err)
	}
	h := md5.New()
	n, err := io.CopyBuffer(io.MultiWriter(f, h), readerOnly{io.LimitReader(bodyReader{r}, limit+1)}, make([]byte, copyBufferSize))
	if err == nil && n > limit {
		err = errEntityTooLarge
	}
	if err == nil && s.sync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(s.tempPath(b.id))
		var be bodyError
		if errors.As(err, &be) || errors.Is(err, errEntityTooLarge) {
			return b, err
		}
		return b, fmt.Errorf("stage blob: %w", err)
	}
	b.size = n
	copy(b.md5[:], h.Sum(nil))
	return b, nil
}

// stageLink stages a new blob with the content of committed blob src, as a
// hard link when the file system allows it and as a copy otherwise.
func (s *store) stageLink(src string) (stagedBlob, error) {
	b := stagedBlob{id: newBlobID()}
	if err := os.Link(s.blobPath(src), s.tempPath(b.id)); err == nil {
		return b, nil
	}
	f, err := os.Open(s.blobPath(src))
	if err != nil {
		return b, fmt.Errorf("stage copy of blob %s: %w", src, err)
	}
	defer f.Close()
	b, err = s.stage(f, 1<<62)
	if err != nil {
		return b, fmt.Errorf("stage copy of blob %s: %w", src, err)
	}
	return b, nil
}

// discard deletes staged blobs that will not be committed.
func (s *store) discard(blobs ...stagedBlob) {
	for _, b := range blobs {
		if err := os.Remove(s.tempPath(b.id)); err != nil && !isNotExist(err) {
			s.log.Warn().Err(err).Str("blob", b.id).Msg("cannot delete a staged blob")
		}
	}
}

// placeBlob moves tmp/<id> into objects/.
func (s *store) placeBlob(id string) error {
	dst := s.blobPath(id)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.Rename(s.tempPath(id), dst)
}

// commit runs fn in a write transaction that makes the staged blobs part of
// the store. fn returns the blobs its changes stopped referencing; they are
// put in the trash by the same transaction and deleted after it. commit
// takes ownership of staged: on failure they are discarded. Once called it
// is not cancelled: data that arrived whole is kept even if its client has
// gone.
func (s *store) commit(ctx context.Context, staged []stagedBlob, fn func(tx *sql.Tx) ([]string, error)) error {
	ctx = context.WithoutCancel(ctx)
	for _, b := range staged {
		if err := os.MkdirAll(filepath.Dir(s.blobPath(b.id)), 0o755); err != nil {
			s.discard(staged...)
			return fmt.Errorf("commit: %w", err)
		}
	}
	var obsolete []string
	s.mu.Lock()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if obsolete, err = fn(tx); err != nil {
			return err
		}
		return trashBlobs(ctx, tx, obsolete)
	})
	if err != nil {
		s.mu.Unlock()
		s.discard(staged...)
		return err
	}
	for _, b := range staged {
		if err := s.placeBlob(b.id); err != nil {
			// The metadata is committed; opening the root again moves the
			// file into place.
			s.log.Error().Err(err).Str("blob", b.id).Msg("cannot move a committed blob into place")
		}
	}
	s.mu.Unlock()
	s.removeBlobs(ctx, obsolete)
	return nil
}

// trashBlobs records blobs whose files are to be deleted.
func trashBlobs(ctx context.Context, tx *sql.Tx, blobs []string) error {
	for _, id := range blobs {
		if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO trash (blob) VALUES (?)", id); err != nil {
			return fmt.Errorf("trash blob %s: %w", id, err)
		}
	}
	return nil
}

// removeBlobs deletes trashed blob files; blobs that a reader has pinned are
// deleted when the last reader unpins them.
func (s *store) removeBlobs(ctx context.Context, blobs []string) {
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
	s.deleteBlobFiles(ctx, now)
}

// deleteBlobFiles deletes blob files and their trash entries.
func (s *store) deleteBlobFiles(ctx context.Context, blobs []string) {
	if len(blobs) == 0 {
		return
	}
	var gone []string
	for _, id := range blobs {
		if err := os.Remove(s.blobPath(id)); err != nil && !isNotExist(err) {
			s.log.Warn().Err(err).Str("blob", id).Msg("cannot delete an unreferenced blob; retrying on next open")
			continue
		}
		gone = append(gone, id)
	}
	ctx = context.WithoutCancel(ctx)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, id := range gone {
			if _, err := tx.ExecContext(ctx, "DELETE FROM trash WHERE blob = ?", id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		s.log.Warn().Err(err).Msg("cannot clear the blob trash; retrying on next open")
	}
}

// pin marks blobs as in use by a reader; the caller holds s.mu for reading
// while it resolved them.
func (s *store) pin(blobs []string) {
	s.pinMu.Lock()
	defer s.pinMu.Unlock()
	for _, id := range blobs {
		s.pins[id]++
	}
}

// unpin releases blobs pinned by pin and deletes those that were dropped
// meanwhile.
func (s *store) unpin(blobs []string) {
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
	s.deleteBlobFiles(context.Background(), now)
}

// bodyReader tags read errors of a request body as bodyError, except the
// apiErrors of a body that verifies itself as it is read (a SigV4 payload
// digest or chunk signature), which are answered as they are.
type bodyReader struct{ r io.Reader }

func (b bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	var ae apiError
	if err != nil && err != io.EOF && !errors.As(err, &ae) {
		err = bodyError{err}
	}
	return n, err
}

// readerOnly hides WriterTo/ReaderFrom so that io.CopyBuffer uses its buffer.
type readerOnly struct{ io.Reader }
