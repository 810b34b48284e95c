package planner

import (
	"path"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/ks3sync/ks3sync/names"
)

var windowsNames = names.ForOS("windows")

func TestKeyFor(t *testing.T) {
	tests := []struct {
		prefix, path string
		rules        names.Policy
		want         string
	}{
		{"", "a/b.txt", names.Policy{}, "a/b.txt"},
		{"laptop/docs/", "a/b.txt", names.Policy{}, "laptop/docs/a/b.txt"},
		{"p/", "cafe\u0301", names.Policy{}, "p/caf\u00e9"}, // NFD input is normalised
		{"p/", "a：b/ＣON.txt", windowsNames, "p/a:b/CON.txt"},
		{"p/", "a：b", names.Policy{}, "p/a：b"}, // mapped back only under windows rules
	}
	for _, tc := range tests {
		if got, err := KeyFor(tc.prefix, tc.path, tc.rules); err != nil || got != tc.want {
			t.Errorf("KeyFor(%q, %q, %v) = %q, %v; want %q", tc.prefix, tc.path, tc.rules, got, err, tc.want)
		}
	}
	if got, err := KeyFor("p/", "a:b", windowsNames); err == nil {
		t.Errorf("KeyFor(a:b) under windows rules = %q, want an error", got)
	}
}

func TestPathForAccepts(t *testing.T) {
	tests := []struct {
		prefix, key string
		rules       names.Policy
		want        string
	}{
		{"", "a/b.txt", names.Policy{}, "a/b.txt"},
		{"p/", "p/x/y", names.Policy{}, "x/y"},
		{"p/", "p/cafe\u0301", names.Policy{}, "caf\u00e9"},
		{"", "a\\b", names.Policy{}, "a\\b"}, // a backslash is an ordinary character off windows
		{"", "CON", names.Policy{}, "CON"},   // so are windows device names
		{"", "what?.txt", names.ForOS("darwin"), "what?.txt"},
		{"", "a/..b/c.d", windowsNames, "a/..b/c.d"}, // dots inside names are fine
		{"", "...x", names.Policy{}, "...x"},
		{"", "com10.txt", windowsNames, "com10.txt"},
		{"", "ab:c", names.Policy{}, "ab:c"},
		{"p/", "p/aux.txt", windowsNames, "ａux.txt"},
		{"p/", "p/dir./what?", windowsNames, "dir．/what？"},
	}
	for _, tc := range tests {
		got, err := PathFor(tc.prefix, tc.key, tc.rules)
		if err != nil || got != tc.want {
			t.Errorf("PathFor(%q, %q, %v) = %q, %v; want %q", tc.prefix, tc.key, tc.rules, got, err, tc.want)
		}
	}
}

func TestPathForRefuses(t *testing.T) {
	tests := []struct {
		key string
		why string // part of the error
	}{
		{"../x", `".."`},
		{"a/../../b", `".."`},
		{"/abs", "absolute"},
		{"a\x00b", "NUL"},
		{"a//b", "empty path segment"},
		{"a/", "empty path segment"},
		{"a/./b", `"."`},
		{"", "empty path"},
		{"bad\xffutf8", "UTF-8"},
		{strings.Repeat("x", 256), "256"},
	}
	for _, tc := range tests {
		for _, rules := range []names.Policy{{}, windowsNames} {
			got, err := PathFor("", tc.key, rules)
			if err == nil {
				t.Errorf("PathFor(%q, %v) = %q, want an error", tc.key, rules, got)
				continue
			}
			if !strings.Contains(err.Error(), tc.why) || !strings.Contains(err.Error(), "map key") {
				t.Errorf("PathFor(%q, %v) error %q does not say %q", tc.key, rules, err, tc.why)
			}
		}
	}
}

func TestPathForOutsidePrefix(t *testing.T) {
	if _, err := PathFor("p/", "q/x", names.Policy{}); err == nil || !strings.Contains(err.Error(), "outside prefix") {
		t.Fatalf("err = %v, want outside prefix", err)
	}
}

// FuzzKeyMapping checks that mapping a path to a key and back returns the
// path, and that every path PathFor accepts stays inside the root.
func FuzzKeyMapping(f *testing.F) {
	for _, s := range []string{"a/b.txt", "cafe\u0301", "../x", "a//b", "C:x", "CON", "x.", "\u212B", "a\\b", "é/ü/ß", "a：b"} {
		f.Add(s, "p/", false)
		f.Add(s, "", true)
	}
	f.Fuzz(func(t *testing.T, p, prefix string, windows bool) {
		if prefix != "" && !strings.HasSuffix(prefix, "/") {
			prefix += "/"
		}
		rules := names.Policy{}
		if windows {
			rules = windowsNames
		}
		key, err := KeyFor(prefix, p, rules)
		if err != nil {
			return
		}
		got, err := PathFor(prefix, key, rules)
		if err != nil || got != norm.NFC.String(p) {
			t.Fatalf("PathFor(KeyFor(%q) = %q) = %q, %v; want the path back in NFC", p, key, got, err)
		}
		assertInsideRoot(t, got, windows)
	})
}

// FuzzPathFor feeds arbitrary keys: none may panic or map outside the root,
// and every local path maps back to its key.
func FuzzPathFor(f *testing.F) {
	for _, s := range []string{"a", "../a", "a/../b", "/x", "a//b", "D:\\x", "\x00", "a/.", "aux", "a:b."} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, key string, windows bool) {
		rules := names.Policy{}
		if windows {
			rules = windowsNames
		}
		got, err := PathFor("", key, rules)
		if err != nil {
			return
		}
		assertInsideRoot(t, got, windows)
		if back, err := KeyFor("", got, rules); err != nil || back != norm.NFC.String(key) {
			t.Fatalf("KeyFor(PathFor(%q) = %q) = %q, %v", key, got, back, err)
		}
	})
}

// assertInsideRoot checks an accepted path with rules independent of the
// implementation: clean, relative, no "..", no NUL, and for windows no
// backslash or colon.
func assertInsideRoot(t *testing.T, p string, windows bool) {
	t.Helper()
	switch {
	case p == "" || path.IsAbs(p) || path.Clean(p) != p:
		t.Fatalf("accepted path %q is empty, absolute or not clean", p)
	case p == ".." || strings.HasPrefix(p, "../"):
		t.Fatalf("accepted path %q escapes the root", p)
	case strings.ContainsRune(p, 0):
		t.Fatalf("accepted path %q contains NUL", p)
	case windows && strings.ContainsAny(p, `\:`):
		t.Fatalf("accepted path %q has a windows separator or volume", p)
	}
}
