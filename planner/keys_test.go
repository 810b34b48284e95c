package planner

import (
	"path"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestKeyFor(t *testing.T) {
	tests := []struct{ prefix, path, want string }{
		{"", "a/b.txt", "a/b.txt"},
		{"laptop/docs/", "a/b.txt", "laptop/docs/a/b.txt"},
		{"p/", "cafe\u0301", "p/caf\u00e9"}, // NFD input is normalised
	}
	for _, tc := range tests {
		if got := KeyFor(tc.prefix, tc.path); got != tc.want {
			t.Errorf("KeyFor(%q, %q) = %q, want %q", tc.prefix, tc.path, got, tc.want)
		}
	}
}

func TestPathForAccepts(t *testing.T) {
	tests := []struct{ prefix, key, goos, want string }{
		{"", "a/b.txt", "", "a/b.txt"},
		{"p/", "p/x/y", "", "x/y"},
		{"p/", "p/cafe\u0301", "", "caf\u00e9"},
		{"", "a\\b", "linux", "a\\b"}, // a backslash is an ordinary character off windows
		{"", "CON", "linux", "CON"},   // so are windows device names
		{"", "what?.txt", "darwin", "what?.txt"},
		{"", "a/..b/c.d", "windows", "a/..b/c.d"}, // dots inside names are fine
		{"", "...x", "", "...x"},
		{"", "com10.txt", "windows", "com10.txt"},
		{"", "console", "windows", "console"},
		{"", "ab:c", "", "ab:c"}, // not a drive letter: only a leading "X:" is
	}
	for _, tc := range tests {
		got, err := PathFor(tc.prefix, tc.key, tc.goos)
		if err != nil || got != tc.want {
			t.Errorf("PathFor(%q, %q, %q) = %q, %v; want %q", tc.prefix, tc.key, tc.goos, got, err, tc.want)
		}
	}
}

func TestPathForRefuses(t *testing.T) {
	tests := []struct {
		key, goos string
		why       string // part of the error
	}{
		{"../x", "", `".."`},
		{"a/../../b", "", `".."`},
		{"..", "", `".."`},
		{"/abs", "", "absolute"},
		{"C:\\x", "", "drive letter"},
		{"c:x", "", "drive letter"},
		{"a\x00b", "", "NUL"},
		{"a//b", "", "empty path segment"},
		{"a/", "", "empty path segment"},
		{".", "", `"."`},
		{"a/./b", "", `"."`},
		{"", "", "empty path"},
		{"bad\xffutf8", "", "UTF-8"},
		{"a\\b", "windows", `'\\'`},
		{"CON", "windows", "reserved"},
		{"con", "windows", "reserved"},
		{"aux.txt", "windows", "reserved"},
		{"dir/nul.tar.gz", "windows", "reserved"},
		{"COM1", "windows", "reserved"},
		{"lpt9.log", "windows", "reserved"},
		{"COM\u00b9", "windows", "reserved"},
		{"CONOUT$", "windows", "reserved"},
		{"NUL .txt", "windows", "reserved"},
		{"name.", "windows", "dot or space"},
		{"name ", "windows", "dot or space"},
		{"dir./x", "windows", "dot or space"},
		{"a<b", "windows", "not allowed"},
		{"a>b", "windows", "not allowed"},
		{"ab:c", "windows", "not allowed"},
		{`a"b`, "windows", "not allowed"},
		{"a|b", "windows", "not allowed"},
		{"a?b", "windows", "not allowed"},
		{"a*b", "windows", "not allowed"},
		{"a\tb", "windows", "control character"},
	}
	for _, tc := range tests {
		got, err := PathFor("", tc.key, tc.goos)
		if err == nil {
			t.Errorf("PathFor(%q, goos %q) = %q, want an error", tc.key, tc.goos, got)
			continue
		}
		if !strings.Contains(err.Error(), tc.why) {
			t.Errorf("PathFor(%q, goos %q) error %q does not say %q", tc.key, tc.goos, err, tc.why)
		}
	}
}

func TestPathForOutsidePrefix(t *testing.T) {
	if _, err := PathFor("p/", "q/x", ""); err == nil || !strings.Contains(err.Error(), "outside prefix") {
		t.Fatalf("err = %v, want outside prefix", err)
	}
}

// FuzzKeyMapping checks that mapping a path to a key and back returns the
// path, and that every path PathFor accepts stays inside the root.
func FuzzKeyMapping(f *testing.F) {
	for _, s := range []string{"a/b.txt", "cafe\u0301", "../x", "a//b", "C:x", "CON", "x.", "\u212B", "a\\b", "é/ü/ß"} {
		f.Add(s, "p/", false)
		f.Add(s, "", true)
	}
	f.Fuzz(func(t *testing.T, p, prefix string, windows bool) {
		if prefix != "" && !strings.HasSuffix(prefix, "/") {
			prefix += "/"
		}
		goos := ""
		if windows {
			goos = "windows"
		}
		key := KeyFor(prefix, p)
		got, err := PathFor(prefix, key, goos)
		if norm.NFC.IsNormalString(p) && checkPath(p, goos) == nil {
			if err != nil || got != p {
				t.Fatalf("PathFor(KeyFor(%q)) = %q, %v; want the path back", p, got, err)
			}
		}
		if err != nil {
			return
		}
		if got != norm.NFC.String(p) {
			t.Fatalf("PathFor(KeyFor(%q)) = %q, want its NFC form", p, got)
		}
		if KeyFor(prefix, got) != key {
			t.Fatalf("KeyFor(PathFor(%q)) = %q, want %q", key, KeyFor(prefix, got), key)
		}
		assertInsideRoot(t, got, windows)
	})
}

// FuzzPathFor feeds arbitrary keys: none may panic or map outside the root.
func FuzzPathFor(f *testing.F) {
	for _, s := range []string{"a", "../a", "a/../b", "/x", "a//b", "D:\\x", "\x00", "a/.", "aux"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, key string, windows bool) {
		goos := ""
		if windows {
			goos = "windows"
		}
		got, err := PathFor("", key, goos)
		if err == nil {
			assertInsideRoot(t, got, windows)
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
