package syncer

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/localfs"
	"github.com/ks3sync/ks3sync/objmeta"
	"github.com/ks3sync/ks3sync/planner"
	"github.com/ks3sync/ks3sync/state"
)

// Uploads are written ahead. Before its first request an upload records
// its intent (state.Intent: the key, the plaintext MD5, the file's
// fingerprint); the base entry that records its end removes it. A process
// killed between the server's answer and that base entry leaves an intent
// behind, and the next pass settles it before planning:
//
//   - the object under the key is the one the intent describes (its
//     recorded MD5 matches): it becomes the base, so that the file deleted
//     or rewritten since is seen as deleted or changed, and not as a new
//     remote object that a push leaves alone;
//   - a multipart upload of the key that no checkpoint names, begun after
//     the intent, is the killed process's own: it is aborted, so no
//     unfinished upload is left to cost storage;
//   - anything else: the intent is dropped, the plan decides as usual.
//
// Downloads are written ahead the same way: before the verified temporary
// file is renamed into place, its intent names the object it copies and
// the file's fingerprint. A process killed after the rename leaves a file
// that no base entry records; the next pass finds it by its size, mtime
// and inode and records the object as its base. Without that, a pull would
// see a local file nobody synced: kept as a conflict copy when the object
// changed again, and never deleted when the object was.

// intentClockSkew is how much earlier than an intent the server's clock may
// date an upload that the intent's process began.
const intentClockSkew = 15 * time.Minute

// recordIntent saves the intent of uploading src under key. Nothing is
// sent unless it is recorded.
func (s *Syncer) recordIntent(ctx context.Context, key string, src *source, multipart bool) error {
	if s.db == nil {
		return nil
	}
	err := s.db.SaveIntent(context.WithoutCancel(ctx), state.Intent{
		Pair: s.opts.Pair, Path: src.rel, Key: key, MD5: src.md5,
		LocalSize: src.fp.Size, LocalMTime: src.fp.MTime, LocalCTime: src.fp.CTime, LocalInode: src.fp.Inode,
		Multipart: multipart, Created: s.opts.Now(),
	})
	if err != nil {
		return fmt.Errorf("record the upload of %s before sending it: %w", src.rel, err)
	}
	return nil
}

// recordPlacing saves the intent of placing the fetched file at rel, with
// the fingerprint it has now (a rename keeps size, mtime and inode).
func (s *Syncer) recordPlacing(ctx context.Context, f *fetched, rel string) error {
	if s.db == nil {
		return nil
	}
	fi, err := os.Stat(f.file.Name())
	if err != nil {
		return err
	}
	fp := localfs.FingerprintOf(fi)
	err = s.db.SaveIntent(context.WithoutCancel(ctx), state.Intent{
		Pair: s.opts.Pair, Path: rel, Key: f.remote.key, MD5: f.md5,
		LocalSize: fp.Size, LocalMTime: fp.MTime, LocalCTime: fp.CTime, LocalInode: fp.Inode,
		Download: true, ETag: f.remote.etag, RemoteSize: f.remote.size, StorageClass: f.remote.storageClass,
		Encrypted: f.remote.encrypted, Created: s.opts.Now(),
	})
	if err != nil {
		return fmt.Errorf("record the download of %s before placing it: %w", rel, err)
	}
	return nil
}

// settleIntents settles the intents left for the paths of this pass (nil:
// all), adjusting in.Base to what they prove. A dry run changes nothing
// but its own view.
func (s *Syncer) settleIntents(ctx context.Context, in *planner.Input, paths []string) {
	for _, it := range s.pendingIntents(ctx, paths) {
		s.settleIntent(ctx, in, it)
	}
}

// pendingIntents returns the intents left for the paths of this pass (nil:
// all), in path order.
func (s *Syncer) pendingIntents(ctx context.Context, paths []string) []state.Intent {
	if s.db == nil {
		return nil
	}
	want := s.pathMatcher(paths)
	var left []state.Intent
	for it, err := range s.db.Intents(ctx, s.opts.Pair) {
		if err != nil {
			s.log.Warn().Err(err).Msg("read transfer intents")
			return nil
		}
		if want(it.Path) {
			left = append(left, it)
		}
	}
	return left
}

// settleWindowIntents settles the intents whose path or key one window of
// a streamed pass holds, and returns the others.
func (s *Syncer) settleWindowIntents(ctx context.Context, in *planner.Input, intents []state.Intent) []state.Intent {
	if len(intents) == 0 {
		return intents
	}
	return slices.DeleteFunc(intents, func(it state.Intent) bool {
		if !windowHolds(in, it) {
			return false
		}
		s.settleIntent(ctx, in, it)
		return true
	})
}

