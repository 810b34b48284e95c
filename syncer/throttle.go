package syncer

import (
	"context"
	"io"

	"golang.org/x/time/rate"
)

// progressChunk is how many bytes accumulate before a bytes event.
const progressChunk = 256 << 10

// meter counts bytes for progress events and applies the bandwidth limit.
type meter struct {
	ctx     context.Context
	s       *Syncer
	rel     string
	pending int64
	sent    int64
}

func (m *meter) account(n int) error {
	if n <= 0 {
		return nil
	}
	if lim := m.s.opts.Limiter; lim != nil {
		if err := waitN(m.ctx, lim, n); err != nil {
			return err
		}
	}
	m.pending += int64(n)
	m.sent += int64(n)
	if m.pending >= progressChunk {
		m.flush()
	}
	return nil
}

func (m *meter) flush() {
	if m.pending != 0 {
		m.s.emit(Event{Kind: EventBytes, Path: m.rel, Bytes: m.pending})
		m.pending = 0
	}
}

// rewind takes back the bytes of an attempt that is about to be replayed.
func (m *meter) rewind() {
	m.flush()
	if m.sent != 0 {
		m.s.emit(Event{Kind: EventBytes, Path: m.rel, Bytes: -m.sent})
		m.sent = 0
	}
}

// waitN waits for n tokens, in pieces no larger than the burst.
func waitN(ctx context.Context, lim *rate.Limiter, n int) error {
	for n > 0 {
		c := min(n, lim.Burst())
		if err := lim.WaitN(ctx, c); err != nil {
			return err
		}
		n -= c
	}
	return nil
}

// meteredReader reports progress and obeys the bandwidth limit.
type meteredReader struct {
	r io.Reader
	m *meter
}

func (r *meteredReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if aerr := r.m.account(n); aerr != nil {
		return n, aerr
	}
	if err == io.EOF {
		r.m.flush()
	}
	return n, err
}

// meteredBody is the replayable upload-side equivalent: seeking back to the
// start takes back the progress of the attempt being replayed.
type meteredBody struct {
	meteredReader
	s io.Seeker
}

func (b *meteredBody) Seek(off int64, whence int) (int64, error) {
	pos, err := b.s.Seek(off, whence)
	if err == nil && pos == 0 && whence == io.SeekStart {
		b.m.rewind()
	}
	return pos, err
}

func (s *Syncer) throttle(ctx context.Context, r io.ReadSeeker, rel string) io.ReadSeeker {
	return &meteredBody{meteredReader: meteredReader{r: r, m: &meter{ctx: ctx, s: s, rel: rel}}, s: r}
}

func (s *Syncer) throttleReader(ctx context.Context, r io.Reader, rel string) io.Reader {
	return &meteredReader{r: r, m: &meter{ctx: ctx, s: s, rel: rel}}
}
