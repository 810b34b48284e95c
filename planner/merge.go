package planner

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ks3sync/ks3sync/names"
)

// group is one path of the merged listings with its entries on each side.
type group struct {
	path   string       // the local path: the base's, else the local file's, else the remote's
	key    string       // what the entries have in common: path, or its case folding
	local  []LocalEntry // usually one; several when names collide after NFC or case folding
	bases  []BaseEntry  // at most one, or under case-insensitive rules one per spelling
	base   *BaseEntry   // the one of bases that describes the entries (see pickBase)
	remote []remoteRef  // usually one; several when keys collide after NFC or case folding
}

// listings are the three sides of a pass in group order. Under
// case-sensitive rules they are the input itself and the group of an entry
// is its path; otherwise local and base are copies sorted by their folded
// paths, which lkeys and bkeys hold.
type listings struct {
	local  []LocalEntry
	lkeys  []string
	base   []BaseEntry
	bkeys  []string
	remote *remoteStream
}

func (l *listings) localKey(i int) string {
	if l.lkeys != nil {
		return l.lkeys[i]
	}
	return l.local[i].Path
}

func (l *listings) baseKey(i int) string {
	if l.bkeys != nil {
		return l.bkeys[i]
	}
	return l.base[i].Path
}

// merge walks the local, base and remote listings together in group order
// and calls visit once for every group whose path the filter includes and
// is not in the reserved folder. It
// needs one pass and no memory beyond the group it hands out, which visit
// must not keep. It fails when Local or Base is out of order or Base
// repeats a path.
func merge(l *listings, entries []RemoteEntry, filter *filterCursor, visit func(*group)) error {
	var g group
	li, bi := 0, 0
	for {
		r, hasRemote := l.remote.peek()
		key, ok := l.smallest(li, bi, r.group, hasRemote)
		if !ok {
			return nil
		}
		g = group{key: key, remote: g.remote[:0]}
		lo := li
		for li < len(l.local) && l.localKey(li) == key {
			li++
		}
		g.local = l.local[lo:li]
		if li < len(l.local) && l.localKey(li) < key {
			return fmt.Errorf("local entries are not sorted by path: %q after %q", l.local[li].Path, l.local[li-1].Path)
		}
		bo := bi
		for bi < len(l.base) && l.baseKey(bi) == key {
			bi++
		}
		g.bases = l.base[bo:bi]
		if err := checkBases(l, bi, key, g.bases); err != nil {
			return err
		}
		for hasRemote && r.group == key {
			g.remote = append(g.remote, r)
			l.remote.pop()
			r, hasRemote = l.remote.peek()
		}
		g.pick(entries)
		if !IsReserved(g.path) && filter.match(g.path) {
			visit(&g)
		}
	}
}

// checkBases fails when the base listing is out of order or repeats a path
// in the group just read (several spellings of one folded path are fine).
func checkBases(l *listings, next int, key string, bases []BaseEntry) error {
	if next < len(l.base) && l.baseKey(next) < key {
		return fmt.Errorf("base entries are not sorted by path: %q after %q", l.base[next].Path, key)
	}
	for i := 1; i < len(bases); i++ {
		if l.bkeys == nil || bases[i].Path == bases[i-1].Path {
			return fmt.Errorf("base entries repeat a path: %q", bases[i].Path)
		}
	}
	return nil
}

// smallest returns the smallest group key among the heads of the three
// listings.
func (l *listings) smallest(li, bi int, remote string, hasRemote bool) (string, bool) {
	key, ok := remote, hasRemote
	if li < len(l.local) && (!ok || l.localKey(li) < key) {
		key, ok = l.localKey(li), true
	}
	if bi < len(l.base) && (!ok || l.baseKey(bi) < key) {
		key, ok = l.baseKey(bi), true
	}
	return key, ok
}

// pick chooses the base that describes the group and the group's path.
// With several bases (one path synced under several spellings, which only
// case-insensitive rules group together) the one recording a key the
// bucket still has wins, else the one of the local file's spelling, else
// the first; the others are forgotten (see builder.forgetOthers).
func (g *group) pick(entries []RemoteEntry) {
	g.base = nil
	switch {
	case len(g.bases) == 1:
		g.base = &g.bases[0]
	case len(g.bases) > 1:
		g.base = &g.bases[pickBase(g, entries)]
	}
	switch {
	case g.base != nil:
		g.path = g.base.Path
	case len(g.local) > 0:
		g.path = g.local[0].Path
	default:
		g.path = g.remote[0].path
		for _, r := range g.remote[1:] {
			g.path = min(g.path, r.path)
		}
	}
}

