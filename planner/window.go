package planner

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/ks3sync/ks3sync/names"
)

// Source hands out the next batch of one side of a pass, in order (local
// and base entries by path, remote entries by key, all in byte order). It
// returns false once it has nothing more, with or after the last batch.
type Source[E any] func() (batch []E, more bool, err error)

// WindowOptions configure a Windower.
type WindowOptions struct {
	// Size is how many entries of each side the Windower reads ahead at
	// most, and so about how many a window holds. 0 means DefaultWindow.
	Size int
	// Prefix and Names map keys to paths, as in Options.
	Prefix string
	Names  names.Policy
}

// DefaultWindow is the window size when WindowOptions.Size is 0.
const DefaultWindow = 10_000

// Windower cuts the three sorted streams of a pass into consecutive
// windows of the path space. Each window is an Input holding every entry of
// each side whose path falls in it, so Plan on the windows in turn decides
// what Plan on the whole input would, except for the guards, which the
// caller applies to the sums (see CheckGuards). Memory is bounded by the
// window size, not by the number of files.
//
// A remote key whose path differs from the key (a key not in NFC, or one
// the name rules map) is held until the window of its path. Under
// case-insensitive rules paths group by their folded form, whose order is
// not byte order: the whole pass is then one window. A key whose path sorts
// before a window already handed out (a compatibility character such as
// U+212B, whose NFC form sorts lower than the key) arrives too late for
// its path's window; it is handed out with the next window and counted in
// Late, and Plan sees it alone on its path.
type Windower struct {
	local  Source[LocalEntry]
	remote Source[RemoteEntry]
	base   Source[BaseEntry]
	opts   WindowOptions
	size   int

	lbuf  []LocalEntry
	rbuf  []RemoteEntry
	bbuf  []BaseEntry
	lend  bool
	rend  bool
	bend  bool
	rlast string // the path position (key without prefix) of the last key read

	diverted []divertedEntry // keys whose path differs from the key
	done     string          // every path below it was handed out
	started  bool

	// LocalSeen and BaseSeen count the entries read so far on those
	// sides; Late counts the remote keys that arrived after their path's
	// window.
	LocalSeen, BaseSeen, Late int
}

type divertedEntry struct {
	path  string
	entry RemoteEntry
}

// NewWindower returns a Windower over the three sides of a pass.
func NewWindower(local Source[LocalEntry], remote Source[RemoteEntry], base Source[BaseEntry], opts WindowOptions) *Windower {
	size := opts.Size
	switch {
	case size <= 0:
		size = DefaultWindow
	case size < 2:
		size = 2 // a window must hold more than the one entry that bounds it
	}
	if opts.Names.CaseInsensitive {
		size = math.MaxInt
	}
	return &Windower{local: local, remote: remote, base: base, opts: opts, size: size}
}

// Next returns the next window, and false after the last one. It fails
// when a source fails or hands out entries out of order.
func (w *Windower) Next() (Input, bool, error) {
	if err := w.fill(); err != nil {
		return Input{}, false, err
	}
	if w.started && len(w.lbuf) == 0 && len(w.rbuf) == 0 && len(w.bbuf) == 0 && len(w.diverted) == 0 && w.lend && w.rend && w.bend {
		return Input{}, false, nil
	}
	w.started = true
	bound, all := w.bound()
	var in Input
	nl := cut(w.lbuf, bound, all, func(e *LocalEntry) string { return e.Path })
	in.Local, w.lbuf = w.lbuf[:nl:nl], slices.Clone(w.lbuf[nl:])
	nb := cut(w.bbuf, bound, all, func(e *BaseEntry) string { return e.Path })
	in.Base, w.bbuf = w.bbuf[:nb:nb], slices.Clone(w.bbuf[nb:])
	nr := cut(w.rbuf, bound, all, func(e *RemoteEntry) string { return e.Key[len(w.opts.Prefix):] })
	in.Remote, w.rbuf = w.rbuf[:nr:nr], slices.Clone(w.rbuf[nr:])
	nd := 0
	for nd < len(w.diverted) && (all || w.diverted[nd].path < bound) {
		in.Remote = append(in.Remote, w.diverted[nd].entry)
		nd++
	}
	if nd > 0 {
		w.diverted = slices.Delete(w.diverted, 0, nd)
		slices.SortFunc(in.Remote, func(a, b RemoteEntry) int { return strings.Compare(a.Key, b.Key) })
	}
	w.done = bound
	return in, true, nil
}

