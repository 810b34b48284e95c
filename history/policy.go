package history

import (
	"fmt"
	"slices"
	"time"
)

// Policy is a pair's history setting: which displaced versions it keeps.
// The zero Policy keeps none: history is off.
type Policy struct {
	// Keep is how long every displaced version is kept at least, counted
	// from when it was displaced.
	Keep time.Duration
	// Versions, when above 0, also keeps the newest Versions kept versions
	// of every name, however old.
	Versions int
}

// On reports whether the pair keeps displaced versions.
func (p Policy) On() bool { return p.Keep > 0 || p.Versions > 0 }

// String describes the policy for messages.
func (p Policy) String() string {
	switch {
	case !p.On():
		return "off"
	case p.Versions == 0:
		return "keep " + formatAge(p.Keep)
	case p.Keep == 0:
		return fmt.Sprintf("keep the newest %d versions", p.Versions)
	}
	return fmt.Sprintf("keep %s and the newest %d versions", formatAge(p.Keep), p.Versions)
}

// formatAge writes whole days as "30d", other durations as Go does.
func formatAge(d time.Duration) string {
	const day = 24 * time.Hour
	if d >= day && d%day == 0 {
		return fmt.Sprintf("%dd", d/day)
	}
	return d.String()
}

// redundant returns the JustWritten copies among versions whose bytes a
// copy made by the version's displacement holds too (the same ETag): the
// version is kept, once is enough.
func redundant(versions []Version) []Version {
	displaced := map[string]bool{}
	for _, v := range versions {
		if v.Cause != JustWritten && v.ETag != "" {
			displaced[v.ETag] = true
		}
	}
	var out []Version
	for _, v := range versions {
		if v.Cause == JustWritten && displaced[v.ETag] {
			out = append(out, v)
		}
	}
	return out
}

// Expired returns the kept versions of one name that retention deletes at
// now: JustWritten copies that another copy makes redundant, and those
// outside both Keep and the newest Versions. Only the oldest
// run of such versions goes: a version is never deleted while an older one
// stays, or a restore to a time after its own could find the older one and
// bring back content that was replaced or deleted. versions may be in any
// order; current objects among them are ignored.
func (p Policy) Expired(versions []Version, now time.Time) []Version {
	if !p.On() {
		return nil
	}
	kept := slices.DeleteFunc(slices.Clone(versions), Version.Current)
	slices.SortFunc(kept, func(a, b Version) int {
		if newer(a, b) {
			return 1
		}
		return -1
	})
	out := redundant(kept)
	kept = slices.DeleteFunc(kept, func(v Version) bool { return slices.Contains(out, v) })
	for i, v := range kept {
		newerCount := len(kept) - 1 - i
		if now.Sub(v.Displaced) <= p.Keep || (p.Versions > 0 && newerCount < p.Versions) {
			break
		}
		out = append(out, v)
	}
	return out
}
