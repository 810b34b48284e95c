package syncer

import (
	"context"

	"github.com/ks3sync/ks3sync/planner"
)

// checkPartialOverwrite applies max_overwrite to a watch pass by the rule
// checkPartialGuard applies to max_delete: the existing objects it plans to
// overwrite against the files the pair had when it started (its base).
// With history on nothing is refused: every overwritten version is kept.
func (s *Syncer) checkPartialOverwrite(ctx context.Context, plan *planner.Result) error {
	lim := s.opts.MaxOverwrite
	if s.opts.History.On() || plan.Overwrites == 0 || (lim.Count == 0 && lim.Percent == 0) {
		return nil
	}
	base, err := s.db.CountBase(ctx, s.opts.Pair)
	if err != nil {
		return err
	}
	if exceeds(plan.Overwrites, base, lim) {
		return &planner.GuardError{Guard: planner.GuardMaxOverwrite, Overwrites: plan.Overwrites, Files: base, Limit: lim, Side: planner.SideRemote}
	}
	return nil
}
