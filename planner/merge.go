package planner

import (
	"fmt"
	"strings"
)

// group is one path of the merged listings with its entries on each side.
type group struct {
	path   string
	local  []LocalEntry // usually one; several when names collide after NFC
	base   *BaseEntry
	remote []remoteRef // usually one; several when keys collide after NFC
}

// merge walks the local, base and remote listings together in path order and
// calls visit once for every path that the filter includes and that is not
// in the reserved folder. It needs one pass
// and no memory beyond the group it hands out, which visit must not keep.
// It fails when Local or Base is out of order or Base repeats a path.
func merge(local []LocalEntry, base []BaseEntry, rs *remoteStream, filter *filterCursor, visit func(*group)) error {
	var g group
	li, bi := 0, 0
	for {
		r, hasRemote := rs.peek()
		path, ok := smallest(local, li, base, bi, r.path, hasRemote)
		if !ok {
			return nil
		}
		g = group{path: path, remote: g.remote[:0]}
		lo := li
		for li < len(local) && local[li].Path == path {
			li++
		}
		g.local = local[lo:li]
		if li < len(local) && local[li].Path < path {
			return fmt.Errorf("local entries are not sorted by path: %q after %q", local[li].Path, path)
		}
		if bi < len(base) && base[bi].Path == path {
			g.base = &base[bi]
			bi++
		}
		if bi < len(base) && base[bi].Path <= path {
			return fmt.Errorf("base entries are not sorted by path or repeat one: %q after %q", base[bi].Path, path)
		}
		for hasRemote && r.path == path {
			g.remote = append(g.remote, r)
			rs.pop()
			r, hasRemote = rs.peek()
		}
		if !IsReserved(path) && filter.match(path) {
			visit(&g)
		}
	}
}

// smallest returns the smallest path among the heads of the three listings.
func smallest(local []LocalEntry, li int, base []BaseEntry, bi int, remote string, hasRemote bool) (string, bool) {
	path, ok := remote, hasRemote
	if li < len(local) && (!ok || local[li].Path < path) {
		path, ok = local[li].Path, true
	}
	if bi < len(base) && (!ok || base[bi].Path < path) {
		path, ok = base[bi].Path, true
	}
	return path, ok
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
