package syncer

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/localfs"
	"github.com/ks3sync/ks3sync/objmeta"
	"github.com/ks3sync/ks3sync/planner"
)

// isTempName reports names in the space of ks3sync's temporary files
// (localfs.IsReserved), which never sync.
func isTempName(rel string) bool {
	return localfs.IsReserved(path.Base(rel))
}

// fetched is an object downloaded and verified into a temporary file beside
// its destination, not yet in place.
type fetched struct {
	file   *localfs.Pending // nil until created
	size   int64
	md5    string // hex, of the plaintext written
	mtime  time.Time
	remote remoteState
	// checkpointed is set when a download checkpoint names file; keep
	// asks to leave file (and the checkpoint) for the next pass to resume,
	// after a failure of the transfer rather than of the content.
	checkpointed, keep bool
}

// release ends the life of a fetch, placed or not: a temporary file is
// removed unless it was placed or is kept for a resume, and a checkpoint
// that is no longer needed is forgotten.
func (s *Syncer) release(ctx context.Context, f *fetched, rel string) {
	if f == nil {
		return
	}
	if f.keep {
		f.file.Keep()
		return
	}
	f.file.Discard()
	if f.checkpointed {
		s.forgetDownload(ctx, rel)
	}
}

// download fetches the object of a into rel: to a temporary file in the
// same folder, decrypted if needed, verified against the MD5 the object
// carries, fsynced, given its mtime and renamed into place. Nothing is ever
// left half-written at rel, and a local edit made meanwhile is not
// overwritten. A large download that fails on the way (or whose process
// dies) is continued by a later pass from what its temporary file holds.
func (s *Syncer) download(ctx context.Context, a planner.Action, rel string) (int64, error) {
	if err := s.checkLocalTarget(a, rel); err != nil {
		return 0, err
	}
	f, err := s.fetch(ctx, a, rel)
	defer s.release(ctx, f, rel)
	if err != nil {
		return 0, err
	}
	if err := s.checkLocalTarget(a, rel); err != nil {
		return 0, err
	}
	if err := s.place(ctx, f, rel); err != nil {
		return 0, err
	}
	return f.size, nil
}

// fetch downloads a's object into a verified temporary file beside rel,
// resuming the checkpointed download of rel when there is one for this
// version of the object.
func (s *Syncer) fetch(ctx context.Context, a planner.Action, rel string) (*fetched, error) {
	if a.Remote == nil {
		return nil, fmt.Errorf("download %s: no remote entry", a.Path)
	}
	final, err := s.writePath(rel)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return nil, err
	}
	f := &fetched{}
	tr, err := s.openTransfer(ctx, a, rel, final, f)
	if err != nil {
		f.keep = f.checkpointed && resumable(ctx, err)
		return f, err
	}
	defer tr.obj.Body.Close()
	s.emit(Event{Kind: EventStart, Action: string(planner.Download), Path: rel, Key: a.Key, Size: tr.obj.Size})
	if err := s.receive(ctx, tr, rel, f); err != nil {
		f.keep = f.checkpointed && resumable(ctx, err)
		return f, fmt.Errorf("download ks3://%s/%s: %w", s.opts.Bucket, a.Key, err)
	}
	return f, nil
}

// resumable reports whether a download that failed with err may continue
// later from its temporary file: it was interrupted, or the transfer (not
// the content) failed.
func resumable(ctx context.Context, err error) bool {
	return ctx.Err() != nil || ks3.IsRetryable(err) || endpointDown(err) != nil
}

// receive writes the transfer's plaintext into the temporary file,
// checkpointing it as it goes, verifies it and seals it.
func (s *Syncer) receive(ctx context.Context, tr *transfer, rel string, f *fetched) error {
	w := &checkpointWriter{s: s, ctx: ctx, tr: tr, file: f.file}
	if _, err := io.Copy(io.MultiWriter(w, tr.hash), s.throttleReader(ctx, tr.body, rel)); err != nil {
		return err
	}
	f.size, f.md5 = tr.offset, hex.EncodeToString(tr.hash.Sum(nil))
	if err := s.checkContent(tr.obj, tr.enc, f.md5); err != nil {
		return err
	}
	f.mtime = mtimeOf(tr.obj)
	s.restoreMode(tr.obj, rel, f.file)
	f.remote = remoteState{key: tr.obj.Key, size: tr.obj.Size, etag: tr.obj.ETag,
		storageClass: tr.obj.StorageClass, encrypted: tr.enc != nil}
	return f.file.Seal(f.mtime)
}

