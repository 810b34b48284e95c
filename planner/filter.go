package planner

import (
	"fmt"
	"strings"
)

// Matcher decides which paths a pair syncs, from include and exclude glob
// patterns. It is applied identically to local paths and to the paths remote
// keys map to, so an excluded path is neither uploaded, downloaded nor
// deleted on either side.
//
// Pattern syntax, as in rsync and gitignore:
//   - "*" matches any run of characters except "/", "?" one character except
//     "/", "[...]" a character class ("[!...]" or "[^...]" negated, ranges
//     such as "[a-z]"), and "\" makes the next character literal.
//   - "**" as a whole segment matches any number of segments: "**/*.tmp",
//     "build/**", "a/**/b". Elsewhere it is the same as "*".
//   - A pattern without "/" matches the name of a file or directory at any
//     depth ("*.tmp", ".DS_Store"). A pattern with "/" matches the whole path
//     from the root; a leading "/" only anchors ("/build" is the top-level
//     build).
//   - A trailing "/" matches directories only ("cache/").
//
// Matching is case-sensitive. A directory that matches an exclude pattern
// excludes everything below it. With no include patterns every path is
// included; otherwise a file is included when it, or a directory above it,
// matches an include pattern. Excludes win over includes.
type Matcher struct {
	include, exclude []pattern
}

// pattern is one compiled glob.
type pattern struct {
	text     string    // as written, for messages
	anchored bool      // matched against the whole path, else the last name
	dirOnly  bool      // written with a trailing "/"
	segs     []segment // one per "/"-separated part
}

// NewMatcher compiles include and exclude patterns. An invalid pattern is an
// error that names it.
func NewMatcher(include, exclude []string) (*Matcher, error) {
	inc, err := compilePatterns("include", include)
	if err != nil {
		return nil, err
	}
	exc, err := compilePatterns("exclude", exclude)
	if err != nil {
		return nil, err
	}
	return &Matcher{include: inc, exclude: exc}, nil
}

func compilePatterns(kind string, texts []string) ([]pattern, error) {
	out := make([]pattern, 0, len(texts))
	for _, t := range texts {
		p, err := compilePattern(t)
		if err != nil {
			return nil, fmt.Errorf("%s pattern %q: %w", kind, t, err)
		}
		out = append(out, p)
	}
	return out, nil
}

func compilePattern(text string) (pattern, error) {
	p := pattern{text: text}
	s := text
	if strings.HasPrefix(s, "!") {
		return p, fmt.Errorf(`negation with "!" is not supported; use include patterns (write "\!" for a literal "!")`)
	}
	if rest, ok := strings.CutSuffix(s, "/"); ok {
		p.dirOnly, s = true, rest
	}
	if rest, ok := strings.CutPrefix(s, "/"); ok {
		p.anchored, s = true, rest
	}
	if s == "" {
		return p, fmt.Errorf("empty pattern")
	}
	if strings.Contains(s, "/") {
		p.anchored = true
	}
	for part := range strings.SplitSeq(s, "/") {
		seg, err := compileSegment(part)
		if err != nil {
			return p, err
		}
		p.segs = append(p.segs, seg)
	}
	if !p.anchored && p.segs[0].kind == segDoubleStar {
		p.segs[0] = segment{kind: segAny} // "**" alone: any name
	}
	return p, nil
}

// Match reports whether path is included. path is slash-separated and
// relative to the root; isDir says it names a directory. A directory is
// excluded (and a scanner may prune it) only when it or a directory above it
// matches an exclude pattern: include patterns never prune directories. The
// reserved folder (see ReservedDir) is never included.
func (m *Matcher) Match(path string, isDir bool) bool {
	if IsReserved(path) {
		return false
	}
	if m == nil || (len(m.include) == 0 && len(m.exclude) == 0) {
		return true
	}
	included := false
	for dir := range ancestors(path) {
		if matchAny(m.exclude, dir, true) {
			return false
		}
		included = included || matchAny(m.include, dir, true)
	}
	return m.matchLeaf(path, isDir, included)
}

// matchLeaf decides path itself once the directories above it are known not
// to be excluded; included says one of them matched an include pattern.
func (m *Matcher) matchLeaf(path string, isDir, included bool) bool {
	if matchAny(m.exclude, path, isDir) {
		return false
	}
	if isDir || included || len(m.include) == 0 {
		return true
	}
	return matchAny(m.include, path, false)
}

// ancestors yields the directories above path, shallowest first:
// "a/b/c" yields "a" and "a/b".
func ancestors(path string) func(yield func(string) bool) {
	return func(yield func(string) bool) {
		for i := 0; i < len(path); i++ {
			if path[i] == '/' && !yield(path[:i]) {
				return
			}
		}
	}
}

func matchAny(ps []pattern, path string, isDir bool) bool {
	for i := range ps {
		if ps[i].match(path, isDir) {
			return true
		}
	}
	return false
}

func (p *pattern) match(path string, isDir bool) bool {
	if p.dirOnly && !isDir {
		return false
	}
	if !p.anchored {
		return p.segs[0].match(path[strings.LastIndexByte(path, '/')+1:])
	}
	return matchSegments(p.segs, path)
}

// matchSegments reports whether segs match all segments of the non-empty
// path. A trailing "**" needs at least one more segment, so "build/**"
// matches what is inside build but not build itself.
func matchSegments(segs []segment, path string) bool {
	for len(segs) > 0 {
		head, tail, more := strings.Cut(path, "/")
		if segs[0].kind == segDoubleStar {
			if len(segs) == 1 {
				return true
			}
			for {
				if matchSegments(segs[1:], path) {
					return true
				}
				if !more {
					return false
				}
				path = tail
				_, tail, more = strings.Cut(path, "/")
			}
		}
		if !segs[0].match(head) {
			return false
		}
		segs = segs[1:]
		if !more {
			return len(segs) == 0
		}
		path = tail
	}
	return false
}
