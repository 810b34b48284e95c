package daemon

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ks3sync/ks3sync/notify"
	"github.com/ks3sync/ks3sync/syncer"
)

// passStarted records that a pass of the pair began; full says whether it
// is a full reconcile.
func (m *Monitor) passStarted(pair string, full bool) {
	m.update(func(st *monitorState) {
		if p := st.pair(pair); p != nil {
			p.status.Active = activitySyncing
			if full {
				p.status.Active = activityReconciling
			}
		}
	})
}

// passEnded records a pass's outcome and sends the notifications it calls
// for.
func (m *Monitor) passEnded(pair string, sum PassSummary, full bool) {
	m.update(func(st *monitorState) {
		if p := st.pair(pair); p != nil {
			p.status.Active = activityIdle
			clear(p.inFlight)
			p.ended(sum, full, m)
		}
	})
}

// pauseChanged records that the pair was paused at a time, or resumed.
func (m *Monitor) pauseChanged(pair string, paused bool, at time.Time) {
	m.update(func(st *monitorState) {
		if p := st.pair(pair); p != nil {
			p.pause(paused, at)
		}
	})
}

// queueSeen records the pair's queue as the loop last read it.
func (m *Monitor) queueSeen(pair string, depth int, oldest time.Time) {
	m.update(func(st *monitorState) {
		if p := st.pair(pair); p != nil {
			p.status.Queue = Queue{Depth: depth}
			if depth > 0 {
				p.status.Queue.OldestAt = &oldest
			}
		}
	})
}

// ended applies a finished pass. An interrupted pass says nothing about the
// pair's health and is only counted.
func (p *pairState) ended(sum PassSummary, full bool, m *Monitor) {
	s := &p.status
	s.Totals.Passes[sum.Outcome]++
	if sum.Outcome == syncer.OutcomeInterrupted {
		return
	}
	s.Last = &sum
	if sum.Outcome.Succeeded() {
		p.succeeded(sum, full, m)
		return
	}
	s.ConsecutiveFailures++
	if s.FailingSince == nil {
		s.FailingSince = &sum.EndedAt
	}
	p.errors.add(ErrorRecord{Time: sum.EndedAt, Action: sum.Kind, Error: sum.Error, Kind: sum.ErrorKind, Hint: hint(sum.ErrorKind)})
	if sum.Outcome == syncer.OutcomeRefused {
		p.refused(sum, m)
		return
	}
	p.refusing = false
	if s.ConsecutiveFailures >= m.opts.AfterFailures && !p.alerted {
		p.alerted = true
		m.notify(p.message(notify.Failure, sum, fmt.Sprintf("pair %s: %d pass(es) failed in a row: %s", s.Name, s.ConsecutiveFailures, sum.Error)))
	}
}

func (p *pairState) succeeded(sum PassSummary, full bool, m *Monitor) {
	s := &p.status
	at := sum.EndedAt
	s.LastSuccessAt = &at
	s.History.restorePoint(sum)
	if full {
		s.LastFullAt = &at
	}
	if p.alerted {
		m.notify(p.message(notify.Recovery, sum, fmt.Sprintf("pair %s: a pass succeeded again after %d failed", s.Name, s.ConsecutiveFailures)))
	}
	s.ConsecutiveFailures, s.FailingSince = 0, nil
	p.alerted, p.refusing = false, false
}

// refused notifies the first refusal in a row: retries of the same refused
// pass say nothing new.
func (p *pairState) refused(sum PassSummary, m *Monitor) {
	if p.refusing {
		return
	}
	p.refusing, p.alerted = true, true
	msg := p.message(notify.Refused, sum, fmt.Sprintf("pair %s: pass refused: %s", p.status.Name, sum.Error))
	msg.Proceed = sum.Proceed
	m.notify(msg)
}

func (p *pairState) message(ev notify.Event, sum PassSummary, text string) notify.Message {
	msg := notify.Message{Event: ev, Time: sum.EndedAt, Pair: p.status.Name, Message: text}
	if ev != notify.Recovery {
		msg.Error, msg.ErrorKind = sum.Error, sum.ErrorKind
		msg.ConsecutiveFailures, msg.FailingSince = p.status.ConsecutiveFailures, p.status.FailingSince
	}
	return msg
}

// notify hands msg to the notifier, if any.
func (m *Monitor) notify(msg notify.Message) {
	if m.opts.Notifier != nil {
		m.opts.Notifier.Notify(msg)
	}
}

// summarize describes a finished pass from what the syncer returned.
func summarize(ctx context.Context, kind string, started, ended time.Time, res *syncer.Result, err error) PassSummary {
	sum := PassSummary{Kind: kind, StartedAt: started, EndedAt: ended, Duration: ended.Sub(started).Seconds()}
	failed := 0
	if res != nil {
		sum.Counts, failed = res.Counts, res.Counts.Failed
		sum.Outcome = res.Outcome
	}
	if sum.Outcome == "" {
		sum.Outcome = syncer.OutcomeOf(ctx, failed, err)
	}
	if err != nil {
		sum.Error, sum.ErrorKind = redact(err.Error()), syncer.ErrorKind(err)
		sum.Proceed = proceedOf(err)
	}
	return sum
}

// proceedOf returns the command that lets a refused pass proceed, or "".
func proceedOf(err error) string {
	var re *syncer.RefusedError
	if errors.As(err, &re) {
		return re.Proceed
	}
	return ""
}
