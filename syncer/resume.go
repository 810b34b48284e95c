package syncer

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"time"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/localfs"
	"github.com/ks3sync/ks3sync/planner"
	"github.com/ks3sync/ks3sync/state"
)

// Large downloads resume. A download of an object larger than
// downloadCheckpointEvery records a checkpoint in the state store (the
// temporary file, the object's key, ETag and size) and, every
// downloadCheckpointEvery bytes, syncs the file and records how much of it
// is on disk. A later download of the same path continues from there with
// a ranged GET, provided the object is still the same (same ETag and
// size): the bytes past the checkpoint are cut off, those before it are
// hashed again, so the whole file is still checked against the object's
// MD5 before it is placed. Encrypted objects resume at a CBC block
// boundary, where the ciphertext block before it serves as the IV. A
// changed object, a missing or short temporary file, or a content check
// that fails all start over from byte 0: a torn file never takes the
// place of the destination.

// downloadCheckpointEvery is how many bytes a download writes between two
// checkpoints.
const downloadCheckpointEvery = 32 << 20

// downloadResumeMin is the size above which a download is checkpointed at
// its start, so that a process killed before the first checkpoint still
// leaves a download to continue. Past the last checkpoint the temporary
// file's bytes are not known to be on disk; they are kept only when the
// object records an MD5 that the whole file is checked against (a kill
// leaves them intact in the page cache; a power loss that tore them makes
// the check fail, and the download starts over).
const downloadResumeMin = 1 << 20

// transfer is one download being written: the answer, the plaintext to
// write, and how far the temporary file got.
type transfer struct {
	obj    *ks3.Object
	body   io.Reader           // plaintext, from the first byte not yet written
	enc    *ks3crypto.Metadata // nil when the object is not encrypted
	hash   hash.Hash           // MD5 of the plaintext, bytes already written included
	offset int64               // plaintext bytes in the temporary file
	cp     *state.Download     // nil when not checkpointed
	saved  int64               // offset at the last checkpoint
}

// errStartOver says that a checkpointed download cannot be continued; it
// is started again from byte 0.
var errStartOver = errors.New("cannot continue the interrupted download")

// openTransfer continues the checkpointed download of rel when its object
// has not changed, and otherwise starts a new one. It sets f.file.
func (s *Syncer) openTransfer(ctx context.Context, a planner.Action, rel, final string, f *fetched) (*transfer, error) {
	cp := s.checkpointFor(ctx, a, rel)
	if cp != nil {
		tr, err := s.resumeTransfer(ctx, a, final, cp, f)
		if !errors.Is(err, errStartOver) {
			return tr, err
		}
		s.log.Info().Str("path", rel).Err(err).Msg("starting the download over")
		f.file.Discard()
		f.file, f.checkpointed = nil, false
		s.dropDownload(ctx, *cp)
	}
	return s.startTransfer(ctx, a, rel, final, f)
}

// checkpointFor returns the checkpoint of the download of rel if it is
// for the version of the object the plan saw, and drops any other.
func (s *Syncer) checkpointFor(ctx context.Context, a planner.Action, rel string) *state.Download {
	if s.db == nil {
		return nil // a restore or check works without the state store
	}
	if s.checkpointed != nil && !s.checkpointed[rel] {
		return nil // none at the start of the pass: no query per file
	}
	cp, err := s.db.DownloadFor(ctx, s.opts.Pair, rel)
	if err != nil {
		s.log.Warn().Err(err).Str("path", rel).Msg("read download checkpoint")
		return nil
	}
	if cp == nil {
		return nil
	}
	if cp.Key != a.Key || cp.ETag != a.Remote.ETag || cp.Size != a.Remote.Size {
		s.log.Info().Str("path", rel).Msg("the object changed since the interrupted download; starting over")
		s.dropDownload(ctx, *cp)
		return nil
	}
	return cp
}

