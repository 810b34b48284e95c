package syncer

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
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

// isTempName reports ks3sync's own temporary files, which never sync.
func isTempName(rel string) bool {
	return localfs.IsTemp(path.Base(rel))
}

// fetched is an object downloaded and verified into a temporary file beside
// its destination, not yet in place.
type fetched struct {
	file   *localfs.Pending // nil until created
	size   int64
	md5    string // hex, of the plaintext written
	mtime  time.Time
	remote remoteState
}

// discard removes the temporary file unless it was placed.
func (f *fetched) discard() {
	if f != nil {
		f.file.Discard()
	}
}

// download fetches the object of a into rel: to a temporary file in the
// same folder, decrypted if needed, verified against the MD5 the object
// carries, fsynced, given its mtime and renamed into place. Nothing is ever
// left half-written at rel, and a local edit made meanwhile is not
// overwritten.
func (s *Syncer) download(ctx context.Context, a planner.Action, rel string) (int64, error) {
	if err := s.checkLocalTarget(a, rel); err != nil {
		return 0, err
	}
	f, err := s.fetch(ctx, a, rel)
	defer f.discard()
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

// fetch downloads a's object into a verified temporary file beside rel.
func (s *Syncer) fetch(ctx context.Context, a planner.Action, rel string) (*fetched, error) {
	if a.Remote == nil {
		return nil, fmt.Errorf("download %s: no remote entry", a.Path)
	}
	obj, err := s.store.GetObject(ctx, s.opts.Bucket, a.Key, ks3.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("get ks3://%s/%s: %w", s.opts.Bucket, a.Key, err)
	}
	defer obj.Body.Close()
	body, enc, err := s.plaintext(obj, a.Key)
	if err != nil {
		return nil, err
	}
	s.emit(Event{Kind: EventStart, Action: string(planner.Download), Path: rel, Key: a.Key, Size: obj.Size})
	final := s.localPath(rel)
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return nil, err
	}
	f := &fetched{
		mtime:  mtimeOf(obj),
		remote: remoteState{key: a.Key, size: obj.Size, etag: obj.ETag, storageClass: obj.StorageClass, encrypted: enc != nil},
	}
	if err := s.writeTemp(ctx, final, rel, body, expectedMD5(obj, enc), f); err != nil {
		return f, fmt.Errorf("download ks3://%s/%s: %w", s.opts.Bucket, a.Key, err)
	}
	return f, nil
}

// place renames a fetched file over rel and records the new base. If the
// file is touched between the rename and the stat, the base is not
// recorded, so the next pass looks at it again.
func (s *Syncer) place(ctx context.Context, f *fetched, rel string) error {
	s.suppress(rel)
	if err := f.file.Place(); err != nil {
		return err
	}
	fp, err := localfs.Stat(s.opts.Root, rel)
	if err != nil {
		return err
	}
	// The mtime is compared with the filesystem's precision in mind (FAT
	// keeps two seconds).
	if fp.Size != f.size || (!f.mtime.IsZero() && absDuration(fp.MTime-f.mtime.UnixNano()) > 2*time.Second) {
		return fmt.Errorf("%w: %s changed right after it was downloaded", errRetryLater, rel)
	}
	f.remote.mtime = fp.MTime
	return s.putBase(ctx, rel, fp, f.md5, f.remote)
}

