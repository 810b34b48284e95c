package daemon

import (
	"maps"
	"slices"
	"time"

	"github.com/ks3sync/ks3sync/notify"
	"github.com/ks3sync/ks3sync/planner"
	"github.com/ks3sync/ks3sync/syncer"
)

// Activities of a pair, in PairStatus.Active.
const (
	activityIdle        = "idle"
	activityReconciling = "reconciling"
	activitySyncing     = "syncing"
)

// pairState is one pair's mutable state, owned by the monitor's goroutine.
type pairState struct {
	status    PairStatus // InFlight and the recent lists are kept below
	inFlight  map[string]*flight
	recent    ring[TransferRecord]
	errors    ring[ErrorRecord]
	refusals  ring[RefusalRecord]
	conflicts ring[ConflictRecord]
	flow      *series // the daemon's throughput, shared by the pairs; nil = not counted
	// alerted says a failure or refusal was notified, so a success is a
	// recovery worth notifying; refusing says the last pass was refused.
	alerted, refusing bool
}

// flight is a transfer in flight and its speed.
type flight struct {
	Transfer
	rate rateMeter
}

func newPairState(pc PairConfig, flow *series) *pairState {
	return &pairState{
		status: PairStatus{
			Name: pc.Name, Direction: pc.Direction, Local: pc.Local, Bucket: pc.Bucket, Prefix: pc.Prefix,
			Encrypted: pc.Encrypted, Active: activityIdle, RescanSeconds: pc.rescan().Seconds(),
			Totals:  Totals{Passes: map[syncer.Outcome]int{}, TransferErrors: map[string]int{}},
			History: pc.historyStatus(),
		},
		inFlight:  map[string]*flight{},
		recent:    newRing[TransferRecord](RecentLimit),
		errors:    newRing[ErrorRecord](RecentLimit),
		refusals:  newRing[RefusalRecord](RecentLimit),
		conflicts: newRing[ConflictRecord](RecentLimit),
		flow:      flow,
	}
}

// snapshot copies the pair's status for readers, with the transfers' rates
// as of now.
func (p *pairState) snapshot(now time.Time) PairStatus {
	s := p.status
	s.Totals.Passes = maps.Clone(s.Totals.Passes)
	s.Totals.TransferErrors = maps.Clone(s.Totals.TransferErrors)
	s.History = p.status.History.clone()
	s.InFlight = make([]Transfer, 0, len(p.inFlight))
	for _, f := range p.inFlight {
		t := f.Transfer
		t.Rate = f.rate.at(now)
		s.InFlight = append(s.InFlight, t)
	}
	slices.SortFunc(s.InFlight, func(a, b Transfer) int { return a.StartedAt.Compare(b.StartedAt) })
	s.Recent = p.recent.items()
	s.Errors = p.errors.items()
	s.Refusals = p.refusals.items()
	s.Conflicts = p.conflicts.items()
	return s
}

// observe applies one syncer event.
func (p *pairState) observe(ev syncer.Event, m *Monitor) {
	t := &p.status.Totals
	switch ev.Kind {
	case syncer.EventStart:
		p.inFlight[ev.Path] = &flight{Transfer: Transfer{Action: ev.Action, Path: ev.Path, Size: ev.Size, StartedAt: ev.Time}, rate: newRateMeter(ev.Time)}
	case syncer.EventBytes:
		p.moved(ev)
	case syncer.EventParts:
		if f := p.inFlight[ev.Path]; f != nil {
			f.Parts, f.PartsDone = ev.PartCount, max(f.PartsDone, ev.Parts)
		}
	case syncer.EventUpload:
		t.UploadedFiles++
		t.UploadedBytes += ev.Size
		p.finished(ev)
	case syncer.EventDownload:
		t.DownloadedFiles++
		t.DownloadedBytes += ev.Size
		p.finished(ev)
	case syncer.EventConflict:
		p.conflict(ev, m)
	case syncer.EventDeleteRemote:
		t.DeletedRemote++
		p.finished(ev)
	case syncer.EventDeleteLocal:
		t.DeletedLocal++
		p.finished(ev)
	case syncer.EventResumed:
		t.ResumedParts += ev.Parts
	case syncer.EventError:
		t.TransferErrors[ev.ErrorKind]++
		delete(p.inFlight, ev.Path)
		p.errors.add(ErrorRecord{Time: ev.Time, Action: ev.Action, Path: ev.Path, Error: redact(ev.Error), Kind: ev.ErrorKind, Hint: hint(ev.ErrorKind)})
	case syncer.EventRefused:
		p.guardRefused(ev)
	}
}

// moved counts the bytes of a transfer in flight, in its progress and the
// daemon's throughput.
func (p *pairState) moved(ev syncer.Event) {
	f := p.inFlight[ev.Path]
	if f == nil {
		return
	}
	f.Done = max(f.Done+ev.Bytes, 0)
	f.rate.sample(ev.Time, f.Done)
	if p.flow == nil {
		return
	}
	if f.Action == "upload" {
		p.flow.add(ev.Time, ev.Bytes, 0)
	} else {
		p.flow.add(ev.Time, 0, ev.Bytes)
	}
}

// conflict records a file kept in two copies, and notifies it.
func (p *pairState) conflict(ev syncer.Event, m *Monitor) {
	t := &p.status.Totals
	t.Conflicts++
	if ev.Action == string(planner.Upload) { // the local version won, or lost a race as a conflict copy
		t.UploadedFiles++
		t.UploadedBytes += ev.Size
	} else {
		t.DownloadedFiles++
		t.DownloadedBytes += ev.Size
	}
	p.finished(ev)
	p.conflicts.add(ConflictRecord{Time: ev.Time, Path: ev.Path, Reason: ev.Reason})
	m.notify(notify.Message{Event: notify.Conflict, Pair: ev.Pair, Path: ev.Path, Time: ev.Time,
		Message: "conflict: " + ev.Path + " changed on both sides (" + ev.Reason + ")"})
}

// guardRefused records a guard's refusal with its figures, or counts it
// with the last one when it says the same.
func (p *pairState) guardRefused(ev syncer.Event) {
	r := RefusalRecord{Time: ev.Time, Count: 1, Message: redact(ev.Error)}
	if g := ev.Guard; g != nil {
		r.Guard, r.Side, r.Deletes, r.Files, r.Limit, r.Proceed = g.Name, g.Side, g.Deletes, g.Files, g.Limit, g.Proceed
	}
	if last := p.refusals.last(); last != nil && sameRefusal(*last, r) {
		last.Time = r.Time
		last.Count++
		return
	}
	p.refusals.add(r)
}

// sameRefusal reports whether two refusals say the same, whenever they
// happened.
func sameRefusal(a, b RefusalRecord) bool {
	a.Time, a.Count = b.Time, b.Count
	return a == b
}

// finished records a finished item.
func (p *pairState) finished(ev syncer.Event) {
	delete(p.inFlight, ev.Path)
	p.recent.add(TransferRecord{Time: ev.Time, Action: string(ev.Kind), Path: ev.Path, Size: ev.Size, Duration: ev.Duration, Reason: ev.Reason})
}

// pause records that the pair was paused at a time, or resumed.
func (p *pairState) pause(paused bool, at time.Time) {
	p.status.Paused, p.status.PausedAt = paused, nil
	if paused {
		p.status.PausedAt = &at
	}
}
