package daemon

import (
	"slices"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/ks3sync/ks3sync/notify"
	"github.com/ks3sync/ks3sync/syncer"
)

// Notifier receives the daemon's notifications; Notify must not block.
type Notifier interface {
	Notify(notify.Message)
}

var _ Notifier = (*notify.Notifier)(nil)

// MonitorOptions configure a Monitor. Zero values mean the defaults.
type MonitorOptions struct {
	Now func() time.Time // nil = time.Now
	// Device is this installation's name, shown in the status.
	Device string
	// Notifier, if set, is told about failures (after AfterFailures failed
	// passes in a row), recoveries, refusals and conflicts.
	Notifier      Notifier
	AfterFailures int // 0 = 1
	// HealthFile, if set, is kept up to date with the daemon's health (see
	// HealthRecord) for `ks3sync service start` to wait on.
	HealthFile string
	Logger     zerolog.Logger
}

// Monitor keeps the daemon's Status. One goroutine, started by Run, owns
// the pairs' state and applies every update in order; readers get the
// immutable snapshot it publishes after each batch of updates, so a scrape
// never waits for a pass, and never reads the database.
type Monitor struct {
	opts    MonitorOptions
	updates chan func(*monitorState)
	quit    chan struct{} // closed to stop the goroutine
	stopped chan struct{} // closed once it has stopped
	snap    atomic.Pointer[Status]
}

// monitorState is what the monitor's goroutine owns.
type monitorState struct {
	started time.Time
	pairs   []*pairState
	flow    *series
	health  healthWriter
}

// NewMonitor returns a Monitor with no pairs; Run registers them and starts
// it.
func NewMonitor(opts MonitorOptions) *Monitor {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	opts.AfterFailures = max(opts.AfterFailures, 1)
	m := &Monitor{
		opts:    opts,
		updates: make(chan func(*monitorState), 256),
		quit:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
	m.snap.Store(&Status{Version: StatusVersion, Source: "daemon", Device: m.opts.Device, Pairs: []PairStatus{}, Throughput: Throughput{Up: []int64{}, Down: []int64{}}})
	return m
}

// Snapshot returns the latest status, with health evaluated now.
func (m *Monitor) Snapshot() *Status { return m.snap.Load().At(m.opts.Now()) }

// Observe applies a syncer event; chain it into syncer.Options.Report. It
// is safe for concurrent use and returns at once once the monitor stopped.
func (m *Monitor) Observe(ev syncer.Event) {
	switch ev.Kind {
	case syncer.EventPlanned, syncer.EventUpdateBase, syncer.EventPassStart, syncer.EventPassEnd, syncer.EventPlan:
		return // passes are reported by the loop itself
	}
	m.update(func(st *monitorState) {
		if p := st.pair(ev.Pair); p != nil {
			p.observe(ev, m)
		}
	})
}

// update hands f to the monitor's goroutine.
func (m *Monitor) update(f func(*monitorState)) {
	select {
	case m.updates <- f:
	case <-m.stopped:
	}
}

// publishEvery is how often the monitor publishes and rewrites the health
// file even without updates: health depends on the passing time.
const publishEvery = 10 * time.Second

// start registers the pairs and runs the monitor's goroutine until stop.
func (m *Monitor) start(pairs []PairConfig) {
	now := m.opts.Now()
	st := &monitorState{started: now, flow: newSeries(now), health: healthWriter{path: m.opts.HealthFile, log: m.opts.Logger}}
	for _, p := range pairs {
		st.pairs = append(st.pairs, newPairState(p, st.flow))
	}
	m.publish(st, true)
	go m.run(st)
}

func (m *Monitor) run(st *monitorState) {
	defer close(m.stopped)
	tick := time.NewTicker(publishEvery)
	defer tick.Stop()
	for {
		select {
		case f := <-m.updates:
			f(st)
			m.apply(st)
			m.publish(st, true)
		case <-tick.C:
			m.publish(st, true)
		case <-m.quit:
			m.apply(st)
			m.publish(st, false)
			return
		}
	}
}

// apply runs the updates already waiting, so a burst of events costs one
// snapshot.
func (m *Monitor) apply(st *monitorState) {
	for {
		select {
		case f := <-m.updates:
			f(st)
		default:
			return
		}
	}
}

// stop ends the monitor's goroutine after the updates already sent, and
// records the daemon as stopped in the health file.
func (m *Monitor) stop() {
	close(m.quit)
	<-m.stopped
}

// publish stores a new snapshot and refreshes the health file.
func (m *Monitor) publish(st *monitorState, running bool) {
	now := m.opts.Now()
	s := &Status{Version: StatusVersion, Source: "daemon", Device: m.opts.Device, StartedAt: &st.started, Ready: len(st.pairs) > 0, Throughput: st.flow.at(now)}
	for _, p := range st.pairs {
		ps := p.snapshot(now)
		s.Ready = s.Ready && ps.LastFullAt != nil
		s.Pairs = append(s.Pairs, ps)
	}
	s = s.At(now)
	m.snap.Store(s)
	st.health.write(s, running)
}

func (st *monitorState) pair(name string) *pairState {
	i := slices.IndexFunc(st.pairs, func(p *pairState) bool { return p.status.Name == name })
	if i < 0 {
		return nil
	}
	return st.pairs[i]
}
