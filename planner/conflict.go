package planner

import (
	"strings"
)

// ConflictName returns where the local copy of a conflicting file is kept:
// "dir/NAME.conflict-<host>-<time>.EXT", or "dir/NAME.conflict-<host>-<time>"
// when the name has no extension (a leading dot, as in ".profile", does not
// start one). Characters of host and time that cannot appear in a file name
// on any supported system become "-".
func ConflictName(path, host, time string) string {
	dir, name := "", path
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		dir, name = path[:i+1], path[i+1:]
	}
	stem, ext := name, ""
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		stem, ext = name[:i], name[i:]
	}
	return dir + stem + ".conflict-" + nameSafe(host) + "-" + nameSafe(time) + ext
}

// nameSafe replaces characters that are not allowed in file names on Windows
// (the strictest target), and the path separators, with "-".
func nameSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || strings.ContainsRune(`<>:"/\|?*`, r) {
			return '-'
		}
		return r
	}, s)
}

// resolveConflict applies the pair's conflict policy to a conflict of
// direction both. A policy that picks a winner applies only with history
// on, where the losing version is kept (the remote one by the upload, the
// local one by the download, which keepLocal asks for; see
// Action.KeepLocal); otherwise, and when newer cannot tell the versions
// apart, both are kept.
func resolveConflict(p paths, d decision, o Options) (_ decision, keepLocal bool) {
	if d.kind != Conflict || o.Direction != Both || o.Conflict == KeepBoth || p.l == nil || p.r == nil {
		return d, false
	}
	if !o.History {
		d.reason += "; conflict policy " + string(o.Conflict) + " keeps both while history is off"
		return d, false
	}
	local := o.Conflict == LocalWins
	if o.Conflict == Newer {
		rt := p.r.MTime
		if rt == 0 {
			rt = p.r.Modified
		}
		switch {
		case p.l.MTime == rt || rt == 0:
			d.reason += "; conflict policy newer: same mtime, keeping both"
			return d, false
		case p.l.MTime > rt:
			local = true
		}
	}
	if local {
		return decision{Upload, d.reason + "; conflict policy " + string(o.Conflict) + ": the local version wins, the remote one goes to history"}, false
	}
	return decision{Download, d.reason + "; conflict policy " + string(o.Conflict) + ": the remote version wins, the local one goes to history"}, true
}