// windowHolds reports whether the window in has an entry of it's path or
// key on any side.
func windowHolds(in *planner.Input, it state.Intent) bool {
	_, l := slices.BinarySearchFunc(in.Local, it.Path, func(e planner.LocalEntry, p string) int { return strings.Compare(e.Path, p) })
	_, b := slices.BinarySearchFunc(in.Base, it.Path, func(e planner.BaseEntry, p string) int { return strings.Compare(e.Path, p) })
	_, r := slices.BinarySearchFunc(in.Remote, it.Key, func(e planner.RemoteEntry, k string) int { return strings.Compare(e.Key, k) })
	return l || b || r
}

func (s *Syncer) settleIntent(ctx context.Context, in *planner.Input, it state.Intent) {
	if it.Download {
		s.settlePlacing(ctx, in, it)
		return
	}
	if it.Multipart && !s.opts.DryRun {
		s.abortUnrecorded(ctx, it)
	}
	i, found := slices.BinarySearchFunc(in.Remote, it.Key, func(r planner.RemoteEntry, k string) int { return strings.Compare(r.Key, k) })
	if found && !baseRecords(in.Base, it.Path, in.Remote[i]) && s.isIntended(ctx, in.Remote[i], it) {
		s.adopt(ctx, in, s.intendedBase(in.Remote[i], it), "recorded an upload that a stopped run had sent but not recorded")
		return
	}
	s.dropIntent(ctx, it)
}

// adopt records b, what a stopped run did but did not record, as the base
// (which removes the intent), and plans with it. A dry run only plans with
// it.
func (s *Syncer) adopt(ctx context.Context, in *planner.Input, b state.BaseEntry, msg string) {
	if !s.opts.DryRun {
		if err := s.db.PutBase(context.WithoutCancel(ctx), b); err != nil {
			s.log.Warn().Err(err).Str("path", b.Path).Msg("record a transfer a stopped run did not record")
			return
		}
	}
	setBase(in, toPlannerBase(b))
	s.log.Info().Str("path", b.Path).Str("key", b.RemoteKey).Msg(msg)
}

// dropIntent forgets an intent that proved nothing: the plan decides as
// usual.
func (s *Syncer) dropIntent(ctx context.Context, it state.Intent) {
	if s.opts.DryRun {
		return
	}
	if err := s.db.DeleteIntent(context.WithoutCancel(ctx), s.opts.Pair, it.Path); err != nil {
		s.log.Warn().Err(err).Str("path", it.Path).Msg("drop a transfer's intent")
	}
}

// baseRecords reports whether the base already records r for path: then
// the intent's upload did not replace it.
func baseRecords(base []planner.BaseEntry, path string, r planner.RemoteEntry) bool {
	i, found := slices.BinarySearchFunc(base, path, func(e planner.BaseEntry, p string) int { return strings.Compare(e.Path, p) })
	return found && base[i].RemoteKey == r.Key && base[i].ETag == r.ETag
}

// isIntended reports whether the listed object r is the one it meant to
// write: the MD5 its metadata records (sealed with the pair's key when
// encrypted) is the intent's.
func (s *Syncer) isIntended(ctx context.Context, r planner.RemoteEntry, it state.Intent) bool {
	info, err := s.store.HeadObject(ctx, s.opts.Bucket, r.Key)
	if err != nil || info.ETag != r.ETag {
		return false
	}
	recorded := objmeta.Read(info.Metadata)
	switch {
	case recorded.KeyedMD5 != "" && s.opts.Key != nil:
		return objmeta.NewIdentity(*s.opts.Key).Matches(it.MD5, recorded.KeyedMD5)
	case recorded.MD5 != "":
		return recorded.MD5 == it.MD5
	}
	return s.opts.Key == nil && strings.EqualFold(info.ETag, it.MD5)
}

