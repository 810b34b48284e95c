package daemon

import (
	"slices"
	"time"
)

// The throughput history: 10-second intervals over the last hour.
const (
	throughputInterval = 10 * time.Second
	throughputSpan     = time.Hour
	throughputLen      = int(throughputSpan / throughputInterval)
)

// series counts the bytes moved each way per interval over the last
// throughputSpan. The monitor's goroutine owns it.
type series struct {
	start    time.Time // start of the newest interval
	up, down []int64   // oldest first, throughputLen each
}

func newSeries(now time.Time) *series {
	return &series{start: now.Truncate(throughputInterval), up: make([]int64, throughputLen), down: make([]int64, throughputLen)}
}

// add counts bytes moved at a time (negative: taken back for a retry) in
// the newest interval, after starting the intervals up to at. A count for
// an interval already past lands in the newest one.
func (s *series) add(at time.Time, up, down int64) {
	s.roll(at)
	i := throughputLen - 1
	s.up[i] = max(s.up[i]+up, 0)
	s.down[i] = max(s.down[i]+down, 0)
}

// roll starts the intervals up to the one holding at, dropping the oldest.
func (s *series) roll(at time.Time) {
	k := int(at.Truncate(throughputInterval).Sub(s.start) / throughputInterval)
	if k <= 0 {
		return
	}
	s.start = s.start.Add(time.Duration(k) * throughputInterval)
	k = min(k, throughputLen)
	for _, b := range [][]int64{s.up, s.down} {
		copy(b, b[k:])
		clear(b[throughputLen-k:])
	}
}

// at returns the history as of now.
func (s *series) at(now time.Time) Throughput {
	s.roll(now)
	return Throughput{
		IntervalSeconds: throughputInterval.Seconds(),
		EndsAt:          s.start.Add(throughputInterval),
		Up:              slices.Clone(s.up),
		Down:            slices.Clone(s.down),
	}
}
