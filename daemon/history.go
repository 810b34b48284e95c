package daemon

import (
	"context"
	"slices"
	"time"

	"github.com/ks3sync/ks3sync/history"
	"github.com/ks3sync/ks3sync/state"
	"github.com/ks3sync/ks3sync/syncer"
)

// PairConfig is what the status tells of a pair's configuration.
type PairConfig struct {
	Name      string
	Rescan    time.Duration // the full reconcile interval; 0 = one hour
	Direction string        // push, pull or both
	Local     string        // the local folder
	Bucket    string
	Prefix    string
	Encrypted bool // client-side encryption is on
	// History is the pair's version history policy.
	History history.Policy
}

// historyStatus is the status of the pair's history: nil when it keeps
// none (history off, or a pair that only pulls and so never displaces an
// object).
func (pc PairConfig) historyStatus() *HistoryStatus {
	if !pc.History.On() || pc.Direction == "pull" {
		return nil
	}
	return &HistoryStatus{KeepSeconds: pc.History.Keep.Seconds(), Versions: pc.History.Versions, RestorePoints: []time.Time{}}
}

// rescan returns the full reconcile interval.
func (pc PairConfig) rescan() time.Duration {
	if pc.Rescan <= 0 {
		return time.Hour
	}
	return pc.Rescan
}

// historyRuns is how many of a pair's last runs StatusFromState reads.
const historyRuns = 200

// StatusFromState builds the Status of pairs from the state database, for
// when no daemon answers: the last passes come from the run history, the
// queue from the dirty queue; nothing is in flight. Totals count the runs
// read. Health is judged as the daemon would at now.
func StatusFromState(ctx context.Context, db *state.DB, pairs []PairConfig, now time.Time) (*Status, error) {
	s := &Status{Version: StatusVersion, Source: "state", Ready: len(pairs) > 0, Pairs: []PairStatus{},
		Throughput: Throughput{Up: []int64{}, Down: []int64{}}}
	for _, pc := range pairs {
		p, err := pairFromState(ctx, db, pc)
		if err != nil {
			return nil, err
		}
		s.Ready = s.Ready && p.LastFullAt != nil
		s.Pairs = append(s.Pairs, p)
	}
	return s.At(now), nil
}

func pairFromState(ctx context.Context, db *state.DB, pc PairConfig) (PairStatus, error) {
	p := newPairState(pc, nil).snapshot(time.Time{})
	runs, err := db.Runs(ctx, pc.Name, historyRuns)
	if err != nil {
		return p, err
	}
	slices.Reverse(runs) // oldest first, as the daemon would have seen them
	for _, r := range runs {
		replay(&p, r)
	}
	n, oldest, err := db.DirtyStats(ctx, pc.Name)
	if err != nil {
		return p, err
	}
	p.Queue = Queue{Depth: n}
	if n > 0 {
		p.Queue.OldestAt = &oldest
	}
	return p, nil
}

// replay applies one finished run to a pair's status.
func replay(p *PairStatus, r state.Run) {
	o := syncer.Outcome(r.Status)
	if r.Status == state.StatusRunning {
		return
	}
	t := &p.Totals
	t.Passes[o]++
	t.UploadedFiles += r.Counts.Uploaded
	t.DownloadedFiles += r.Counts.Downloaded
	t.Conflicts += r.Counts.Conflicts
	if o == syncer.OutcomeInterrupted {
		return
	}
	sum := PassSummary{Kind: r.Kind, Outcome: o, StartedAt: r.Started, EndedAt: r.Ended,
		Duration: r.Ended.Sub(r.Started).Seconds(), Counts: r.Counts}
	if len(r.Errors) > 0 && !o.Succeeded() {
		sum.Error = redact(r.Errors[len(r.Errors)-1])
	}
	p.Last = &sum
	for _, e := range r.Errors {
		p.Errors = append(p.Errors, ErrorRecord{Time: r.Ended, Action: r.Kind, Error: redact(e)})
	}
	p.Errors = p.Errors[max(0, len(p.Errors)-RecentLimit):]
	if o.Succeeded() {
		p.History.restorePoint(sum)
		end := r.Ended
		p.LastSuccessAt = &end
		if r.Kind != state.KindWatchPass {
			p.LastFullAt = &end
		}
		p.ConsecutiveFailures, p.FailingSince = 0, nil
		return
	}
	p.ConsecutiveFailures++
	if p.FailingSince == nil {
		end := r.Ended
		p.FailingSince = &end
	}
}
