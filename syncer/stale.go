package syncer

import (
	"context"
	"time"

	"github.com/ks3sync/ks3sync/state"
)

// AbortStale aborts the pair's checkpointed multipart uploads that are older
// than age and forgets them, so abandoned parts stop costing storage. It
// returns how many it aborted.
func (s *Syncer) AbortStale(ctx context.Context, age time.Duration) (int, error) {
	if age <= 0 {
		return 0, nil
	}
	cutoff := s.opts.Now().Add(-age)
	var stale []state.Upload
	for u, err := range s.db.Uploads(ctx) {
		if err != nil {
			return 0, err
		}
		if u.Pair == s.opts.Pair && u.Created.Before(cutoff) {
			stale = append(stale, u)
		}
	}
	for i := range stale {
		s.abandon(ctx, &stale[i])
	}
	return len(stale), nil
}
