package syncer

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/ks3sync/ks3sync/history"
	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/objmeta"
	"github.com/ks3sync/ks3sync/planner"
)

// EventRefreshMTime reports an object whose mtime metadata a pass replaced
// with the local file's, by a copy of the object onto itself.
const EventRefreshMTime EventKind = "refresh-mtime"

// Retention at the end of passes: at most once per retainEvery unless the
// last run stopped part way, and at most retainMaxKeys kept versions (ten
// listing pages) per pass.
const (
	retainEvery   = time.Hour
	retainMaxKeys = 10_000
)

// retention is where the history's retention stopped and when it ran.
type retention struct {
	at   time.Time
	next string // where to go on; "" when the last run reached the end
}

// historyArea is where the pair keeps the versions it displaces.
func (s *Syncer) historyArea() history.Area {
	return history.Area{Bucket: s.opts.Bucket, Prefix: s.opts.Prefix}
}

// current returns the object an action is about to displace, as it is now:
// nil when it is gone. When it is no longer the object the plan was made
// from, the action waits for the next pass, which plans with what is there.
func (s *Syncer) current(ctx context.Context, a planner.Action) (*ks3.ObjectInfo, error) {
	info, err := s.store.HeadObject(ctx, s.opts.Bucket, a.Key)
	if ks3.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("head ks3://%s/%s: %w", s.opts.Bucket, a.Key, err)
	}
	if a.Remote != nil && a.Remote.ETag != "" && !strings.EqualFold(info.ETag, a.Remote.ETag) {
		return nil, fmt.Errorf("%w: ks3://%s/%s changed since it was listed", errRetryLater, s.opts.Bucket, a.Key)
	}
	return info, nil
}

// keep keeps the object an action is about to overwrite or delete in the
// pair's history, when the pair keeps history and the object exists. When
// it fails, the action must not go on.
func (s *Syncer) keep(ctx context.Context, a planner.Action, cause history.Cause) error {
	if !s.opts.History.On() || a.Remote == nil {
		return nil
	}
	info, err := s.current(ctx, a)
	if err != nil || info == nil {
		return err
	}
	return s.keepObject(ctx, a, info, cause)
}

// keepObject copies the object info describes into the history area.
func (s *Syncer) keepObject(ctx context.Context, a planner.Action, info *ks3.ObjectInfo, cause history.Cause) error {
	src := history.Source{Name: strings.TrimPrefix(a.Key, s.opts.Prefix), Info: info}
	if a.Remote != nil && a.Remote.Modified != 0 && strings.EqualFold(info.ETag, a.Remote.ETag) {
		src.Written = time.Unix(0, a.Remote.Modified) // the listing's milliseconds
	}
	k := history.Keeper{Copier: s.store, Area: s.historyArea(), Host: s.opts.Host}
	_, err := k.Keep(ctx, src, cause, s.opts.Now())
	return err
}

// keepBeforeDelete keeps the objects of a batch of remote deletions in the
// history and returns the deletions that may go ahead; the others fail.
func (s *Syncer) keepBeforeDelete(ctx context.Context, actions []planner.Action, t *tally) []planner.Action {
	if !s.opts.History.On() && !s.checksOthers() {
		return actions
	}
	ok := make([]bool, len(actions))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.opts.Transfers)
	for i, a := range actions {
		g.Go(func() error {
			if err := s.beforeDisplace(gctx, a, history.Deleted); err != nil {
				s.failed(ctx, a, err, t)
				return nil
			}
			ok[i] = true
			return nil
		})
	}
	g.Wait()
	var out []planner.Action
	for i, a := range actions {
		if ok[i] {
			out = append(out, a)
		}
	}
	return out
}