// startTransfer GETs the whole object into a new temporary file, with a
// checkpoint when the object is large.
func (s *Syncer) startTransfer(ctx context.Context, a planner.Action, rel, final string, f *fetched) (*transfer, error) {
	obj, err := s.store.GetObject(ctx, s.opts.Bucket, a.Key, ks3.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("get ks3://%s/%s: %w", s.opts.Bucket, a.Key, err)
	}
	tr := &transfer{obj: obj, hash: md5.New()}
	if tr.body, tr.enc, err = s.plaintext(obj, a.Key); err != nil {
		obj.Body.Close()
		return nil, err
	}
	if f.file, err = localfs.Create(final); err != nil {
		obj.Body.Close()
		return nil, err
	}
	if obj.Size > min(downloadResumeMin, s.checkpointEvery) && s.db != nil {
		s.startCheckpoint(ctx, tr, rel, f)
	}
	return tr, nil
}

// startCheckpoint records the checkpoint of a new download. Without it the
// download works all the same, only it cannot resume.
func (s *Syncer) startCheckpoint(ctx context.Context, tr *transfer, rel string, f *fetched) {
	temp, err := filepath.Rel(s.opts.Root, f.file.Name())
	if err != nil {
		return
	}
	cp := state.Download{
		Pair: s.opts.Pair, Path: rel, Temp: filepath.ToSlash(temp),
		Key: tr.obj.Key, ETag: tr.obj.ETag, Size: tr.obj.Size, Encrypted: tr.enc != nil, Created: s.opts.Now(),
	}
	if err := s.db.SaveDownload(context.WithoutCancel(ctx), cp); err != nil {
		s.log.Warn().Err(err).Str("path", rel).Msg("record download checkpoint")
		return
	}
	tr.cp, f.checkpointed = &cp, true
}

// resumeTransfer continues a checkpointed download: it keeps the bytes of
// the temporary file that the checkpoint vouches for (whole CBC blocks for
// an encrypted object), hashes them again, and GETs the rest. It fails
// with errStartOver when that cannot be done.
func (s *Syncer) resumeTransfer(ctx context.Context, a planner.Action, final string, cp *state.Download, f *fetched) (*transfer, error) {
	temp := filepath.Join(s.opts.Root, filepath.FromSlash(cp.Temp))
	keep := resumePoint(cp, temp)
	tr, err := s.resumeAt(ctx, a, final, cp, f, temp, keep)
	if errors.Is(err, errUnverifiable) {
		// The object records no MD5 to check the unsynced bytes against:
		// continue from the last checkpoint instead.
		f.file.Keep()
		f.file, f.checkpointed = nil, false
		keep = alignResume(cp, cp.Written)
		tr, err = s.resumeAt(ctx, a, final, cp, f, temp, keep)
	}
	return tr, err
}

// errUnverifiable says that a download resumed past its last checkpoint
// cannot be checked as a whole.
var errUnverifiable = errors.New("the object records no MD5 to check a resumed download against")

// resumePoint is where an interrupted download continues: the end of its
// temporary file (see downloadResumeMin), at least the last checkpoint,
// short of the object's end, and for an encrypted object at a cipher block
// boundary.
func resumePoint(cp *state.Download, temp string) int64 {
	keep := cp.Written
	if fi, err := os.Lstat(temp); err == nil && fi.Size() > keep {
		keep = fi.Size()
	}
	return alignResume(cp, keep)
}

// alignResume bounds a resume point: never at or past the object's last
// bytes (its final cipher blocks, for an encrypted object, which end the
// padding), and at a block boundary for an encrypted object.
func alignResume(cp *state.Download, keep int64) int64 {
	limit := cp.Size - 1
	if cp.Encrypted {
		limit = cp.Size - 2*ks3crypto.BlockSize
	}
	keep = max(0, min(keep, limit))
	if cp.Encrypted {
		keep -= keep % ks3crypto.BlockSize
	}
	return keep
}