// settlePlacing settles the intent of a download: the file at its path is
// the one it placed when its size, mtime and inode are the intent's (the
// rename changed its ctime), and then the object it copied becomes the
// base, so that a later change or deletion on either side is seen as one.
func (s *Syncer) settlePlacing(ctx context.Context, in *planner.Input, it state.Intent) {
	i, found := slices.BinarySearchFunc(in.Local, it.Path, func(l planner.LocalEntry, p string) int { return strings.Compare(l.Path, p) })
	if found {
		l := in.Local[i]
		if l.Size == it.LocalSize && l.MTime == it.LocalMTime && l.Inode == it.LocalInode {
			b := state.BaseEntry{
				Pair: s.opts.Pair, Path: it.Path,
				LocalSize: l.Size, LocalMTime: l.MTime, LocalCTime: l.CTime, LocalInode: l.Inode,
				MD5:       it.MD5,
				RemoteKey: it.Key, RemoteSize: it.RemoteSize, ETag: it.ETag, StorageClass: it.StorageClass,
				Encrypted: it.Encrypted, RemoteMTime: l.MTime, SyncedAt: s.opts.Now(),
			}
			s.adopt(ctx, in, b, "recorded a download that a stopped run had placed but not recorded")
			return
		}
	}
	s.dropIntent(ctx, it)
}

// intendedBase is the base entry the killed upload would have recorded.
func (s *Syncer) intendedBase(r planner.RemoteEntry, it state.Intent) state.BaseEntry {
	return state.BaseEntry{
		Pair: s.opts.Pair, Path: it.Path,
		LocalSize: it.LocalSize, LocalMTime: it.LocalMTime, LocalCTime: it.LocalCTime, LocalInode: it.LocalInode,
		MD5:       it.MD5,
		RemoteKey: r.Key, RemoteSize: r.Size, ETag: r.ETag, StorageClass: r.StorageClass,
		Encrypted: s.opts.Key != nil && it.LocalSize > 0, RemoteMTime: it.LocalMTime,
		SyncedAt: s.opts.Now(),
	}
}

// setBase puts b into in.Base, which is in path order.
func setBase(in *planner.Input, b planner.BaseEntry) {
	i, found := slices.BinarySearchFunc(in.Base, b.Path, func(e planner.BaseEntry, p string) int { return strings.Compare(e.Path, p) })
	if found {
		in.Base[i] = b
		return
	}
	in.Base = slices.Insert(in.Base, i, b)
}

// abortUnrecorded aborts the multipart uploads of the intent's key that no
// checkpoint names and that began after it: the killed process began
// them, and nobody can finish them.
func (s *Syncer) abortUnrecorded(ctx context.Context, it state.Intent) {
	recorded := make(map[string]bool)
	for u, err := range s.db.Uploads(ctx) {
		if err != nil {
			s.log.Warn().Err(err).Msg("read upload checkpoints")
			return
		}
		recorded[u.UploadID] = true
	}
	since := it.Created.Add(-intentClockSkew)
	for u, err := range s.store.ListMultipartUploads(ctx, s.opts.Bucket, ks3.ListUploadsOptions{Prefix: it.Key}) {
		if err != nil {
			s.log.Warn().Err(err).Str("key", it.Key).Msg("list the uploads a stopped run may have begun")
			return
		}
		if u.Key != it.Key || recorded[u.UploadID] || u.Initiated.Before(since) {
			continue
		}
		if err := s.store.AbortMultipartUpload(ctx, s.opts.Bucket, u.Key, u.UploadID); err != nil && !ks3.IsNotFound(err) {
			s.log.Warn().Err(err).Str("upload_id", u.UploadID).Msg("abort an upload a stopped run began")
			continue
		}
		s.log.Info().Str("key", u.Key).Str("upload_id", u.UploadID).Msg("aborted an upload that a stopped run began but never recorded")
	}
}

// dropStaleUploads aborts the checkpointed multipart uploads of paths of
// this pass (nil: all) that its plan does not upload: the file was deleted
// or changed back, or the object came down instead. Their parts would
// otherwise wait for stale_uploads.
func (s *Syncer) dropStaleUploads(ctx context.Context, plan *planner.Result, paths []string) {
	if s.db == nil {
		return
	}
	planned := make(map[string]bool)
	for _, a := range plan.Actions {
		if a.Kind == planner.Upload || a.Kind == planner.Conflict {
			planned[a.Path] = true
		}
	}
	inPass := pathFilter(paths)
	var stale []state.Upload
	for u, err := range s.db.Uploads(ctx) {
		if err != nil {
			s.log.Warn().Err(err).Msg("read upload checkpoints")
			return
		}
		if u.Pair == s.opts.Pair && inPass(u.Path) && !planned[u.Path] {
			stale = append(stale, u)
		}
	}
	for i := range stale {
		s.abandon(ctx, &stale[i])
	}
}