// checkLocalTarget refuses to overwrite a local file that changed since the
// scan, or appeared after it.
func (s *Syncer) checkLocalTarget(a planner.Action, rel string) error {
	if a.Local != nil && rel == a.Path {
		return s.unchanged(rel, a.Local.Fingerprint)
	}
	if _, err := os.Lstat(s.localPath(rel)); err == nil {
		return fmt.Errorf("%w: %s appeared locally during the pass", errRetryLater, rel)
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// plaintext returns a reader of the object's content, decrypting it when it
// was encrypted with the KS3 SDK scheme. A missing or wrong key fails here,
// before anything is written.
func (s *Syncer) plaintext(obj *ks3.Object, key string) (io.Reader, *ks3crypto.Metadata, error) {
	meta, enc, err := ks3crypto.ParseMetadata(obj.Metadata)
	if err != nil {
		return nil, nil, fmt.Errorf("object ks3://%s/%s: %w", s.opts.Bucket, key, err)
	}
	if !enc {
		return obj.Body, nil, nil
	}
	if s.opts.Key == nil {
		return nil, nil, fmt.Errorf("object ks3://%s/%s is encrypted; set encryption.key_file for pair %s", s.opts.Bucket, key, s.opts.Pair)
	}
	if err := s.opts.Key.Check(meta, key); err != nil {
		return nil, nil, err
	}
	return ks3crypto.NewDecryptReader(obj.Body, *s.opts.Key, meta), meta, nil
}

// expectedMD5 is the plaintext MD5 an object promises: ks3sync's own
// metadata, the SDK's, or the ETag of a plain single-PUT object.
func expectedMD5(obj *ks3.Object, enc *ks3crypto.Metadata) string {
	if recorded := objmeta.Read(obj.Metadata).MD5; recorded != "" {
		return recorded
	}
	if enc != nil {
		if enc.PlainMD5 != nil {
			return hex.EncodeToString(enc.PlainMD5)
		}
		return ""
	}
	if objmeta.IsMD5Hex(obj.ETag) {
		return strings.ToLower(obj.ETag)
	}
	return ""
}

// mtimeOf is the source mtime ks3sync stored, else the object's LastModified.
func mtimeOf(obj *ks3.Object) time.Time {
	if t := objmeta.Read(obj.Metadata).MTime; !t.IsZero() {
		return t
	}
	return obj.LastModified
}

// writeTemp streams body into a new temporary file beside final, verifies
// its MD5 and seals it (on disk, with its mtime), recording all of it in f.
// On error f.file (if set) is left for the caller's discard.
func (s *Syncer) writeTemp(ctx context.Context, final, rel string, body io.Reader, wantMD5 string, f *fetched) error {
	file, err := localfs.Create(final)
	if err != nil {
		return err
	}
	f.file = file
	h := md5.New()
	n, err := io.Copy(io.MultiWriter(file, h), s.throttleReader(ctx, body, rel))
	if err != nil {
		return err
	}
	f.size, f.md5 = n, hex.EncodeToString(h.Sum(nil))
	if wantMD5 != "" && f.md5 != wantMD5 {
		return fmt.Errorf("content MD5 %s does not match the object's %s; discarded", f.md5, wantMD5)
	}
	return file.Seal(f.mtime)
}

// conflict keeps both versions: the remote version is downloaded and
// verified first; only then does the local file move to its conflict name
// (uploaded by the next pass like any new file) and the download take its
// place. A failed download leaves the local file where it was.
func (s *Syncer) conflict(ctx context.Context, a planner.Action) (int64, error) {
	remoteOnly := a
	remoteOnly.Local = nil
	f, err := s.fetch(ctx, remoteOnly, a.Path)
	defer f.discard()
	if err != nil {
		return 0, err
	}
	if a.Local != nil {
		if err := s.unchanged(a.Path, a.Local.Fingerprint); err != nil {
			return 0, err
		}
		dst := s.localPath(a.ConflictPath)
		if _, err := os.Lstat(dst); err == nil {
			return 0, fmt.Errorf("conflict copy %s already exists", a.ConflictPath)
		}
		s.suppress(a.Path)
		if err := os.Rename(s.localPath(a.Path), dst); err != nil {
			return 0, fmt.Errorf("keep local version as %s: %w", a.ConflictPath, err)
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

func absDuration(ns int64) time.Duration {
	if ns < 0 {
		ns = -ns
	}
	return time.Duration(ns)
}

// staleTempAge is how old a temporary file must be (since its last write)
// before a pass takes it for the leftover of a process that died.
const staleTempAge = time.Hour

// removeStaleTemps deletes the temporary files of downloads that a killed
// process left behind. A download in progress writes its file continually,
// so it is never that old.
func (s *Syncer) removeStaleTemps(temps []string) {
	cutoff := s.opts.Now().Add(-staleTempAge)
	for _, rel := range temps {
		p := filepath.Join(s.opts.Root, filepath.FromSlash(rel))
		fi, err := os.Lstat(p)
		if err != nil || !fi.Mode().IsRegular() || fi.ModTime().After(cutoff) {
			continue
		}
		if err := os.Remove(p); err != nil {
			s.log.Warn().Err(err).Str("path", rel).Msg("remove stale temporary file")
			continue
		}
		s.log.Info().Str("path", rel).Msg("removed a temporary file left by an interrupted download")
	}
}
