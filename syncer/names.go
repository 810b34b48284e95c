package syncer

import (
	"errors"
	"io/fs"
	"runtime"
	"strings"
	"unicode"

	"github.com/ks3sync/ks3sync/localfs"
	"github.com/ks3sync/ks3sync/names"
	"github.com/ks3sync/ks3sync/planner"
)

// nameRules returns the file name rules of the pair's folder, probing it on
// the first pass that finds the folder (see localfs.NameRules). Until then,
// and when the probe fails, the system's usual rules apply. Passes do not
// overlap, so only the goroutine running one touches s.rules.
func (s *Syncer) nameRules() names.Policy {
	if s.rules != nil {
		return *s.rules
	}
	rules, err := localfs.NameRules(s.opts.Root, s.opts.NameRules)
	switch {
	case err == nil:
		s.log.Info().Str("rules", rules.String()).Msg("local file names")
	case errors.Is(err, fs.ErrNotExist):
		return names.ForOS(runtime.GOOS) // probe again once the folder exists
	default:
		s.log.Warn().Err(err).Str("rules", rules.String()).Msg("local file names: using the system's usual rules")
	}
	s.rules = &rules
	return rules
}

// pathFor maps a key to its local path under the pair's rules.
func (s *Syncer) pathFor(key string) (string, error) {
	return planner.PathFor(s.opts.Prefix, key, s.nameRules())
}

// pathMatcher is pathFilter under the pair's rules: on a case-insensitive
// folder a path matches whatever its case.
func (s *Syncer) pathMatcher(paths []string) func(string) bool {
	rules := s.nameRules()
	if paths == nil || !rules.CaseInsensitive {
		return pathFilter(paths)
	}
	folded := make([]string, len(paths))
	for i, p := range paths {
		folded[i] = rules.Fold(p)
	}
	match := pathFilter(folded)
	return func(p string) bool { return match(rules.Fold(p)) }
}

// listingPrefixes are the listing prefixes that cover the keys of the local
// paths of a watch pass: each path mapped back to its key, and on a
// case-insensitive folder cut before its first letter that has another
// case, since a listing matches case exactly (usually the whole prefix).
func (s *Syncer) listingPrefixes(paths []string) []string {
	rules := s.nameRules()
	keys := make([]string, len(paths))
	for i, p := range paths {
		keys[i] = p
		if k, err := rules.KeyPath(p); err == nil {
			keys[i] = k
		}
		if rules.CaseInsensitive {
			keys[i] = beforeCase(keys[i])
		}
	}
	return listPrefixes(s.opts.Prefix, keys)
}

// beforeCase cuts p after the last "/" before its first rune with a case
// variant.
func beforeCase(p string) string {
	i := strings.IndexFunc(p, func(r rune) bool { return unicode.SimpleFold(r) != r })
	if i < 0 {
		return p
	}
	return p[:strings.LastIndexByte(p[:i], '/')+1]
}
