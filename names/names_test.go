package names

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

var (
	unix    = ForOS("linux")
	windows = ForOS("windows")
	darwin  = ForOS("darwin")
)

// TestLocalPathWindows pins the local name of every rule. The character
// forms are those rclone's local backend writes on Windows.
func TestLocalPathWindows(t *testing.T) {
	long := strings.Repeat("d", 99) + "/" + strings.Repeat("e", 99) + "/" + strings.Repeat("f", 100) // 300 characters
	tests := []struct{ key, want string }{
		{"plain/file.txt", "plain/file.txt"},
		{"a:b", "a：b"},
		{"what?", "what？"},
		{`<>:"|?*\`, "＜＞：＂｜？＊＼"},
		{"a\\b/c", "a＼b/c"},
		{"a\tb\x01\x1f", "a␉b␁␟"},
		{"name.", "name．"},
		{"name..", "name.．"},
		{"trail ", "trail␠"},
		{"a. ", "a.␠"},
		{" lead", " lead"}, // Windows keeps leading spaces
		{"...", "..．"},
		{"dir./x", "dir．/x"},
		{"CON", "ＣON"},
		{"con.txt", "ｃon.txt"},
		{"Aux.tar.gz", "Ａux.tar.gz"},
		{"NUL .txt", "ＮUL .txt"},
		{"COM1", "ＣOM1"},
		{"lpt9.log", "ｌpt9.log"},
		{"COM¹", "ＣOM¹"},
		{"CONOUT$", "ＣONOUT$"},
		{"dir/prn", "dir/ｐrn"},
		{"com10.txt", "com10.txt"},
		{"console", "console"},
		{"CON:", "CON："},
		{"CON.", "CON．"},
		// Replacement characters already in the key are quoted.
		{"a：b", "a‛：b"},
		{"x‛y", "x‛‛y"},
		{"end．", "end‛．"},
		{"end␠", "end‛␠"},
		{"a␉b", "a‛␉b"},
		{"ＣON.txt", "‛ＣON.txt"},
		{"ＣONSOLE", "ＣONSOLE"},
		{"mid．dle␠x", "mid．dle␠x"}, // only a trailing one is read back as mapped
		{long, long},
		{"cafe\u0301", "caf\u00e9"}, // NFC
		{"C:\\x", "C：＼x"},           // a drive letter is a name like any other
	}
	for _, tc := range tests {
		got, err := windows.LocalPath(tc.key)
		if err != nil || got != tc.want {
			t.Errorf("LocalPath(%q) = %q, %v; want %q", tc.key, got, err, tc.want)
			continue
		}
		back, err := windows.KeyPath(got)
		if err != nil || back != norm.NFC.String(tc.key) {
			t.Errorf("KeyPath(%q) = %q, %v; want %q", got, back, err, tc.key)
		}
	}
}

// TestLocalPathUnix checks that only the rules of every system apply off
// Windows: the names Windows maps stay as they are.
func TestLocalPathUnix(t *testing.T) {
	for _, key := range []string{"a:b", "what?", "name.", "trail ", "CON.txt", "a\\b", "a\tb", "‛x", "ＣON"} {
		for _, p := range []Policy{unix, darwin} {
			got, err := p.LocalPath(key)
			if err != nil || got != key {
				t.Errorf("%v: LocalPath(%q) = %q, %v; want it unchanged", p, key, got, err)
			}
			back, err := p.KeyPath(got)
			if err != nil || back != key {
				t.Errorf("%v: KeyPath(%q) = %q, %v; want %q", p, got, back, err, key)
			}
		}
	}
}

func TestLocalPathRefuses(t *testing.T) {
	tests := []struct {
		key string
		pol Policy
		why string // part of the error
	}{
		{"../x", unix, `".."`},
		{"a/../../b", windows, `".."`},
		{"..", darwin, `".."`},
		{"/abs", unix, "absolute"},
		{"a\x00b", windows, "NUL"},
		{"a//b", unix, "empty path segment"},
		{"a/", unix, "empty path segment"},
		{".", windows, `"."`},
		{"a/./b", unix, `"."`},
		{"", unix, "empty path"},
		{"bad\xffutf8", windows, "UTF-8"},
		{strings.Repeat("n", 256), unix, "256 bytes"},
		{"d/" + strings.Repeat("é", 128), unix, "256 bytes"},
		{strings.Repeat("n", 256), windows, "256 UTF-16 units"},
	}
	for _, tc := range tests {
		got, err := tc.pol.LocalPath(tc.key)
		if err == nil {
			t.Errorf("%v: LocalPath(%q) = %q, want an error", tc.pol, tc.key, got)
			continue
		}
		if !strings.Contains(err.Error(), tc.why) {
			t.Errorf("%v: LocalPath(%q) error %q does not say %q", tc.pol, tc.key, err, tc.why)
		}
	}
	// Windows counts UTF-16 units: 200 two-byte letters fit there, not on
	// a byte-counting filesystem; one full-width replacement counts one.
	if _, err := windows.LocalPath(strings.Repeat("é", 200)); err != nil {
		t.Errorf("windows: 200 é: %v", err)
	}
	if _, err := windows.LocalPath(strings.Repeat("n", 254) + ":"); err != nil {
		t.Errorf("windows: 254 letters and a colon: %v", err)
	}
	if _, err := unix.LocalPath(strings.Repeat("é", 200)); err == nil {
		t.Error("unix: 200 é (400 bytes) accepted")
	}
}

// TestKeyPathRefuses checks local names that windows rules never write:
// they have no key.
func TestKeyPathRefuses(t *testing.T) {
	for _, local := range []string{
		"a:b",         // a character Windows forbids (met under forced rules)
		"trail ",      // a trailing space
		"name.",       // a trailing dot
		"CON.txt",     // a device name
		"‛lone",       // a quote that quotes nothing
		"x/y‛",        // a quote at the end
		".．",          // decodes to ".."
		"dir/．",       // decodes to "."
		"ok/a\x01",    // a control character
		"../escape",   // universal rules first
		"a//b",        // empty segment
		"‛ａb",         // a quote before a letter that is not a device
		"x‛．y",        // a quote before a character mapped only at the end
		"dir/‛" + "a", // same rule inside a folder
	} {
		if key, err := windows.KeyPath(local); err == nil {
			t.Errorf("KeyPath(%q) = %q, want an error", local, key)
		}
	}
	// The written forms of a device name and of a quote do have keys.
	for local, want := range map[string]string{"ａux": "aux", "‛‛": "‛", "‛ＣON": "ＣON"} {
		if key, err := windows.KeyPath(local); err != nil || key != want {
			t.Errorf("KeyPath(%q) = %q, %v; want %q", local, key, err, want)
		}
	}
}

func TestFold(t *testing.T) {
	tests := []struct {
		a, b  string
		equal bool
	}{
		{"Report.pdf", "report.pdf", true},
		{"Dir/A.txt", "dir/a.TXT", true},
		{"Straße", "STRASSE", true},
		{"ＣON", "ｃon", true},
		{"Ωmega", "ωMEGA", true},
		{"a.txt", "b.txt", false},
	}
	for _, tc := range tests {
		if got := windows.Fold(tc.a) == windows.Fold(tc.b); got != tc.equal {
			t.Errorf("case-insensitive Fold(%q) == Fold(%q): %v, want %v", tc.a, tc.b, got, tc.equal)
		}
		if tc.a != tc.b && unix.Fold(tc.a) == unix.Fold(tc.b) {
			t.Errorf("case-sensitive Fold(%q) == Fold(%q)", tc.a, tc.b)
		}
	}
}

func TestNamed(t *testing.T) {
	for _, name := range []string{"windows", "darwin", "linux"} {
		p, err := Named(name)
		if err != nil || p != ForOS(name) {
			t.Errorf("Named(%q) = %v, %v", name, p, err)
		}
	}
	if _, err := Named("plan9"); err == nil || !strings.Contains(err.Error(), "plan9") {
		t.Errorf("Named(plan9) error = %v", err)
	}
	if got := windows.String(); got != "windows names, case-insensitive" {
		t.Errorf("String() = %q", got)
	}
}

// FuzzWindowsMapping checks, for any key, that a local name exists only if
// Windows accepts it, and that it maps back to exactly the key.
func FuzzWindowsMapping(f *testing.F) {
	for _, s := range []string{"a:b", "CON.txt", "x‛y", "end．", "ＣON", "a\tb", "name. ", "‛．", "com¹", "d/nul", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		local, err := windows.LocalPath(key)
		if err != nil {
			return
		}
		for _, seg := range strings.Split(local, "/") {
			assertWindowsName(t, seg)
		}
		back, err := windows.KeyPath(local)
		if err != nil || back != norm.NFC.String(key) {
			t.Fatalf("KeyPath(LocalPath(%q) = %q) = %q, %v", key, local, back, err)
		}
	})
}

// FuzzKeyPath checks, for any local name, that a key is given only for a
// name that key maps to, so two names never share a key.
func FuzzKeyPath(f *testing.F) {
	for _, s := range []string{"a：b", "‛x", "ＣON", "‛ＣON", ".．", "a␠", "‛‛", "x‛"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, local string) {
		if !utf8.ValidString(local) || !norm.NFC.IsNormalString(local) {
			return
		}
		key, err := windows.KeyPath(local)
		if err != nil {
			return
		}
		if back, err := windows.LocalPath(key); err != nil || back != local {
			t.Fatalf("LocalPath(KeyPath(%q) = %q) = %q, %v", local, key, back, err)
		}
	})
}

// assertWindowsName checks a name with rules written apart from the
// implementation: no forbidden or control character, no trailing dot or
// space, no device name.
func assertWindowsName(t *testing.T, name string) {
	t.Helper()
	if strings.ContainsAny(name, `<>:"|?*\`) || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 }) {
		t.Fatalf("name %q holds a character windows forbids", name)
	}
	if strings.HasSuffix(name, ".") || strings.HasSuffix(name, " ") {
		t.Fatalf("name %q ends in a dot or space", name)
	}
	stem, _, _ := strings.Cut(name, ".")
	stem = strings.ToUpper(strings.TrimRight(stem, " "))
	switch stem {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "COM¹", "COM²", "COM³", "LPT¹", "LPT²", "LPT³":
		t.Fatalf("name %q is a device name", name)
	}
	if len(stem) == 4 && (stem[:3] == "COM" || stem[:3] == "LPT") && stem[3] >= '0' && stem[3] <= '9' {
		t.Fatalf("name %q is a device name", name)
	}
}

// TestPlainWindows checks the shortcut against the mappings themselves: a
// name it calls plain maps to itself both ways.
func TestPlainWindows(t *testing.T) {
	for _, seg := range []string{"file.txt", "é", "ＣON", "ｘ", "a:b", "CON", "x‛", "a．", "a．b", "a␠", "tab\t", ".hidden", "x.", "‛", "＜"} {
		if plainWindows(seg) && (encodeWindows(seg) != seg || decodeWindows(seg) != seg) {
			t.Errorf("plainWindows(%q) but it maps to %q and from %q", seg, encodeWindows(seg), decodeWindows(seg))
		}
	}
	for _, seg := range []string{"file.txt", "é", "a．b", ".hidden", "ｘ"[0:0] + "xｘ"} {
		if !plainWindows(seg) {
			t.Errorf("plainWindows(%q) = false", seg)
		}
	}
}

func BenchmarkLocalPathWindows(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		windows.LocalPath("projects/d0001/file-0001234.dat")
		windows.KeyPath("projects/d0001/file-0001234.dat")
	}
}
