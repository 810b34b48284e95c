package syncer

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/planner"
	"github.com/ks3sync/ks3sync/watcher"
)

// isTempName reports ks3sync's own temporary files, which never sync.
func isTempName(rel string) bool {
	return strings.HasPrefix(baseName(rel), watcher.TempPrefix)
}

func baseName(rel string) string {
	if i := strings.LastIndexByte(rel, '/'); i >= 0 {
		return rel[i+1:]
	}
	return rel
}

// download fetches the object of a into rel: to a temporary file in the
// same folder, decrypted if needed, verified against the MD5 the object
// carries, fsynced, given its mtime and renamed into place. Nothing is ever
// left half-written at rel.
func (s *Syncer) download(ctx context.Context, a planner.Action, rel string) (int64, error) {
	if a.Remote == nil {
		return 0, fmt.Errorf("download %s: no remote entry", a.Path)
	}
	if err := s.checkLocalTarget(a, rel); err != nil {
		return 0, err
	}
	obj, err := s.store.GetObject(ctx, s.opts.Bucket, a.Key, ks3.GetOptions{})
	if err != nil {
		return 0, fmt.Errorf("get ks3://%s/%s: %w", s.opts.Bucket, a.Key, err)
	}
	defer obj.Body.Close()
	body, enc, err := s.plaintext(obj, a.Key)
	if err != nil {
		return 0, err
	}
	s.emit(Event{Kind: EventStart, Action: string(planner.Download), Path: rel, Key: a.Key, Size: obj.Size})
	final := s.localPath(rel)
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return 0, err
	}
	s.suppress(rel)
	n, sum, err := s.writeTemp(ctx, final, rel, body, expectedMD5(obj, enc), mtimeOf(obj))
	if err != nil {
		return 0, fmt.Errorf("download ks3://%s/%s: %w", s.opts.Bucket, a.Key, err)
	}
	fp, err := watcher.Stat(s.opts.Root, rel)
	if err != nil {
		return 0, err
	}
	r := remoteState{key: a.Key, size: obj.Size, etag: obj.ETag, storageClass: obj.StorageClass, encrypted: enc != nil, mtime: fp.MTime}
	if err := s.putBase(ctx, rel, fp, sum, r); err != nil {
		return 0, err
	}
	return n, nil
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
	if v := obj.Metadata[metaMD5]; isMD5Hex(v) {
		return strings.ToLower(v)
	}
	if enc != nil {
		if enc.PlainMD5 != nil {
			return hex.EncodeToString(enc.PlainMD5)
		}
		return ""
	}
	if isMD5Hex(obj.ETag) {
		return strings.ToLower(obj.ETag)
	}
	return ""
}

// mtimeOf is the source mtime ks3sync stored, else the object's LastModified.
func mtimeOf(obj *ks3.Object) time.Time {
	if ns, ok := parseMTime(obj.Metadata[metaMTime]); ok {
		return time.Unix(0, ns)
	}
	return obj.LastModified
}

// writeTemp streams body into a temporary file beside final, verifies it,
// and renames it over final. It returns the size and hex MD5 written.
func (s *Syncer) writeTemp(ctx context.Context, final, rel string, body io.Reader, wantMD5 string, mtime time.Time) (int64, string, error) {
	tmp, err := os.CreateTemp(filepath.Dir(final), watcher.TempPrefix+"*")
	if err != nil {
		return 0, "", err
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := md5.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), s.throttleReader(ctx, body, rel))
	if err != nil {
		return 0, "", err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if wantMD5 != "" && sum != wantMD5 {
		return 0, "", fmt.Errorf("content MD5 %s does not match the object's %s; discarded", sum, wantMD5)
	}
	if err := tmp.Sync(); err != nil {
		return 0, "", err
	}
	if err := tmp.Close(); err != nil {
		return 0, "", err
	}
	if !mtime.IsZero() {
		if err := os.Chtimes(tmp.Name(), mtime, mtime); err != nil {
			return 0, "", err
		}
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return 0, "", err
	}
	ok = true
	syncDir(filepath.Dir(final))
	return n, sum, nil
}

// conflict keeps both versions: the local file moves to its conflict name
// (uploaded by the next pass like any new file) and the remote version is
// downloaded to the original path.
func (s *Syncer) conflict(ctx context.Context, a planner.Action) (int64, error) {
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
	}
	b := a
	b.Local = nil
	s.log.Warn().Str("path", a.Path).Str("local_copy", a.ConflictPath).Msg("conflict: both sides changed; kept both")
	return s.download(ctx, b, a.Path)
}
