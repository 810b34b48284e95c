package history

import (
	"slices"
	"strings"
	"time"
)

// At returns what the pair held at time t: for every name that existed
// then, the version it held, sorted by name. current is the listing of the
// pair's objects now and kept the versions in its history area (both in
// any order; current versions have no Cause).
//
// The rules, for one name:
//   - the candidates are the versions written at or before t;
//   - the one written last wins; on a tie (the same version kept twice, or
//     kept while a deletion or an upload failed) the current object wins,
//     then the version displaced last;
//   - a winner that ks3sync deleted at or before t means the name did not
//     exist at t: it was deleted and not written again before t.
//
// A version displaced by an upload needs no end time: the next version's
// Written ends it, and until that upload finished the old object was still
// there. Times are the service's (LastModified), so t is compared with
// the clock that stamped the objects.
func At(t time.Time, current, kept []Version) []Version {
	best := make(map[string]Version)
	consider := func(v Version) {
		if v.Written.After(t) {
			return
		}
		if b, ok := best[v.Name]; !ok || newer(v, b) {
			best[v.Name] = v
		}
	}
	for _, v := range current {
		consider(v)
	}
	for _, v := range kept {
		consider(v)
	}
	out := make([]Version, 0, len(best))
	for _, v := range best {
		if v.Cause == Deleted && !v.Displaced.After(t) {
			continue
		}
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b Version) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// newer reports whether a is the later of two versions of one name: written
// later; else the current object; else displaced later; else (two devices
// keeping the same version at the same moment) the one with the smaller
// key, so the choice does not depend on the order of the input.
func newer(a, b Version) bool {
	if !a.Written.Equal(b.Written) {
		return a.Written.After(b.Written)
	}
	if a.Current() != b.Current() {
		return a.Current()
	}
	if !a.Displaced.Equal(b.Displaced) {
		return a.Displaced.After(b.Displaced)
	}
	return a.Key < b.Key
}