func pickBase(g *group, entries []RemoteEntry) int {
	for i, b := range g.bases {
		for _, r := range g.remote {
			if entries[r.idx].Key == b.RemoteKey {
				return i
			}
		}
	}
	for i, b := range g.bases {
		for _, l := range g.local {
			if l.Path == b.Path {
				return i
			}
		}
	}
	return 0
}

// newListings returns the listings of in in group order under rules.
func newListings(in *Input, rs *remoteStream, rules names.Policy) (*listings, error) {
	l := &listings{local: in.Local, base: in.Base, remote: rs}
	if !rules.CaseInsensitive {
		return l, nil
	}
	for i := 1; i < len(in.Local); i++ {
		if in.Local[i].Path < in.Local[i-1].Path {
			return nil, fmt.Errorf("local entries are not sorted by path: %q after %q", in.Local[i].Path, in.Local[i-1].Path)
		}
	}
	for i := 1; i < len(in.Base); i++ {
		if in.Base[i].Path <= in.Base[i-1].Path {
			return nil, fmt.Errorf("base entries are not sorted by path or repeat one: %q after %q", in.Base[i].Path, in.Base[i-1].Path)
		}
	}
	l.local, l.lkeys = sortFolded(in.Local, func(e *LocalEntry) string { return e.Path }, rules)
	l.base, l.bkeys = sortFolded(in.Base, func(e *BaseEntry) string { return e.Path }, rules)
	return l, nil
}

// sortFolded returns a copy of entries sorted by folded path, then path,
// and the folded paths in the same order. The sort is stable, so entries
// with one path keep their order; it moves indices, not entries.
func sortFolded[E any](entries []E, path func(*E) string, rules names.Policy) ([]E, []string) {
	n := len(entries)
	paths, keys, order := make([]string, n), make([]string, n), make([]int, n)
	for i := range entries {
		paths[i] = path(&entries[i])
		keys[i] = rules.Fold(paths[i])
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if c := strings.Compare(keys[a], keys[b]); c != 0 {
			return c
		}
		return strings.Compare(paths[a], paths[b])
	})
	out, outKeys := make([]E, n), make([]string, n)
	for i, j := range order {
		out[i], outKeys[i] = entries[j], keys[j]
	}
	return out, outKeys
}

// filterCursor applies a Matcher to paths that arrive in sorted order. It
// keeps the decisions for the directories above the last path, so each
// directory is matched once rather than once per file below it.
type filterCursor struct {
	m     *Matcher
	stack []dirState // the directories above the last path, shallowest first
}

// dirState is the filter's verdict on one directory.
type dirState struct {
	dir      string
	excluded bool // it or a directory above it matches an exclude pattern
	included bool // it or a directory above it matches an include pattern
}

// newFilterCursor returns nil, which includes everything, when m has no
// patterns.
func newFilterCursor(m *Matcher) *filterCursor {
	if len(m.include) == 0 && len(m.exclude) == 0 {
		return nil
	}
	return &filterCursor{m: m}
}

// match reports whether the file at path is included.
func (c *filterCursor) match(path string) bool {
	if c == nil {
		return true
	}
	parentEnd := strings.LastIndexByte(path, '/')
	for len(c.stack) > 0 && !isDirOf(c.stack[len(c.stack)-1].dir, path) {
		c.stack = c.stack[:len(c.stack)-1]
	}
	var top dirState
	start := 0
	if len(c.stack) > 0 {
		top = c.stack[len(c.stack)-1]
		start = len(top.dir) + 1
	}
	for i := start; i <= parentEnd; i++ {
		if path[i] != '/' {
			continue
		}
		dir := path[:i]
		top = dirState{
			dir:      dir,
			excluded: top.excluded || matchAny(c.m.exclude, dir, true),
			included: top.included || matchAny(c.m.include, dir, true),
		}
		c.stack = append(c.stack, top)
	}
	return !top.excluded && c.m.matchLeaf(path, false, top.included)
}

// isDirOf reports whether dir is a directory above path.
func isDirOf(dir, path string) bool {
	return len(path) > len(dir) && path[len(dir)] == '/' && path[:len(dir)] == dir
}