// resumeAt continues a checkpointed download from byte keep of the
// plaintext, which the temporary file at temp holds.
func (s *Syncer) resumeAt(ctx context.Context, a planner.Action, final string, cp *state.Download, f *fetched, temp string, keep int64) (*transfer, error) {
	file, err := localfs.Resume(final, temp, keep)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errStartOver, err)
	}
	f.file, f.checkpointed = file, true
	tr := &transfer{hash: md5.New(), offset: keep, saved: keep, cp: cp}
	if err := hashPrefix(tr.hash, temp, keep); err != nil {
		return nil, fmt.Errorf("%w: %w", errStartOver, err)
	}
	obj, err := s.store.GetObject(ctx, s.opts.Bucket, a.Key, ks3.GetOptions{Range: fmt.Sprintf("bytes=%d-", keep)})
	if err != nil {
		if ks3.ErrorCode(err) == "InvalidRange" {
			return nil, fmt.Errorf("%w: %w", errStartOver, err)
		}
		return nil, fmt.Errorf("get ks3://%s/%s from byte %d: %w", s.opts.Bucket, a.Key, keep, err)
	}
	tr.obj = obj
	if err := s.resumeBody(tr, a.Key, keep); err != nil {
		obj.Body.Close()
		return nil, err
	}
	if keep > cp.Written && !s.verifiable(obj, tr.enc) {
		obj.Body.Close()
		return nil, errUnverifiable
	}
	s.log.Info().Str("path", cp.Path).Int64("from", keep).Int64("size", obj.Size).Msg("resuming download")
	return tr, nil
}

// resumeBody checks that the ranged answer continues the checkpointed
// object and sets the transfer's plaintext reader. For an encrypted object
// the answer starts with the ciphertext block before the plaintext at keep,
// which is the IV of the rest.
func (s *Syncer) resumeBody(tr *transfer, key string, keep int64) error {
	obj, cp := tr.obj, tr.cp
	if obj.ETag != cp.ETag || obj.Size != cp.Size {
		return fmt.Errorf("%w: the object changed (ETag %s, size %d)", errStartOver, obj.ETag, obj.Size)
	}
	enc, err := s.decryption(obj, key)
	switch {
	case err != nil:
		return err
	case (enc != nil) != cp.Encrypted:
		return fmt.Errorf("%w: the object's encryption changed", errStartOver)
	case enc == nil:
		tr.body = obj.Body
		return nil
	}
	tr.enc = enc
	if keep == 0 {
		tr.body = ks3crypto.NewDecryptReader(obj.Body, *s.opts.Key, enc)
		return nil
	}
	rest := *enc
	if _, err := io.ReadFull(obj.Body, rest.IV[:]); err != nil {
		return fmt.Errorf("read the block before byte %d: %w", keep, err)
	}
	if rest.PlainLength >= 0 {
		rest.PlainLength -= keep
	}
	tr.body = ks3crypto.NewDecryptReader(io.MultiReader(bytes.NewReader(rest.IV[:]), obj.Body), *s.opts.Key, &rest)
	return nil
}

// hashPrefix feeds the first n bytes of the file at path to h.
func hashPrefix(h hash.Hash, path string, n int64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := io.CopyN(h, f, n); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}

// checkpointWriter writes a transfer's plaintext to its temporary file and,
// for a checkpointed transfer, every checkpointEvery bytes syncs the file
// and records how much of it is on disk.
type checkpointWriter struct {
	s    *Syncer
	ctx  context.Context
	tr   *transfer
	file *localfs.Pending
}

func (w *checkpointWriter) Write(p []byte) (int, error) {
	n, err := w.file.Write(p)
	w.tr.offset += int64(n)
	if err != nil || w.tr.cp == nil || w.tr.offset-w.tr.saved < w.s.checkpointEvery {
		return n, err
	}
	if err := w.file.Sync(); err != nil {
		return n, err
	}
	w.tr.cp.Written, w.tr.saved = w.tr.offset, w.tr.offset
	if err := w.s.db.SaveDownload(context.WithoutCancel(w.ctx), *w.tr.cp); err != nil {
		w.s.log.Warn().Err(err).Str("path", w.tr.cp.Path).Msg("record download checkpoint")
	}
	return n, nil
}

