package syncer

import (
	"context"

	"github.com/ks3sync/ks3sync/planner"
)

// checkPartialOverwrite applies max_overwrite to a watch pass, as
// checkPartialGuard does max_delete: its overwrites plus those of the watch
// passes since the last full pass, against the files the pair has. A folder
// rewritten file by file (ransomware) is stopped like one rewritten at once.
func (s *Syncer) checkPartialOverwrite(ctx context.Context, plan *planner.Result) error {
	lim := s.opts.MaxOverwrite
	if s.opts.History.On() || plan.Overwrites == 0 || (lim.Count == 0 && lim.Percent == 0) {
		return nil
	}
	base, err := s.db.CountBase(ctx, s.opts.Pair)
	if err != nil {
		return err
	}
	if sum := s.watchOverwrites + plan.Overwrites; exceeds(sum, base, lim) {
		return &planner.GuardError{Guard: planner.GuardMaxOverwrite, Overwrites: sum, Files: base, Limit: lim, Side: planner.SideRemote}
	}
	if !s.opts.DryRun {
		s.watchOverwrites += plan.Overwrites
	}
	return nil
}