// refreshMTime replaces the object's mtime metadata with the local file's
// by copying the object onto itself, keeping every other attribute and the
// encryption metadata; with history on, the object as it was is kept first.
func (s *Syncer) refreshMTime(ctx context.Context, a planner.Action) error {
	if a.Local == nil || a.Remote == nil {
		return fmt.Errorf("refresh mtime of %s: both sides are needed", a.Path)
	}
	if err := s.unchanged(a.Path, a.Local.Fingerprint); err != nil {
		return err
	}
	info, err := s.current(ctx, a)
	if err != nil {
		return err
	}
	if info == nil {
		return fmt.Errorf("%w: ks3://%s/%s is gone", errRetryLater, s.opts.Bucket, a.Key)
	}
	if s.opts.History.On() {
		if err := s.keepObject(ctx, a, info, history.Replaced); err != nil {
			return err
		}
	}
	res, err := s.store.Copy(ctx, s.opts.Bucket, a.Key, s.opts.Bucket, a.Key, info.Size, s.refreshOptions(a, info))
	if err != nil {
		return fmt.Errorf("refresh mtime of ks3://%s/%s: %w", s.opts.Bucket, a.Key, err)
	}
	return s.putBase(ctx, a.Path, a.Local.Fingerprint, a.Local.MD5, remoteState{
		key: a.Key, size: info.Size, etag: res.ETag, storageClass: info.StorageClass,
		encrypted: a.Remote.Encrypted, mtime: a.Local.MTime,
	})
}

// refreshOptions are the attributes of the copy that refreshes an object's
// mtime: the object's own, with the local mtime (and plaintext MD5, which
// the planner has shown to be the object's; keyed for an encrypted one).
func (s *Syncer) refreshOptions(a planner.Action, info *ks3.ObjectInfo) ks3.ServerCopyOptions {
	meta := maps.Clone(info.Metadata)
	if meta == nil {
		meta = map[string]string{}
	}
	attrs := objmeta.Attrs{MTime: time.Unix(0, a.Local.MTime), MD5: a.Local.MD5}
	if a.Remote.Encrypted && s.opts.Key != nil { // never the MD5 of a secret in clear
		attrs.KeyedMD5, attrs.MD5 = objmeta.NewIdentity(*s.opts.Key).Of(a.Local.MD5), ""
		delete(meta, objmeta.NameMD5)
	}
	maps.Copy(meta, attrs.Metadata())
	return ks3.ServerCopyOptions{CopyOptions: ks3.CopyOptions{
		MetadataDirective: ks3.MetadataDirectiveReplace,
		PutOptions: ks3.PutOptions{
			ContentType: info.ContentType, Metadata: meta, StorageClass: info.StorageClass, ACL: s.opts.ACL,
			CacheControl: info.CacheControl, ContentDisposition: info.ContentDisposition, ContentEncoding: info.ContentEncoding,
		},
	}}
}

// retain applies the history's retention at the end of a pass, bounded to
// retainMaxKeys kept versions; the next pass goes on where it stopped. A
// Syncer's first run starts at a random name of the pass's listing and
// wraps around to the start, so that one-shot runs, which never go on,
// still cover a large history in turn. Failures are reported and do not
// fail the pass.
func (s *Syncer) retain(ctx context.Context, remote []planner.RemoteEntry) {
	if !s.opts.History.On() || s.opts.DryRun || s.opts.Direction == planner.Pull {
		return
	}
	now := s.opts.Now()
	if !s.retained.at.IsZero() && s.retained.next == "" && now.Sub(s.retained.at) < retainEvery {
		return
	}
	after := s.retained.next
	if s.retained.at.IsZero() && len(remote) > 0 {
		after = s.historyArea().Root() + strings.TrimPrefix(remote[rand.IntN(len(remote))].Key, s.opts.Prefix)
	}
	res, err := s.prune(ctx, now, after, retainMaxKeys)
	if seen := res.Kept + res.Deleted; err == nil && res.Next == "" && after != "" && seen < retainMaxKeys {
		var more history.PruneResult
		more, err = s.prune(ctx, now, "", retainMaxKeys-seen) // wrap around
		res.Deleted, res.DeletedBytes, res.Next = res.Deleted+more.Deleted, res.DeletedBytes+more.DeletedBytes, more.Next
	}
	s.retained = retention{at: now, next: res.Next}
	if err != nil {
		msg := fmt.Sprintf("history retention: %v", err)
		s.log.Warn().Msg(msg)
		s.emit(Event{Kind: EventWarning, Reason: msg})
		return
	}
	if res.Deleted > 0 {
		s.log.Info().Int("versions", res.Deleted).Int64("bytes", res.DeletedBytes).Str("policy", s.opts.History.String()).Msg("pruned history")
	}
}

// prune applies the retention policy to at most maxKeys kept versions
// after the key after.
func (s *Syncer) prune(ctx context.Context, now time.Time, after string, maxKeys int) (history.PruneResult, error) {
	return history.Prune(ctx, s.store, s.historyArea(), history.PruneOptions{
		Policy: s.opts.History, Now: now, After: after, MaxKeys: maxKeys,
	})
}
