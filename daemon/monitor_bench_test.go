package daemon

import (
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/syncer"
)

// BenchmarkObserveBytes measures the monitor's cost per progress event of
// a transfer in flight, publishing included: a 1 GB/s transfer sends about
// 4,000 such events a second.
func BenchmarkObserveBytes(b *testing.B) {
	m := NewMonitor(MonitorOptions{})
	m.start([]PairConfig{{Name: "p"}})
	defer m.stop()
	m.Observe(syncer.Event{Kind: syncer.EventStart, Pair: "p", Action: "upload", Path: "big", Size: 1 << 40, Time: time.Now()})
	b.ResetTimer()
	for range b.N {
		m.Observe(syncer.Event{Kind: syncer.EventBytes, Pair: "p", Path: "big", Bytes: 256 << 10, Time: time.Now()})
	}
	done := make(chan struct{})
	m.update(func(*monitorState) { close(done) })
	<-done
}

// BenchmarkPublish measures one snapshot of a pair with full recent lists
// and a transfer in flight: what an event costs when events come one by
// one.
func BenchmarkPublish(b *testing.B) {
	m := NewMonitor(MonitorOptions{})
	now := time.Now()
	st := &monitorState{started: now, flow: newSeries(now)}
	p := newPairState(PairConfig{Name: "p"}, st.flow)
	st.pairs = []*pairState{p}
	for range RecentLimit {
		p.observe(syncer.Event{Kind: syncer.EventUpload, Pair: "p", Path: "some/folder/file.txt", Size: 100, Reason: "new file", Time: now}, m)
		p.observe(syncer.Event{Kind: syncer.EventError, Pair: "p", Path: "x", Error: "denied", ErrorKind: syncer.KindAuth, Time: now}, m)
	}
	p.observe(syncer.Event{Kind: syncer.EventStart, Pair: "p", Action: "upload", Path: "big", Size: 1 << 40, Time: now}, m)
	b.ResetTimer()
	for range b.N {
		m.publish(st, true)
	}
}
