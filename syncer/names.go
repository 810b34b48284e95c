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

// nameRules settles the file name rules of the pass that is starting, and
// returns them: those of the pair's folder, probed on the first pass that
// finds the folder (see localfs.NameRules), or until then, and when the
// probe fails, the system's usual rules. It runs on the goroutine that
// starts the pass, before any other goroutine of the pass reads
// s.passRules; passes do not overlap.
func (s *Syncer) nameRules() names.Policy {
	if s.rules == nil {
		s.rules = s.probeNameRules()
	}
	s.passRules = names.ForOS(runtime.GOOS)
	if s.rules != nil {
		s.passRules = *s.rules
	}
	return s.passRules
}

// probeNameRules probes the folder; nil means it is not there yet.
func (s *Syncer) probeNameRules() *names.Policy {
	rules, err := localfs.NameRules(s.opts.Root, s.opts.NameRules)
	switch {
	case err == nil:
		s.log.Info().Str("rules", rules.String()).Msg("local file names")
	case errors.Is(err, fs.ErrNotExist):
		return nil // probe again once the folder exists
	default:
		s.log.Warn().Err(err).Str("rules", rules.String()).Msg("local file names: using the system's usual rules")
	}
	return &rules
}

// pathFor maps a key to its local path under the pair's rules.
func (s *Syncer) pathFor(key string) (string, error) {
	return planner.PathFor(s.opts.Prefix, key, s.passRules)
}

// pathMatcher is pathFilter under the pair's rules: on a case-insensitive
// folder a path matches whatever its case.
func (s *Syncer) pathMatcher(paths []string) func(string) bool {
	rules := s.passRules
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
	rules := s.passRules
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
