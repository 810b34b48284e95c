package daemon

import (
	"fmt"
	"slices"
	"time"

	"github.com/ks3sync/ks3sync/syncer"
)

// Reasons a pair is unhealthy, in PairHealth.Reason.
const (
	ReasonStarting    = "starting"             // no pass has finished since the daemon started
	ReasonUnreachable = "endpoint_unreachable" // the last pass could not reach the endpoint
	ReasonAuth        = "auth_failure"         // the endpoint refused the credentials
	ReasonNoFolder    = "folder_missing"       // the pair's local folder does not exist
	ReasonRefused     = "guard_refusal"        // a safety guard held the last pass back
	ReasonFailing     = "pass_failing"         // the last pass failed for another reason
	ReasonStale       = "no_recent_success"    // no pass succeeded within the expected interval
	ReasonQueueStuck  = "queue_stuck"          // changes wait too long with no pass running
	ReasonPaused      = "paused"               // a person paused the pair: nothing syncs until it is resumed
)

// QueueStuckAfter is how long a local change may wait, with no pass
// running, before the pair counts as stuck. Paths that keep failing wait in
// the queue between retries, so a permanent item failure shows up here.
const QueueStuckAfter = 15 * time.Minute

// expectedInterval is how long a pair may go without a successful pass:
// two full reconcile intervals, so one slow or failed reconcile in a quiet
// folder is not an alarm but a missed cycle is.
func expectedInterval(p *PairStatus) time.Duration {
	return 2 * time.Duration(p.RescanSeconds*float64(time.Second))
}

// evaluate judges a pair's health at now: healthy only when its last pass
// succeeded, recently enough, and its queue moves.
func evaluate(p *PairStatus, now time.Time) PairHealth {
	last := p.Last
	switch {
	case p.Paused && p.PausedAt != nil:
		return unhealthy(ReasonPaused, fmt.Sprintf("paused for %s: nothing syncs until it is resumed", round(now.Sub(*p.PausedAt))))
	case last == nil:
		return unhealthy(ReasonStarting, "the first reconcile has not finished yet")
	case last.Outcome == syncer.OutcomeRefused:
		return unhealthy(ReasonRefused, "guard refusal: "+last.Error)
	case last.Outcome == syncer.OutcomeFailed:
		return failing(p, last, now)
	}
	if p.LastSuccessAt != nil {
		if d := now.Sub(*p.LastSuccessAt); d > expectedInterval(p) {
			return unhealthy(ReasonStale, fmt.Sprintf("no successful pass for %s", round(d)))
		}
	}
	q := p.Queue
	if q.Depth > 0 && q.OldestAt != nil && p.Active == activityIdle {
		if d := now.Sub(*q.OldestAt); d > QueueStuckAfter {
			return unhealthy(ReasonQueueStuck, fmt.Sprintf("queue stuck: %d change(s) waiting, the oldest for %s", q.Depth, round(d)))
		}
	}
	return PairHealth{Healthy: true}
}

// failing describes a pair whose last pass failed, by the kind of error.
func failing(p *PairStatus, last *PassSummary, now time.Time) PairHealth {
	since := last.EndedAt
	if p.FailingSince != nil {
		since = *p.FailingSince
	}
	d := round(now.Sub(since))
	switch last.ErrorKind {
	case syncer.KindNetwork:
		return unhealthy(ReasonUnreachable, fmt.Sprintf("endpoint unreachable for %s: %s", d, last.Error))
	case syncer.KindAuth:
		return unhealthy(ReasonAuth, fmt.Sprintf("auth failure for %s: %s", d, last.Error))
	case syncer.KindNoFolder:
		return unhealthy(ReasonNoFolder, fmt.Sprintf("local folder missing for %s (mount its disk or correct local: in the config): %s", d, last.Error))
	}
	return unhealthy(ReasonFailing, fmt.Sprintf("pass failing for %s (%d in a row): %s", d, p.ConsecutiveFailures, last.Error))
}

func unhealthy(reason, msg string) PairHealth {
	return PairHealth{Reason: reason, Message: msg}
}

// round drops the sub-second part of d for messages.
func round(d time.Duration) time.Duration { return max(d, 0).Truncate(time.Second) }

// At returns a copy of s with every pair's health, and s's, evaluated at
// now. s itself is not changed.
func (s *Status) At(now time.Time) *Status {
	out := *s
	out.GeneratedAt = now
	out.Pairs = slices.Clone(s.Pairs)
	out.Healthy = len(out.Pairs) > 0
	for i := range out.Pairs {
		h := evaluate(&out.Pairs[i], now)
		out.Pairs[i].Health = h
		out.Healthy = out.Healthy && h.Healthy
	}
	return &out
}
