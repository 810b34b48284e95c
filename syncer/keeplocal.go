package syncer

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ks3sync/ks3sync/history"
	"github.com/ks3sync/ks3sync/objmeta"
	"github.com/ks3sync/ks3sync/planner"
)

// downloadOver runs a download. One that replaces a local version the
// remote side won over (planner.Action.KeepLocal) first keeps that version
// in the pair's history; a version too large for one PUT becomes a conflict
// copy instead, and a is turned into the Conflict it then was.
func (s *Syncer) downloadOver(ctx context.Context, a *planner.Action) (int64, error) {
	if !a.KeepLocal || a.Local == nil {
		return s.download(ctx, *a, a.Path)
	}
	if a.Local.Size >= s.opts.MultipartThreshold || !s.opts.History.On() {
		a.Kind, a.Reason = planner.Conflict, a.Reason+"; the local version is kept as a conflict copy instead"
		return s.conflict(ctx, *a)
	}
	if err := s.keepLocalVersion(ctx, *a); err != nil {
		return 0, err
	}
	return s.download(ctx, *a, a.Path)
}

// keepLocalVersion uploads the local file of a into the pair's history as
// the version the download is about to replace, with the history metadata
// of a version ks3sync displaced (its mtime stands for when it was
// written). It fails, and the download must not go on, when the file
// changed since the scan.
func (s *Syncer) keepLocalVersion(ctx context.Context, a planner.Action) error {
	src, err := s.openSource(ctx, a)
	if err != nil {
		return err
	}
	defer src.f.Close()
	written := time.Unix(0, src.fp.MTime)
	v := history.Version{Name: strings.TrimPrefix(a.Key, s.opts.Prefix), Written: written,
		Host: history.HostName(s.opts.Host), Cause: history.Replaced}
	key := s.historyArea().Key(v)
	src.meta = objmeta.HistoryAttrs{Key: a.Key, Written: written, Displaced: s.opts.Now(), Host: v.Host, Cause: string(v.Cause)}.Metadata()
	if _, err := s.putSingle(ctx, key, src); err != nil {
		return fmt.Errorf("keep the local version of %s in history: %w", a.Path, err)
	}
	return s.unchanged(a.Path, src.fp)
}
