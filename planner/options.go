package planner

import (
	"fmt"
	"strings"
)

// normalize fills in defaults, validates o and compiles its filter.
func (o Options) normalize() (Options, *Matcher, error) {
	if o.Direction == "" {
		o.Direction = Push
	}
	if o.Delete == "" {
		o.Delete = Keep
	}
	if o.Conflict == "" {
		o.Conflict = KeepBoth
	}
	switch o.Conflict {
	case KeepBoth, Newer, LocalWins, RemoteWins:
	default:
		return o, nil, fmt.Errorf("options: conflict policy %q: want keep-both, newer, local or remote", o.Conflict)
	}
	switch o.Direction {
	case Push, Pull, Both:
	default:
		return o, nil, fmt.Errorf("options: direction %q: want push, pull or both", o.Direction)
	}
	switch o.Delete {
	case Keep, Propagate:
	default:
		return o, nil, fmt.Errorf("options: delete policy %q: want keep or propagate", o.Delete)
	}
	if err := o.MaxDelete.validate(GuardMaxDelete); err != nil {
		return o, nil, fmt.Errorf("options: %w", err)
	}
	if err := o.MaxOverwrite.validate(GuardMaxOverwrite); err != nil {
		return o, nil, fmt.Errorf("options: %w", err)
	}
	if o.Prefix != "" && !strings.HasSuffix(o.Prefix, "/") {
		return o, nil, fmt.Errorf("options: prefix %q: must be empty or end in \"/\"", o.Prefix)
	}
	if o.Direction != Push && (o.Host == "" || o.Time == "") {
		return o, nil, fmt.Errorf("options: host and time are required for direction %s, to name conflict copies", o.Direction)
	}
	m, err := NewMatcher(o.Include, o.Exclude)
	if err != nil {
		return o, nil, fmt.Errorf("options: %w", err)
	}
	return o, m, nil
}
