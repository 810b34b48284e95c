package names

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/cases"
)

// Policy is the set of naming rules of one local folder. The zero value
// is the rule set of a typical Linux filesystem (ext4, XFS, btrfs): case
// sensitive, and only the rules every system shares.
type Policy struct {
	// Windows applies Windows' file name rules, mapping the characters and
	// names it forbids (see the package documentation).
	Windows bool
	// CaseInsensitive says names that differ only in letter case are one
	// file.
	CaseInsensitive bool
	// NormalizationInsensitive says names that differ only in Unicode
	// normalization are one file. Paths are compared in NFC everywhere, so
	// it is informative only.
	NormalizationInsensitive bool
}

// ForOS returns the rules of the usual filesystem of an operating system
// (a GOOS value): NTFS for windows, case-insensitive APFS for darwin and
// ios, and a case-sensitive Unix filesystem for the rest. A probe of the
// folder refines it.
func ForOS(goos string) Policy {
	switch goos {
	case "windows":
		return Policy{Windows: true, CaseInsensitive: true}
	case "darwin", "ios":
		return Policy{CaseInsensitive: true, NormalizationInsensitive: true}
	}
	return Policy{}
}

// Named returns the rules ForOS gives for one of "windows", "darwin" or
// "linux", and an error for any other name. It lets a test or a user force
// a system's rules instead of probing.
func Named(name string) (Policy, error) {
	switch name {
	case "windows", "darwin", "linux":
		return ForOS(name), nil
	}
	return Policy{}, fmt.Errorf("name rules %q: want windows, darwin or linux", name)
}

// String describes the rules in a few words, e.g. "windows names,
// case-insensitive".
func (p Policy) String() string {
	parts := []string{"unix names"}
	if p.Windows {
		parts[0] = "windows names"
	}
	if p.CaseInsensitive {
		parts = append(parts, "case-insensitive")
	} else {
		parts = append(parts, "case-sensitive")
	}
	if p.NormalizationInsensitive {
		parts = append(parts, "normalization-insensitive")
	}
	return strings.Join(parts, ", ")
}

// Fold returns the form under which paths that the filesystem takes for
// one are equal: path itself when the rules are case-sensitive, and its
// Unicode case folding otherwise. Full case folding is used, which equates
// a little more than NTFS does ("ß" and "ss"): for spotting collisions,
// too many is safe and too few is not.
func (p Policy) Fold(path string) string {
	if !p.CaseInsensitive {
		return path
	}
	if isASCII(path) {
		return strings.ToLower(path)
	}
	return cases.Fold().String(path)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