// restoreMode gives a downloaded file the mode its object stores, with
// keep_mode; without it, or when the object stores none, the file keeps the
// mode of the file it replaces, or gets the umask's mode if new. A stored
// mode that cannot be read is ignored with a warning.
func (s *Syncer) restoreMode(obj *ks3.Object, rel string, file *localfs.Pending) {
	v, ok := obj.Metadata[objmeta.NameMode]
	if !s.opts.KeepMode || !ok {
		return
	}
	m, err := objmeta.ParseMode(v)
	if err != nil {
		msg := fmt.Sprintf("%s: ignored the stored mode of ks3://%s/%s: %v", rel, s.opts.Bucket, obj.Key, err)
		s.log.Warn().Str("path", rel).Str("key", obj.Key).Str("mode", v).Msg("ignored a stored mode that cannot be read")
		s.emit(Event{Kind: EventWarning, Path: rel, Key: obj.Key, Reason: msg})
		return
	}
	file.SetMode(m)
}

// placedHook, when set (by tests), runs between the rename of a download
// and the base entry: its error stands for a process killed there.
var placedHook func(rel string) error

// place renames a fetched file over rel and records the new base. If the
// file is touched between the rename and the stat, the base is not
// recorded, so the next pass looks at it again.
func (s *Syncer) place(ctx context.Context, f *fetched, rel string) error {
	settle := s.suppress(rel)
	defer settle()
	if err := s.recordPlacing(ctx, f, rel); err != nil {
		return err
	}
	if err := f.file.Place(); err != nil {
		return err
	}
	if placedHook != nil {
		if err := placedHook(rel); err != nil {
			return err
		}
	}
	fp, err := localfs.Stat(s.opts.Root, rel)
	if err != nil {
		return err
	}
	// Compared exactly with the file as it was sealed (read back, so with
	// the filesystem's own mtime precision): an edit made between the
	// rename and this stat, even one that keeps the size and lands within
	// a second, must not be recorded as the downloaded content.
	if f.file.Replaced(fp) {
		return fmt.Errorf("%w: %s changed right after it was downloaded", errRetryLater, rel)
	}
	f.remote.mtime = fp.MTime
	if err := s.putBase(ctx, rel, fp, f.md5, f.remote); err != nil {
		return err
	}
	// The watcher drops the events of rel until it learns what this write
	// left; an edit made after the stat above and before that would go
	// unseen, with a base that no longer describes the file. Looking again
	// once the watcher knows closes that gap: the pass that retries rel
	// finds the edit.
	settle()
	return s.stillAsLeft(rel, &fp)
}

// stillAsLeft checks, once the watcher has been told that ks3sync's write
// of rel is done, that rel is still as that write left it: the file fp, or
// no file when fp is nil. Until it was told, the watcher dropped rel's
// events, so a user's change made meanwhile would go unseen; it fails with
// errRetryLater instead, and the pass that retries rel syncs the change.
func (s *Syncer) stillAsLeft(rel string, fp *planner.Fingerprint) error {
	now, err := localfs.Stat(s.opts.Root, rel)
	switch {
	case fp == nil && errors.Is(err, fs.ErrNotExist):
		return nil
	case fp == nil:
		return fmt.Errorf("%w: %s appeared again right after it was deleted", errRetryLater, rel)
	case err != nil || now != *fp:
		return fmt.Errorf("%w: %s changed right after it was downloaded", errRetryLater, rel)
	}
	return nil
}

