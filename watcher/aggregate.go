package watcher

import (
	"container/heap"
	"fmt"
	"slices"
	"time"

	"github.com/ks3sync/ks3sync/localfs"
)

// maxPaths bounds the paths tracked one by one, pending or waiting for the
// consumer; beyond it a rescan is cheaper than the bookkeeping.
const maxPaths = 100_000

// change is one changed path: slash-separated and relative to the root
// (never the root itself), whether it is gone (removed or renamed away),
// and whether it is a directory, which makes it stand for its whole subtree.
type change struct {
	path    string
	removed bool
	dir     bool
}

// flush is what aggregator.due releases: settled paths, or a request to
// rescan everything.
type flush struct {
	changes []change
	rescan  bool
	reasons []string
}

func (f flush) empty() bool { return !f.rescan && len(f.changes) == 0 }

// entry is one pending path. A dir entry covers every path below it.
type entry struct {
	change
	first, last time.Time // first and latest event for the path
	due         time.Time // when the path settles, from first and last
	index       int       // position in the deadline queue
}

// node is a directory with pending entries somewhere below it. Only
// directories that are not themselves pending as a dir entry have a node.
type node struct {
	path    string
	parent  *node
	entries map[string]*entry // pending direct children
	dirs    map[string]*node  // child directories with pending entries below
}

func (n *node) children() int { return len(n.entries) + len(n.dirs) }

// rescanRequest is a pending request to rescan everything; while it is
// pending, single paths are not tracked, since the rescan covers them.
type rescanRequest struct {
	reasons     []string
	first, last time.Time
}

// aggregator is the debounce core: it turns a stream of events into settled
// paths. A path settles once no event has touched it for delay, or at the
// latest maxDelay after its first event. A flush comes window after the
// first path settles and takes every path settled by then, so that events
// microseconds apart (the two names of a rename) land in one batch. More
// than threshold pending children of one directory collapse into a single
// entry for the directory. The aggregator has no clock and no goroutines:
// time is a parameter of every step. It is not safe for concurrent use.
type aggregator struct {
	delay, maxDelay, window time.Duration
	threshold               int
	limit                   int // more pending paths than this become a rescan

	entries map[string]*entry
	nodes   map[string]*node // by directory path; "" is the root
	queue   deadlineQueue
	rescan  *rescanRequest
}

func newAggregator(delay, maxDelay, window time.Duration, threshold int) *aggregator {
	a := &aggregator{delay: delay, maxDelay: maxDelay, window: window, threshold: threshold, limit: maxPaths}
	a.reset()
	return a
}

// reset forgets every pending path (not a pending rescan).
func (a *aggregator) reset() {
	a.entries = make(map[string]*entry)
	a.nodes = map[string]*node{"": newNode("", nil)}
	a.queue = nil
}

func newNode(p string, parent *node) *node {
	return &node{path: p, parent: parent, entries: make(map[string]*entry), dirs: make(map[string]*node)}
}

// add records a change to ev.path at time at.
func (a *aggregator) add(ev change, at time.Time) {
	if a.rescan != nil {
		a.rescan.last = later(a.rescan.last, at)
		return
	}
	if anc := a.pendingAncestor(ev.path); anc != nil {
		if !ev.removed {
			anc.removed = false // something exists below it, so it exists
		}
		a.touch(anc, at)
		return
	}
	if e := a.entries[ev.path]; e != nil {
		e.removed = ev.removed
		if ev.dir && !e.dir {
			e.dir = true
			a.absorb(e)
		}
		a.touch(e, at)
		return
	}
	e := &entry{change: ev, first: at, last: at}
	if e.dir {
		a.absorb(e)
	}
	a.insert(e)
	a.collapse(localfs.ParentRel(e.path))
	if len(a.entries) > a.limit {
		a.requestRescan(fmt.Sprintf("more than %d changed paths at once", a.limit), at)
	}
}

// requestRescan asks for a rescan of everything, settling like a path does.
// Pending paths are dropped: the rescan covers them, and it keeps the
// earliest of their first events so that the hard maximum still holds.
func (a *aggregator) requestRescan(reason string, at time.Time) {
	if a.rescan == nil {
		a.rescan = &rescanRequest{first: at}
		for _, e := range a.entries {
			a.rescan.first = earlier(a.rescan.first, e.first)
		}
		a.reset()
	}
	a.rescan.last = later(a.rescan.last, at)
	if !slices.Contains(a.rescan.reasons, reason) {
		a.rescan.reasons = append(a.rescan.reasons, reason)
	}
}

// next reports when the next flush is due: window after the earliest
// pending path settles.
func (a *aggregator) next() (time.Time, bool) {
	if a.rescan != nil {
		return a.deadline(a.rescan.first, a.rescan.last).Add(a.window), true
	}
	if len(a.queue) == 0 {
		return time.Time{}, false
	}
	return a.queue[0].due.Add(a.window), true
}

// coalesceWindow is the flush window for a quiet period: small against it,
// and never more than a tenth of a second.
func coalesceWindow(delay time.Duration) time.Duration {
	return min(delay/20, 100*time.Millisecond)
}