// cut returns how many of the sorted entries lie below bound.
func cut[E any](entries []E, bound string, all bool, key func(*E) string) int {
	if all {
		return len(entries)
	}
	n, _ := slices.BinarySearchFunc(entries, bound, func(e E, b string) int { return strings.Compare(key(&e), b) })
	return n
}

// bound returns the end of the next window: the smallest last path read
// among the sides not yet at their end (every side has all its entries
// below it in memory), or all when every side is at its end.
func (w *Windower) bound() (string, bool) {
	var (
		b   string
		has bool
	)
	consider := func(ended bool, last string, n int) {
		if ended || n == 0 {
			return
		}
		if !has || last < b {
			b, has = last, true
		}
	}
	if n := len(w.lbuf); n > 0 {
		consider(w.lend, w.lbuf[n-1].Path, n)
	}
	if n := len(w.bbuf); n > 0 {
		consider(w.bend, w.bbuf[n-1].Path, n)
	}
	if !w.rend && w.rlast != "" {
		consider(false, w.rlast, 1)
	}
	return b, !has
}

// fill reads every side up to the window size (or its end).
func (w *Windower) fill() error {
	for !w.lend && len(w.lbuf) < w.size {
		batch, more, err := w.local()
		if err != nil {
			return err
		}
		for i := range batch {
			if p := batch[i].Path; p < w.done || (len(w.lbuf) > 0 && p < w.lbuf[len(w.lbuf)-1].Path) {
				return fmt.Errorf("local entries are not sorted by path: %q", p)
			}
			w.lbuf = append(w.lbuf, batch[i])
		}
		w.LocalSeen += len(batch)
		w.lend = !more
	}
	for !w.bend && len(w.bbuf) < w.size {
		batch, more, err := w.base()
		if err != nil {
			return err
		}
		for i := range batch {
			if p := batch[i].Path; p < w.done || (len(w.bbuf) > 0 && p <= w.bbuf[len(w.bbuf)-1].Path) {
				return fmt.Errorf("base entries are not sorted by path or repeat one: %q", p)
			}
			w.bbuf = append(w.bbuf, batch[i])
		}
		w.BaseSeen += len(batch)
		w.bend = !more
	}
	for !w.rend && len(w.rbuf) < w.size {
		batch, more, err := w.remote()
		if err != nil {
			return err
		}
		for i := range batch {
			if err := w.addRemote(batch[i]); err != nil {
				return err
			}
		}
		w.rend = !more
	}
	return nil
}

// addRemote places one listed object: in key order when its path is its
// key (or it has no path: Plan reports it), else among the diverted ones
// by path.
func (w *Windower) addRemote(e RemoteEntry) error {
	rel, ok := strings.CutPrefix(e.Key, w.opts.Prefix)
	if !ok {
		return fmt.Errorf("remote key %q is outside prefix %q", e.Key, w.opts.Prefix)
	}
	if rel <= w.rlast && w.rlast != "" {
		return fmt.Errorf("remote entries are not sorted by key: %q after %q", e.Key, w.opts.Prefix+w.rlast)
	}
	w.rlast = rel
	p, err := w.opts.Names.LocalPath(rel)
	if err != nil || p == rel || w.size == math.MaxInt {
		w.rbuf = append(w.rbuf, e)
		return nil
	}
	if p < w.done {
		w.Late++
	}
	i, _ := slices.BinarySearchFunc(w.diverted, p, func(d divertedEntry, p string) int { return strings.Compare(d.path, p) })
	w.diverted = slices.Insert(w.diverted, i, divertedEntry{path: p, entry: e})
	return nil
}

// LocalEmpty reports whether the local side ended without a single entry.
func (w *Windower) LocalEmpty() bool { return w.lend && w.LocalSeen == 0 }
