package planner

import (
	"fmt"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/ks3sync/ks3sync/names"
)

// KeyFor returns the remote key of a local path: prefix + the key path the
// name rules map it back to (see names.Policy.KeyPath), in Unicode NFC. A
// local name the rules never write has no key; the error says why.
func KeyFor(prefix, path string, rules names.Policy) (string, error) {
	p := norm.NFC.String(path)
	rel, err := rules.KeyPath(p)
	if err != nil {
		return "", fmt.Errorf("local path %q: %w", p, err)
	}
	return prefix + rel, nil
}

// PathFor returns the local path a key maps to: the key without prefix, in
// Unicode NFC, mapped by the name rules (see names.Policy.LocalPath). It
// refuses keys outside the prefix and keys that would escape the local root
// or cannot be a file name under the rules: "..", ".", empty segments (as
// in "a//b" or a trailing "/"), an absolute path, NUL, invalid UTF-8 or a
// name that is too long. The error says why.
func PathFor(prefix, key string, rules names.Policy) (string, error) {
	rel, ok := strings.CutPrefix(key, prefix)
	if !ok {
		return "", fmt.Errorf("map key %q: outside prefix %q", key, prefix)
	}
	p, err := rules.LocalPath(rel)
	if err != nil {
		return "", fmt.Errorf("map key %q: %w", key, err)
	}
	return p, nil
}

// isNFC reports whether s is in Unicode NFC. The quick check settles almost
// every name without allocating; the full check runs only after it.
func isNFC(s string) bool {
	return norm.NFC.QuickSpanString(s) == len(s) || norm.NFC.IsNormalString(s)
}
