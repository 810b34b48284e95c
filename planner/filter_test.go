package planner

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestMatcher(t *testing.T) {
	type check struct {
		path  string
		isDir bool
		want  bool
	}
	tests := []struct {
		name             string
		include, exclude []string
		checks           []check
	}{
		{
			name: "no patterns include everything",
			checks: []check{
				{"a", false, true}, {"a/b/c.tmp", false, true}, {"dir", true, true},
			},
		},
		{
			name:    "double star then glob",
			exclude: []string{"**/*.tmp"},
			checks: []check{
				{"a.tmp", false, false}, {"x/y/a.tmp", false, false},
				{"a.tmp.txt", false, true}, {"a.TMP", false, true},
			},
		},
		{
			name:    "name pattern at any depth",
			exclude: []string{"*.tmp"},
			checks: []check{
				{"a.tmp", false, false}, {"deep/er/b.tmp", false, false},
				{"dir.tmp", true, false}, {"dir.tmp/inner.txt", false, false},
				{"a.tmpx", false, true}, {"tmp", false, true},
			},
		},
		{
			name:    "directory contents",
			exclude: []string{"build/**"},
			checks: []check{
				{"build/x", false, false}, {"build/a/b/c", false, false},
				{"build", true, true}, {"build", false, true},
				{"src/build/x", false, true}, {"buildx/y", false, true},
			},
		},
		{
			name:    "office lock files and mac metadata",
			exclude: []string{"~$*", ".DS_Store"},
			checks: []check{
				{"~$report.docx", false, false}, {"docs/~$draft.xlsx", false, false},
				{".DS_Store", false, false}, {"photos/.DS_Store", false, false},
				{"report.docx", false, true}, {"a~$b", false, true}, {".DS_Store2", false, true},
			},
		},
		{
			name:    "directory-only pattern prunes",
			exclude: []string{"node_modules/"},
			checks: []check{
				{"node_modules", true, false}, {"web/node_modules", true, false},
				{"web/node_modules/x/y.js", false, false},
				{"node_modules", false, true}, // a file with that name is kept
			},
		},
		{
			name:    "anchored pattern",
			exclude: []string{"/cache", "logs/*.log"},
			checks: []check{
				{"cache/x", false, false}, {"cache", false, false},
				{"a/cache/x", false, true},
				{"logs/a.log", false, false}, {"logs/old/a.log", false, true}, {"x/logs/a.log", false, true},
			},
		},
		{
			name:    "double star in the middle matches zero or more directories",
			exclude: []string{"a/**/b"},
			checks: []check{
				{"a/b", false, false}, {"a/x/b", false, false}, {"a/x/y/b", false, false},
				{"a/b/c", false, false}, // below an excluded directory
				{"a/bb", false, true}, {"x/a/b", false, true},
			},
		},
		{
			name:    "question mark, classes and escapes",
			exclude: []string{"file?.txt", "[abc]*.log", "[!0-9]x", `\*star`, "[]]z"},
			checks: []check{
				{"file1.txt", false, false}, {"fileé.txt", false, false}, {"file10.txt", false, true},
				{"b.log", false, false}, {"d.log", false, true},
				{"ax", false, false}, {"5x", false, true},
				{"*star", false, false}, {"xstar", false, true},
				{"]z", false, false},
			},
		},
		{
			name:    "include list",
			include: []string{"*.jpg", "docs/"},
			exclude: []string{"private/"},
			checks: []check{
				{"a.jpg", false, true}, {"x/y/a.jpg", false, true},
				{"a.png", false, false}, {"docs/a.png", false, true}, {"x/docs/deep/a.txt", false, true},
				{"private/a.jpg", false, false}, {"docs/private/a.txt", false, false},
				{"photos", true, true}, // includes never prune directories
				{"private", true, false},
			},
		},
		{
			name:    "stars in a name",
			exclude: []string{"*~*", "a*b*c"},
			checks: []check{
				{"x~y", false, false}, {"~", false, false},
				{"aXbYc", false, false}, {"abc", false, false}, {"acb", false, true},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := NewMatcher(tc.include, tc.exclude)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range tc.checks {
				if got := m.Match(c.path, c.isDir); got != c.want {
					t.Errorf("Match(%q, dir=%v) = %v, want %v", c.path, c.isDir, got, c.want)
				}
			}
		})
	}
}

// TestFilterCursorAgreesWithMatch runs the incremental filter Plan uses over
// sorted paths and compares every answer with Match.
func TestFilterCursorAgreesWithMatch(t *testing.T) {
	m, err := NewMatcher([]string{"*.txt", "keep/"}, []string{"build/", "*.tmp", "a/**/z"})
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{
		"a.txt", "a/b.txt", "a/b/c.txt", "a/b/z", "a/b/z.txt", "a/bz/x.txt", "a/z",
		"b.tmp", "build.txt", "build/x.txt", "keep/any", "keep/build/x", "keep/deep/er/f",
		"x/build/y.txt", "x/keep.txt", "x/y/z/w.txt", "z.bin",
	}
	slices.Sort(paths)
	c := newFilterCursor(m)
	for _, p := range paths {
		if got, want := c.match(p), m.Match(p, false); got != want {
			t.Errorf("cursor says %v for %q, Match says %v", got, p, want)
		}
	}
}

func TestNewMatcherRejectsBadPatterns(t *testing.T) {
	tests := []struct{ pattern, why string }{
		{"[abc", "unterminated"},
		{"a/[", "unterminated"},
		{`x\`, "trailing"},
		{"", "empty"},
		{"/", "empty"},
		{"a//b", "empty segment"},
		{"!keep.txt", "negation"},
	}
	for _, tc := range tests {
		_, err := NewMatcher(nil, []string{"ok", tc.pattern})
		if err == nil {
			t.Errorf("NewMatcher(%q) succeeded, want an error", tc.pattern)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, tc.why) || !strings.Contains(msg, fmt.Sprintf("exclude pattern %q", tc.pattern)) {
			t.Errorf("NewMatcher(%q) error %q should name the pattern and say %q", tc.pattern, msg, tc.why)
		}
	}
	if _, err := NewMatcher([]string{"[z"}, nil); err == nil || !strings.Contains(err.Error(), `include pattern "[z"`) {
		t.Errorf("bad include pattern: err = %v", err)
	}
}

func BenchmarkMatcher(b *testing.B) {
	m, err := NewMatcher(nil, []string{"*.tmp", "~$*", ".DS_Store", "**/node_modules/**", "build/"})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		m.Match("projects/site/src/components/widgets/button.tsx", false)
	}
}
