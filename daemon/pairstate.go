package daemon

import (
	"maps"
	"slices"
	"time"

	"github.com/ks3sync/ks3sync/notify"
	"github.com/ks3sync/ks3sync/syncer"
)

// Activities of a pair, in PairStatus.Active.
const (
	activityIdle        = "idle"
	activityReconciling = "reconciling"
	activitySyncing     = "syncing"
)

// pairInfo is what the monitor learns of a pair when the daemon starts.
type pairInfo struct {
	name   string
	rescan time.Duration
}

// pairState is one pair's mutable state, owned by the monitor's goroutine.
type pairState struct {
	status   PairStatus // InFlight, Recent and Errors are kept below
	inFlight map[string]*Transfer
	recent   ring[TransferRecord]
	errors   ring[ErrorRecord]
	// alerted says a failure or refusal was notified, so a success is a
	// recovery worth notifying; refusing says the last pass was refused.
	alerted, refusing bool
}

func newPairState(p pairInfo) *pairState {
	return &pairState{
		status: PairStatus{
			Name: p.name, Active: activityIdle, RescanSeconds: p.rescan.Seconds(),
			Totals: Totals{Passes: map[syncer.Outcome]int{}, TransferErrors: map[string]int{}},
		},
		inFlight: map[string]*Transfer{},
		recent:   newRing[TransferRecord](RecentLimit),
		errors:   newRing[ErrorRecord](RecentLimit),
	}
}

// snapshot copies the pair's status for readers.
func (p *pairState) snapshot() PairStatus {
	s := p.status
	s.Totals.Passes = maps.Clone(s.Totals.Passes)
	s.Totals.TransferErrors = maps.Clone(s.Totals.TransferErrors)
	s.InFlight = make([]Transfer, 0, len(p.inFlight))
	for _, t := range p.inFlight {
		s.InFlight = append(s.InFlight, *t)
	}
	slices.SortFunc(s.InFlight, func(a, b Transfer) int { return a.StartedAt.Compare(b.StartedAt) })
	s.Recent = p.recent.items()
	s.Errors = p.errors.items()
	return s
}

// observe applies one syncer event.
func (p *pairState) observe(ev syncer.Event, m *Monitor) {
	t := &p.status.Totals
	switch ev.Kind {
	case syncer.EventStart:
		p.inFlight[ev.Path] = &Transfer{Action: ev.Action, Path: ev.Path, Size: ev.Size, StartedAt: ev.Time}
	case syncer.EventBytes:
		if tr := p.inFlight[ev.Path]; tr != nil {
			tr.Done = max(tr.Done+ev.Bytes, 0)
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
		t.Conflicts++
		t.DownloadedFiles++
		t.DownloadedBytes += ev.Size
		p.finished(ev)
		m.notify(notify.Message{Event: notify.Conflict, Pair: ev.Pair, Path: ev.Path, Time: ev.Time,
			Message: "conflict: " + ev.Path + " changed on both sides; both copies were kept (" + ev.Reason + ")"})
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
		p.errors.add(ErrorRecord{Time: ev.Time, Action: ev.Action, Path: ev.Path, Error: ev.Error, Kind: ev.ErrorKind})
	}
}

// finished records a finished item.
func (p *pairState) finished(ev syncer.Event) {
	delete(p.inFlight, ev.Path)
	p.recent.add(TransferRecord{Time: ev.Time, Action: string(ev.Kind), Path: ev.Path, Size: ev.Size, Duration: ev.Duration})
}
