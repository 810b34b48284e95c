package planner

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// segKind selects how a pattern segment is matched against one path segment.
// The common shapes of exclude lists (".DS_Store", "*.tmp", "~$*") get a
// string comparison instead of the general glob matcher.
type segKind uint8

const (
	segLiteral    segKind = iota // lit equals the name
	segSuffix                    // "*" + lit
	segPrefix                    // lit + "*"
	segAny                       // "*"
	segGlob                      // anything else: glob
	segDoubleStar                // "**": any number of segments
)

// segment is one compiled "/"-free part of a pattern.
type segment struct {
	kind segKind
	lit  string // unescaped literal for segLiteral, segSuffix, segPrefix
	glob string // the pattern text for segGlob
}

var errBadClass = errors.New(`unterminated character class "["`)

// compileSegment validates one pattern segment and picks its matcher.
func compileSegment(s string) (segment, error) {
	if s == "" {
		return segment{}, errors.New(`empty segment (as in "a//b")`)
	}
	if s == "**" {
		return segment{kind: segDoubleStar}, nil
	}
	if err := validateGlob(s); err != nil {
		return segment{}, err
	}
	body, lead := strings.CutPrefix(s, "*")
	body, trail := strings.CutSuffix(body, "*")
	switch {
	case s == "*":
		return segment{kind: segAny}, nil
	case hasGlobMeta(body) || (lead && trail):
		return segment{kind: segGlob, glob: s}, nil
	case lead:
		return segment{kind: segSuffix, lit: body}, nil
	case trail:
		return segment{kind: segPrefix, lit: body}, nil
	}
	return segment{kind: segLiteral, lit: body}, nil
}

// hasGlobMeta reports whether s has any character with a glob meaning.
func hasGlobMeta(s string) bool {
	return strings.ContainsAny(s, `*?[\`)
}

// validateGlob reports a malformed class or a trailing backslash.
func validateGlob(s string) error {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 == len(s) {
				return errors.New(`trailing "\"`)
			}
			i++
		case '[':
			n := classLen(s[i:])
			if n < 0 {
				return errBadClass
			}
			i += n - 1
		}
	}
	return nil
}

func (g *segment) match(name string) bool {
	switch g.kind {
	case segLiteral:
		return name == g.lit
	case segSuffix:
		return strings.HasSuffix(name, g.lit)
	case segPrefix:
		return strings.HasPrefix(name, g.lit)
	case segAny, segDoubleStar:
		return true
	default:
		return globMatch(g.glob, name)
	}
}

// globMatch matches name against a validated glob without "/": "*", "?",
// "[...]" and "\" escapes. It backtracks only to the last "*", so it runs in
// O(len(pattern) * len(name)) at worst.
func globMatch(pat, name string) bool {
	px, nx := 0, 0
	starPx, starNx := -1, 0
	for px < len(pat) || nx < len(name) {
		if px < len(pat) {
			if pat[px] == '*' {
				starPx, starNx = px, nx
				px++
				continue
			}
			if nx < len(name) {
				if n, w, ok := matchOne(pat[px:], name[nx:]); ok {
					px += n
					nx += w
					continue
				}
			}
		}
		if starPx < 0 || starNx >= len(name) {
			return false
		}
		_, w := utf8.DecodeRuneInString(name[starNx:])
		starNx += w
		px, nx = starPx+1, starNx
	}
	return true
}

// matchOne matches the pattern item at the start of pat (not "*") against the
// first character of name. It returns the item's length in pat, the matched
// character's length in name, and whether they match.
func matchOne(pat, name string) (n, w int, ok bool) {
	switch pat[0] {
	case '?':
		_, w = utf8.DecodeRuneInString(name)
		return 1, w, true
	case '[':
		r, w := utf8.DecodeRuneInString(name)
		n, ok := matchClass(pat, r)
		return n, w, ok
	case '\\':
		pat = pat[1:]
		n = 1
	}
	_, pw := utf8.DecodeRuneInString(pat)
	if len(name) < pw || name[:pw] != pat[:pw] {
		return 0, 0, false
	}
	return n + pw, pw, true
}

// classLen returns the length of the class at the start of s ("[...]"),
// or -1 when it is not terminated.
func classLen(s string) int {
	i := 1
	if i < len(s) && (s[i] == '!' || s[i] == '^') {
		i++
	}
	if i < len(s) && s[i] == ']' { // a leading "]" is literal
		i++
	}
	for ; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case ']':
			return i + 1
		}
	}
	return -1
}

// matchClass matches r against the validated class at the start of pat and
// returns the class's length.
func matchClass(pat string, r rune) (int, bool) {
	n := classLen(pat)
	body := pat[1 : n-1]
	negate := false
	if body != "" && (body[0] == '!' || body[0] == '^') {
		negate, body = true, body[1:]
	}
	matched := false
	for body != "" {
		lo, rest := classChar(body)
		hi := lo
		if len(rest) > 1 && rest[0] == '-' {
			hi, rest = classChar(rest[1:])
		}
		if lo <= r && r <= hi {
			matched = true
		}
		body = rest
	}
	return n, matched != negate
}

// classChar decodes one possibly escaped character of a class body.
func classChar(s string) (rune, string) {
	if s[0] == '\\' && len(s) > 1 {
		s = s[1:]
	}
	r, w := utf8.DecodeRuneInString(s)
	return r, s[w:]
}