// checkLocalTarget refuses to overwrite a local file that changed since the
// scan, or appeared after it, and to write through a symbolic link.
func (s *Syncer) checkLocalTarget(a planner.Action, rel string) error {
	p, err := s.writePath(rel)
	if err != nil {
		return err
	}
	if a.Local != nil && rel == a.Path {
		return s.unchanged(rel, a.Local.Fingerprint)
	}
	if _, err := os.Lstat(p); err == nil {
		return fmt.Errorf("%w: %s appeared locally during the pass", errRetryLater, rel)
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// decryption returns the encryption metadata of an object, nil when it is
// not encrypted. A missing or wrong key, or metadata that cannot be read,
// fails here, before anything is written.
func (s *Syncer) decryption(obj *ks3.Object, key string) (*ks3crypto.Metadata, error) {
	meta, enc, err := ks3crypto.ParseMetadata(obj.Metadata)
	switch {
	case err != nil:
		return nil, fmt.Errorf("object ks3://%s/%s: %w", s.opts.Bucket, key, err)
	case !enc:
		return nil, nil
	case s.opts.Key == nil:
		return nil, fmt.Errorf("object ks3://%s/%s is encrypted; set encryption.key_file for pair %s", s.opts.Bucket, key, s.opts.Pair)
	}
	if err := s.opts.Key.Check(meta, key); err != nil {
		return nil, err
	}
	return meta, nil
}

// plaintext returns a reader of an object's content, decrypting it when it
// was encrypted with the KS3 SDK scheme, and the encryption metadata (nil
// when not encrypted). A missing or wrong key fails here, before anything
// is read.
func (s *Syncer) plaintext(obj *ks3.Object, key string) (io.Reader, *ks3crypto.Metadata, error) {
	enc, err := s.decryption(obj, key)
	switch {
	case err != nil:
		return nil, nil, err
	case enc == nil:
		return obj.Body, nil, nil
	}
	return ks3crypto.NewDecryptReader(obj.Body, *s.opts.Key, enc), enc, nil
}

// checkContent compares the hex MD5 of the plaintext received with what
// the object records of it: ks3sync's keyed md5-sealed (encrypted objects),
// its md5, the SDK's unencrypted-content-md5, or the ETag of a plain
// single-PUT object. An object that records none of them is not checked.
func (s *Syncer) checkContent(obj *ks3.Object, enc *ks3crypto.Metadata, sum string) error {
	want, keyed := s.recordedMD5(obj, enc)
	switch {
	case keyed != "":
		if objmeta.NewIdentity(*s.opts.Key).Matches(sum, keyed) {
			return nil
		}
		return fmt.Errorf("content MD5 %s does not match the object's md5-sealed", sum)
	case want != "" && sum != want:
		return fmt.Errorf("content MD5 %s does not match the object's %s", sum, want)
	}
	return nil
}

// recordedMD5 is what obj records of its plaintext's MD5, in the order
// checkContent trusts them: the sealed md5 (keyed, with the pair's key),
// else a hex MD5 (want); both empty when it records none.
func (s *Syncer) recordedMD5(obj *ks3.Object, enc *ks3crypto.Metadata) (want, keyed string) {
	recorded := objmeta.Read(obj.Metadata)
	switch {
	case recorded.KeyedMD5 != "" && s.opts.Key != nil:
		return "", recorded.KeyedMD5
	case recorded.MD5 != "":
		return recorded.MD5, ""
	case enc != nil && enc.PlainMD5 != nil:
		return hex.EncodeToString(enc.PlainMD5), ""
	case enc == nil && objmeta.IsMD5Hex(obj.ETag):
		return strings.ToLower(obj.ETag), ""
	}
	return "", ""
}

// verifiable reports whether checkContent can check a download of obj.
func (s *Syncer) verifiable(obj *ks3.Object, enc *ks3crypto.Metadata) bool {
	want, keyed := s.recordedMD5(obj, enc)
	return want != "" || keyed != ""
}

// mtimeOf is the source mtime ks3sync stored, else the object's LastModified.
func mtimeOf(obj *ks3.Object) time.Time {
	if t := objmeta.Read(obj.Metadata).MTime; !t.IsZero() {
		return t
	}
	return obj.LastModified
}

// conflict keeps both versions: the remote version is downloaded and
// verified first; only then does the local file move to its conflict name
// (uploaded by the next pass like any new file) and the download take its
// place. A failed download leaves the local file where it was.
func (s *Syncer) conflict(ctx context.Context, a planner.Action) (int64, error) {
	remoteOnly := a
	remoteOnly.Local = nil
	f, err := s.fetch(ctx, remoteOnly, a.Path)
	defer s.release(ctx, f, a.Path)
	if err != nil {
		return 0, err
	}
	if a.Local != nil {
		if err := s.keepLocalCopy(a); err != nil {
			return 0, err
		}
	} else if err := s.checkLocalTarget(remoteOnly, a.Path); err != nil {
		return 0, err
	}
	s.log.Warn().Str("path", a.Path).Str("local_copy", a.ConflictPath).Msg("conflict: both sides changed; kept both")
	if err := s.place(ctx, f, a.Path); err != nil {
		return 0, err
	}
	return f.size, nil
}

// keepLocalCopy moves the local file of a conflict to its conflict name,
// unless it changed since the scan.
func (s *Syncer) keepLocalCopy(a planner.Action) error {
	if err := s.unchanged(a.Path, a.Local.Fingerprint); err != nil {
		return err
	}
	src, err := s.writePath(a.Path)
	if err != nil {
		return err
	}
	dst, err := s.writePath(a.ConflictPath)
	if err != nil {
		return err
	}
	if _, err := os.Lstat(dst); err == nil {
		return fmt.Errorf("conflict copy %s already exists", a.ConflictPath)
	}
	defer s.suppress(a.Path)()
	if err := os.Rename(src, dst); err != nil {
		return fmt.Errorf("keep local version as %s: %w", a.ConflictPath, err)
	}
	return nil
}
