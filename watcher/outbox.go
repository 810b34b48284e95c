package watcher

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/ks3sync/ks3sync/localfs"
)

// outbox holds settled changes that the consumer has not taken yet. New
// flushes merge into it, so a slow consumer never stops the watch loop
// from draining events: it gets one larger batch later instead.
type outbox struct {
	changes map[string]change
	rescan  bool
	reasons []string
	ready   *Batch // the batch to send, built on demand and dropped on merge
	limit   int    // more paths than this become a rescan; 0 means maxPaths
}

// merge adds f to the outbox. A rescan swallows single paths, earlier and
// later ones alike: the consumer scans everything after taking it.
func (o *outbox) merge(f flush) {
	if f.empty() {
		return
	}
	o.ready = nil
	if f.rescan {
		o.toRescan(f.reasons...)
		return
	}
	if o.rescan {
		return
	}
	if o.changes == nil {
		o.changes = make(map[string]change, len(f.changes))
	}
	for _, c := range f.changes {
		if old, ok := o.changes[c.path]; ok {
			c.dir = c.dir || old.dir
		}
		o.changes[c.path] = c
	}
	if limit := cmp.Or(o.limit, maxPaths); len(o.changes) > limit {
		o.toRescan(fmt.Sprintf("more than %d changed paths waiting", limit))
	}
}

// toRescan turns the outbox into a rescan for the given reasons.
func (o *outbox) toRescan(reasons ...string) {
	o.rescan, o.changes = true, nil
	for _, r := range reasons {
		if !slices.Contains(o.reasons, r) {
			o.reasons = append(o.reasons, r)
		}
	}
}

// empty reports whether there is nothing to send.
func (o *outbox) empty() bool { return !o.rescan && len(o.changes) == 0 }

// batch returns what the outbox holds as a Batch, without emptying it.
func (o *outbox) batch() Batch {
	if o.ready == nil {
		b := o.build()
		o.ready = &b
	}
	return *o.ready
}

// clear empties the outbox once its batch was sent.
func (o *outbox) clear() { *o = outbox{limit: o.limit} }

func (o *outbox) build() Batch {
	if o.rescan {
		return Batch{Rescan: true, Reason: strings.Join(o.reasons, "; ")}
	}
	return Batch{Paths: orderPaths(o.changes)}
}

// orderPaths lists the changed paths in byte order, paths that still exist
// before paths that are gone, leaving out paths that lie below a changed
// directory (the consumer rescans that directory's subtree anyway).
func orderPaths(changes map[string]change) []string {
	var present, gone []string
	for p, c := range changes {
		if coveredByDir(changes, p) {
			continue
		}
		if c.removed {
			gone = append(gone, p)
		} else {
			present = append(present, p)
		}
	}
	slices.Sort(present)
	slices.Sort(gone)
	return append(present, gone...)
}

func coveredByDir(changes map[string]change, p string) bool {
	for d := localfs.ParentRel(p); d != ""; d = localfs.ParentRel(d) {
		if c, ok := changes[d]; ok && c.dir {
			return true
		}
	}
	return false
}
