package daemon

// ring keeps the last n items added.
type ring[T any] struct {
	buf  []T
	next int // where the next item goes once buf is full
}

func newRing[T any](n int) ring[T] { return ring[T]{buf: make([]T, 0, n)} }

func (r *ring[T]) add(v T) {
	if len(r.buf) < cap(r.buf) {
		r.buf = append(r.buf, v)
		return
	}
	r.buf[r.next] = v
	r.next = (r.next + 1) % len(r.buf)
}

// items returns a copy of the items, oldest first.
func (r *ring[T]) items() []T {
	out := make([]T, 0, len(r.buf))
	out = append(out, r.buf[r.next:]...)
	return append(out, r.buf[:r.next]...)
}

// last returns the newest item, or nil when there is none.
func (r *ring[T]) last() *T {
	if len(r.buf) == 0 {
		return nil
	}
	return &r.buf[(r.next+len(r.buf)-1)%len(r.buf)]
}
