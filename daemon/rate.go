package daemon

import "time"

const (
	// rateSpan is the least time over which a transfer's rate is measured.
	rateSpan = 2 * time.Second
	// rateStale is how long a transfer may move no byte before its rate
	// reads 0.
	rateStale = 5 * time.Second
)

// rateMeter estimates a transfer's recent speed from its byte counts.
type rateMeter struct {
	mark     time.Time // start of the current measurement
	markDone int64     // bytes done at mark
	last     time.Time // when bytes last moved
	rate     float64   // bytes per second over the last full measurement
}

func newRateMeter(start time.Time) rateMeter { return rateMeter{mark: start, last: start} }

// sample records that done bytes were done at a time.
func (r *rateMeter) sample(at time.Time, done int64) {
	r.last = at
	if d := at.Sub(r.mark); d >= rateSpan {
		r.rate = max(float64(done-r.markDone)/d.Seconds(), 0)
		r.mark, r.markDone = at, done
	}
}

// at returns the rate as of now.
func (r *rateMeter) at(now time.Time) float64 {
	if now.Sub(r.last) > rateStale {
		return 0
	}
	return r.rate
}