// due releases every path that has settled by now.
func (a *aggregator) due(now time.Time) flush {
	var f flush
	if r := a.rescan; r != nil {
		if !a.deadline(r.first, r.last).After(now) {
			f.rescan, f.reasons = true, r.reasons
			a.rescan = nil
		}
		return f
	}
	for len(a.queue) > 0 {
		e := a.queue[0]
		if e.due.After(now) {
			break
		}
		a.remove(e)
		f.changes = append(f.changes, e.change)
	}
	return f
}

// pending reports how many paths are waiting to settle.
func (a *aggregator) pending() int { return len(a.entries) }

func (a *aggregator) deadline(first, last time.Time) time.Time {
	quiet, hard := last.Add(a.delay), first.Add(a.maxDelay)
	return earlier(quiet, hard)
}

// pendingAncestor returns the dir entry that already covers p, if any.
func (a *aggregator) pendingAncestor(p string) *entry {
	for d := localfs.ParentRel(p); d != ""; d = localfs.ParentRel(d) {
		if e := a.entries[d]; e != nil && e.dir {
			return e
		}
	}
	return nil
}

// touch records another event for pending entry e.
func (a *aggregator) touch(e *entry, at time.Time) {
	e.last = later(e.last, at)
	e.due = a.deadline(e.first, e.last)
	heap.Fix(&a.queue, e.index)
}

// insert adds e to the entry map, the deadline queue and the directory tree.
func (a *aggregator) insert(e *entry) {
	e.due = a.deadline(e.first, e.last)
	a.entries[e.path] = e
	heap.Push(&a.queue, e)
	a.nodeFor(localfs.ParentRel(e.path)).entries[e.path] = e
}

// remove takes e out of the entry map, the queue and the tree.
func (a *aggregator) remove(e *entry) {
	delete(a.entries, e.path)
	heap.Remove(&a.queue, e.index)
	n := a.nodes[localfs.ParentRel(e.path)]
	delete(n.entries, e.path)
	a.prune(n)
}

// nodeFor returns the node for directory p, creating it and its ancestors.
func (a *aggregator) nodeFor(p string) *node {
	if n := a.nodes[p]; n != nil {
		return n
	}
	parent := a.nodeFor(localfs.ParentRel(p))
	n := newNode(p, parent)
	parent.dirs[p] = n
	a.nodes[p] = n
	return n
}

// prune drops n and its ancestors while they hold nothing; the root stays.
func (a *aggregator) prune(n *node) {
	for n.parent != nil && n.children() == 0 {
		delete(n.parent.dirs, n.path)
		delete(a.nodes, n.path)
		n = n.parent
	}
}

// absorb moves every pending path below dir entry e into e. e itself may or
// may not be in the tree yet.
func (a *aggregator) absorb(e *entry) {
	n := a.nodes[e.path]
	if n == nil {
		return
	}
	a.detach(n, func(c *entry) {
		e.first = earlier(e.first, c.first)
		e.last = later(e.last, c.last)
	})
	delete(n.parent.dirs, n.path)
	a.prune(n.parent)
}

// detach removes the subtree under n from the aggregator, calling fn for
// each entry it drops.
func (a *aggregator) detach(n *node, fn func(*entry)) {
	for _, c := range n.entries {
		delete(a.entries, c.path)
		heap.Remove(&a.queue, c.index)
		fn(c)
	}
	for _, d := range n.dirs {
		a.detach(d, fn)
	}
	delete(a.nodes, n.path)
}

// collapse replaces the pending children of dir, and then of its ancestors,
// with one dir entry while they number more than the threshold. The root
// collapses into a rescan of everything.
func (a *aggregator) collapse(dir string) {
	for {
		n := a.nodes[dir]
		if n == nil || n.children() <= a.threshold {
			return
		}
		if dir == "" {
			a.collapseRoot()
			return
		}
		a.collapseDir(n)
		dir = localfs.ParentRel(dir)
	}
}

// collapseDir turns the subtree under n into one dir entry for n.
func (a *aggregator) collapseDir(n *node) {
	e := &entry{change: change{path: n.path, dir: true}}
	a.detach(n, func(c *entry) {
		if e.first.IsZero() {
			e.first, e.last = c.first, c.last
		}
		e.first = earlier(e.first, c.first)
		e.last = later(e.last, c.last)
	})
	delete(n.parent.dirs, n.path)
	if old := n.parent.entries[n.path]; old != nil {
		// The directory itself was pending as a plain path.
		e.first, e.last = earlier(e.first, old.first), later(e.last, old.last)
		a.remove(old)
	}
	a.insert(e)
}

func (a *aggregator) collapseRoot() {
	var last time.Time
	for _, e := range a.entries {
		last = later(last, e.last)
	}
	a.requestRescan(fmt.Sprintf("more than %d changed entries directly in the root", a.threshold), last)
}

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// deadlineQueue is a min-heap of pending entries by settle time.
type deadlineQueue []*entry

func (q deadlineQueue) Len() int           { return len(q) }
func (q deadlineQueue) Less(i, j int) bool { return q[i].due.Before(q[j].due) }

func (q deadlineQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index, q[j].index = i, j
}

func (q *deadlineQueue) Push(x any) {
	e := x.(*entry)
	e.index = len(*q)
	*q = append(*q, e)
}

func (q *deadlineQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	old[len(old)-1] = nil
	e.index = -1
	*q = old[:len(old)-1]
	return e
}
