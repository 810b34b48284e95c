package daemon

import (
	"context"
	"time"

	"github.com/ks3sync/ks3sync/planner"
	"github.com/ks3sync/ks3sync/syncer"
)

// JournalPoller is what a pair's syncer offers to find other devices'
// changes cheaply (a *syncer.Syncer does): see syncer.PollJournal.
type JournalPoller interface {
	PollJournal(ctx context.Context, c *syncer.JournalCursor) (syncer.PollResult, error)
}

var _ JournalPoller = (*syncer.Syncer)(nil)

// poller returns the pair's journal poller and its interval, or nil when
// the pair does not poll: push pairs, and syncers without a journal.
func (l *loop) poller() (JournalPoller, time.Duration) {
	if l.pair.RemotePoll <= 0 || l.pair.Syncer.Options().Direction == planner.Push {
		return nil, 0
	}
	p, ok := l.pair.Syncer.(JournalPoller)
	if !ok {
		return nil, 0
	}
	return p, l.pair.RemotePoll
}

// poll reads the change journal and queues the paths other devices
// changed, like local changes: the next small pass syncs them. A failed
// poll is logged; the next one, or the full rescan, catches up.
func (l *loop) poll(ctx context.Context, p JournalPoller) {
	if l.gate.isPaused() {
		return
	}
	res, err := p.PollJournal(ctx, &l.cursor)
	if err != nil {
		if ctx.Err() == nil {
			l.log.Warn().Err(err).Msg("poll the change journal")
		}
		return
	}
	if len(res.Paths) == 0 {
		return
	}
	l.log.Info().Int("entries", res.Entries).Int("paths", len(res.Paths)).Msg("changes from other devices")
	if err := l.opts.DB.MarkDirty(ctx, l.name, l.opts.Now(), res.Paths...); err != nil {
		l.log.Error().Err(err).Msg("queue remote changes; a full reconcile follows")
		l.full.Reset(time.Second)
		return
	}
	l.queueChanged(ctx)
}