// forgetDownload removes the checkpoint of rel's download.
func (s *Syncer) forgetDownload(ctx context.Context, rel string) {
	if err := s.db.DeleteDownload(context.WithoutCancel(ctx), s.opts.Pair, rel); err != nil {
		s.log.Warn().Err(err).Str("path", rel).Msg("forget download checkpoint")
	}
}

// dropDownload removes a checkpoint and the temporary file it names.
func (s *Syncer) dropDownload(ctx context.Context, cp state.Download) {
	if localfs.IsTemp(filepath.Base(cp.Temp)) {
		if p, err := s.readPath(cp.Temp); err == nil {
			if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				s.log.Warn().Err(err).Str("path", cp.Temp).Msg("remove the temporary file of an interrupted download")
			}
		}
	}
	s.forgetDownload(ctx, cp.Path)
}

// dropStaleDownloads drops the checkpoints (and temporary files) of
// interrupted downloads that the plan of a pass over paths (nil: all) does
// not continue: the object was deleted, or the local file changed.
func (s *Syncer) dropStaleDownloads(ctx context.Context, plan *planner.Result, paths []string) {
	planned := make(map[string]bool)
	for _, a := range plan.Actions {
		if a.Kind == planner.Download || a.Kind == planner.Conflict {
			planned[a.Path] = true
		}
	}
	inPass := pathFilter(paths)
	var stale []state.Download
	s.checkpointed = nil
	kept := make(map[string]bool)
	for cp, err := range s.db.Downloads(ctx, s.opts.Pair) {
		if err != nil {
			s.log.Warn().Err(err).Msg("read download checkpoints")
			return
		}
		if inPass(cp.Path) && !planned[cp.Path] {
			stale = append(stale, cp)
		} else {
			kept[cp.Path] = true
		}
	}
	for _, cp := range stale {
		s.dropDownload(ctx, cp)
	}
	s.checkpointed = kept
}

// staleTempAge is how old a temporary file must be (since its last write)
// before a pass that does not hold the lock takes it for the leftover of a
// process that died.
const staleTempAge = time.Hour

// removeStaleTemps deletes, at the start of a full pass, the temporary
// files that processes which died left behind, except those a download
// checkpoint names (the pass resumes them). With the lock held no other
// ks3sync is writing any, so all go; without it, only those unchanged for
// an hour (a download in progress writes its file continually).
func (s *Syncer) removeStaleTemps(ctx context.Context, temps []string) {
	if len(temps) == 0 {
		return
	}
	named := s.checkpointedTemps(ctx)
	cutoff := s.opts.Now().Add(-staleTempAge)
	for _, rel := range temps {
		if named[rel] {
			continue
		}
		p, err := s.readPath(rel)
		if err != nil {
			continue
		}
		fi, err := os.Lstat(p)
		if err != nil || !fi.Mode().IsRegular() || (!s.opts.LockHeld && fi.ModTime().After(cutoff)) {
			continue
		}
		if err := os.Remove(p); err != nil {
			s.log.Warn().Err(err).Str("path", rel).Msg("remove stale temporary file")
			continue
		}
		s.log.Info().Str("path", rel).Msg("removed a temporary file left by an interrupted download")
	}
}

// checkpointedTemps returns the temporary files that download checkpoints
// of the pair name, in the form scans report paths.
func (s *Syncer) checkpointedTemps(ctx context.Context) map[string]bool {
	named := make(map[string]bool)
	for cp, err := range s.db.Downloads(ctx, s.opts.Pair) {
		if err != nil {
			s.log.Warn().Err(err).Msg("read download checkpoints")
			break
		}
		named[localfs.CleanRel(cp.Temp)] = true
	}
	return named
}
