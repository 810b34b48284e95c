package planner

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/ks3sync/ks3sync/names"
)

// remoteRef is one remote entry, the local path its key maps to, and the
// key of the group it belongs to (the path itself unless the name rules are
// case-insensitive; see names.Policy.Fold).
type remoteRef struct {
	idx   int // index in Input.Remote
	path  string
	group string
}

// badKey is a remote key without a safe local path.
type badKey struct {
	idx int
	rel string // the key without prefix, in NFC, for filtering
	err error
}

// remoteStream yields the remote entries in group order. The listing
// arrives in key order, which is path order except for keys that Unicode
// normalisation or the name rules change. Those few are set aside and
// sorted on their own, and the stream merges them back in, so the common
// case stays linear and allocation-free. Under case-insensitive rules every
// key is set aside, since byte order is not folded order.
type remoteStream struct {
	entries   []RemoteEntry
	prefixLen int
	i         int         // next entry of the key-ordered stream
	skip      []int       // ascending indices the key-ordered stream passes over
	si        int         // next element of skip
	diverted  []remoteRef // keys whose path or group differs from the key, sorted by group and path
	di        int         // next element of diverted
	popDiv    bool        // the last peek returned diverted[di]
}

// indexRemote checks that the listing is sorted by key, maps every key to its
// path and sets aside the keys that have no safe path, the directory markers
// (empty objects whose key ends in "/", created by consoles) and the keys in
// the reserved folder.
func indexRemote(entries []RemoteEntry, prefix string, rules names.Policy) (*remoteStream, []badKey, error) {
	s := &remoteStream{entries: entries, prefixLen: len(prefix)}
	var bad []badKey
	for i := range entries {
		key := entries[i].Key
		if i > 0 && key <= entries[i-1].Key {
			return nil, nil, fmt.Errorf("remote entries are not sorted by key: %q after %q", key, entries[i-1].Key)
		}
		rel, ok := strings.CutPrefix(key, prefix)
		switch {
		case ok && (isDirMarker(rel, entries[i].Size) || IsReserved(rel)):
			s.skip = append(s.skip, i)
		case !ok:
			s.skip = append(s.skip, i)
			bad = append(bad, badKey{idx: i, err: fmt.Errorf("map key %q: outside prefix %q", key, prefix)})
		default:
			if err := s.add(i, rel, rules); err != nil {
				bad = append(bad, badKey{idx: i, rel: norm.NFC.String(rel), err: fmt.Errorf("map key %q: %w", key, err)})
			}
		}
	}
	slices.SortFunc(s.diverted, func(a, b remoteRef) int {
		if c := strings.Compare(a.group, b.group); c != 0 {
			return c
		}
		if c := strings.Compare(a.path, b.path); c != 0 {
			return c
		}
		return a.idx - b.idx
	})
	return s, bad, nil
}

// add maps entry i, whose key without prefix is rel: it stays in the
// key-ordered stream when its path and group are the key itself, and is
// set aside otherwise.
func (s *remoteStream) add(i int, rel string, rules names.Policy) error {
	p, err := rules.LocalPath(rel)
	if err != nil {
		s.skip = append(s.skip, i)
		return err
	}
	g := rules.Fold(p)
	if p == rel && g == rel {
		return nil // the common case, without allocating
	}
	s.skip = append(s.skip, i)
	s.diverted = append(s.diverted, remoteRef{idx: i, path: p, group: g})
	return nil
}

// isDirMarker reports whether an object (its key without prefix, and its
// size) is a folder placeholder rather than a file.
func isDirMarker(rel string, size int64) bool {
	return size == 0 && (rel == "" || strings.HasSuffix(rel, "/"))
}

// peek returns the entry with the smallest group without consuming it.
func (s *remoteStream) peek() (remoteRef, bool) {
	for s.si < len(s.skip) && s.skip[s.si] <= s.i {
		if s.skip[s.si] == s.i {
			s.i++
		}
		s.si++
	}
	hasKeyed, hasDiv := s.i < len(s.entries), s.di < len(s.diverted)
	var keyed remoteRef
	if hasKeyed {
		p := s.entries[s.i].Key[s.prefixLen:]
		keyed = remoteRef{idx: s.i, path: p, group: p}
	}
	switch {
	case hasKeyed && (!hasDiv || keyed.group <= s.diverted[s.di].group):
		s.popDiv = false
		return keyed, true
	case hasDiv:
		s.popDiv = true
		return s.diverted[s.di], true
	}
	return remoteRef{}, false
}

// pop consumes the entry the last peek returned.
func (s *remoteStream) pop() {
	if s.popDiv {
		s.di++
	} else {
		s.i++
	}
}
