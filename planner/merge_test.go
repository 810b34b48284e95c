package planner

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ks3sync/ks3sync/names"
)

func localsOf(paths ...string) []LocalEntry {
	out := make([]LocalEntry, len(paths))
	for i, p := range paths {
		out[i] = LocalEntry{Path: p}
	}
	return out
}

func basesOf(paths ...string) []BaseEntry {
	out := make([]BaseEntry, len(paths))
	for i, p := range paths {
		out[i] = BaseEntry{Path: p, RemoteKey: p}
	}
	return out
}

func remotesOf(keys ...string) []RemoteEntry {
	out := make([]RemoteEntry, len(keys))
	for i, k := range keys {
		out[i] = RemoteEntry{Key: k, Size: 1}
	}
	return out
}

// renderGroups merges the listings and renders each path as
// "path: L R=key,... B" with the sides it has.
func renderGroups(t *testing.T, local []LocalEntry, base []BaseEntry, remote []RemoteEntry, prefix string, m *Matcher, rules names.Policy) ([]string, error) {
	t.Helper()
	rs, _, err := indexRemote(remote, prefix, rules)
	if err != nil {
		return nil, err
	}
	if m == nil {
		m = &Matcher{}
	}
	lists, err := newListings(&Input{Local: local, Base: base, Remote: remote}, rs, rules)
	if err != nil {
		return nil, err
	}
	var out []string
	err = merge(lists, remote, newFilterCursor(m), func(g *group) {
		var b strings.Builder
		b.WriteString(g.path + ":")
		if len(g.local) > 0 {
			b.WriteString(" L")
			if len(g.local) > 1 {
				fmt.Fprintf(&b, "x%d", len(g.local))
			}
		}
		if len(g.remote) > 0 {
			keys := make([]string, len(g.remote))
			for i, r := range g.remote {
				keys[i] = remote[r.idx].Key
			}
			b.WriteString(" R=" + strings.Join(keys, ","))
		}
		if g.base != nil {
			b.WriteString(" B")
		}
		if len(g.bases) > 1 {
			fmt.Fprintf(&b, "x%d=%s", len(g.bases), g.base.RemoteKey)
		}
		out = append(out, b.String())
	})
	return out, err
}

// TestMergeListings is a pair table in the manner of rclone's
// TestMatchListings: the three listings in, the aligned paths out.
func TestMergeListings(t *testing.T) {
	const (
		nfc       = "caf\u00e9"  // café, precomposed
		nfd       = "cafe\u0301" // café, e + combining acute accent
		angstrom  = "\u212Bx"    // ANGSTROM SIGN, whose NFC is Å (U+00C5)
		aRingNFC  = "\u00C5x"
		aRingNFCz = "\u00C5z"
	)
	tests := []struct {
		name   string
		local  []string
		base   []string
		remote []string
		prefix string
		rules  names.Policy
		want   []string
	}{
		{name: "empty"},
		{
			name:  "same path everywhere",
			local: []string{"a"}, base: []string{"a"}, remote: []string{"a"},
			want: []string{"a: L R=a B"},
		},
		{
			name:  "a, nil | b, b | nil, c",
			local: []string{"a", "b"}, remote: []string{"b", "c"},
			want: []string{"a: L", "b: L R=b", "c: R=c"},
		},
		{
			name:  "interleaved with base",
			local: []string{"a", "c"}, base: []string{"a", "b"}, remote: []string{"b", "c"},
			want: []string{"a: L B", "b: R=b B", "c: L R=c"},
		},
		{
			name:  "byte order puts a.txt between a and a/b",
			local: []string{"a", "a.txt", "a/b"}, remote: []string{"a.txt", "a/b"},
			want: []string{"a: L", "a.txt: L R=a.txt", "a/b: L R=a/b"},
		},
		{
			name:   "prefix is stripped",
			local:  []string{"x/y"},
			remote: []string{"laptop/docs/x/y", "laptop/docs/z"}, prefix: "laptop/docs/",
			want: []string{"x/y: L R=laptop/docs/x/y", "z: R=laptop/docs/z"},
		},
		{
			name:   "NFD remote key meets NFC local path",
			local:  []string{"caff.txt", nfc + ".txt"},
			remote: []string{nfd + ".txt", "caff.txt"},
			want:   []string{"caff.txt: L R=caff.txt", nfc + ".txt: L R=" + nfd + ".txt"},
		},
		{
			name:   "two remote keys that differ only by normalisation",
			local:  []string{nfc},
			remote: []string{nfd, nfc},
			want:   []string{nfc + ": L R=" + nfc + "," + nfd},
		},
		{
			name:   "normalisation moves a key before keys listed earlier",
			remote: []string{aRingNFCz, angstrom},
			want:   []string{aRingNFC + ": R=" + angstrom, aRingNFCz + ": R=" + aRingNFCz},
		},
		{
			name:   "directory markers are not files",
			remote: []string{"p/", "p/dir/", "p/dir/f"}, prefix: "p/",
			want: []string{"dir/f: R=p/dir/f"},
		},
		{
			name:   "unsafe keys stay out of the merge",
			remote: []string{"../x", "a//b", "ok"},
			want:   []string{"ok: R=ok"},
		},
		{
			name:  "local names equal after normalisation",
			local: []string{"a", "a", "b"},
			want:  []string{"a: Lx2", "b: L"},
		},
		{
			name: "base only",
			base: []string{"gone"},
			want: []string{"gone: B"},
		},
		{
			name:  "windows names are mapped",
			local: []string{"a：b", "ok"}, remote: []string{"a:b", "ok"}, rules: names.ForOS("windows"),
			want: []string{"a：b: L R=a:b", "ok: L R=ok"},
		},
		{
			name:  "case-insensitive: folders spelled differently on disk",
			local: []string{"Dir/b"}, base: []string{"dir/b"}, remote: []string{"dir/b"}, rules: names.ForOS("darwin"),
			want: []string{"dir/b: L R=dir/b B"},
		},
		{
			name:   "case-insensitive: keys that fold together",
			remote: []string{"Report.pdf", "b", "report.pdf"}, rules: names.ForOS("darwin"),
			want: []string{"b: R=b", "Report.pdf: R=report.pdf,Report.pdf"},
		},
		{
			name:  "case-insensitive: the record of the key the bucket has wins",
			local: []string{"X"}, base: []string{"X", "x"}, remote: []string{"x"}, rules: names.ForOS("windows"),
			want: []string{"x: L R=x Bx2=x"},
		},
		{
			name:  "case-sensitive: case makes other paths",
			local: []string{"Dir/b"}, base: []string{"dir/b"}, remote: []string{"dir/b"},
			want: []string{"Dir/b: L", "dir/b: R=dir/b B"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := renderGroups(t, localsOf(tc.local...), basesOf(tc.base...), remotesOf(tc.remote...), tc.prefix, nil, tc.rules)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
		})
	}
}

func TestMergeRejectsUnsortedInput(t *testing.T) {
	tests := []struct {
		name                string
		local, base, remote []string
		wantErr             string
	}{
		{name: "local out of order", local: []string{"b", "a"}, wantErr: "local entries are not sorted"},
		{name: "base out of order", base: []string{"b", "a"}, wantErr: "base entries are not sorted"},
		{name: "base repeats a path", base: []string{"a", "a"}, wantErr: "repeat"},
		{name: "remote out of order", remote: []string{"b", "a"}, wantErr: "remote entries are not sorted"},
		{name: "remote repeats a key", remote: []string{"a", "a"}, wantErr: "remote entries are not sorted"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, rules := range []names.Policy{{}, names.ForOS("windows")} {
				_, err := renderGroups(t, localsOf(tc.local...), basesOf(tc.base...), remotesOf(tc.remote...), "", nil, rules)
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("%v: err = %v, want one containing %q", rules, err, tc.wantErr)
				}
			}
		})
	}
}

func TestMergeAppliesFilterToEverySide(t *testing.T) {
	m, err := NewMatcher(nil, []string{"*.tmp", "build/"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := renderGroups(t,
		localsOf("a.tmp", "b", "build/x", "src/build/y", "src/c"),
		basesOf("a.tmp", "build/x"),
		remotesOf("a.tmp", "b", "build/x", "src/c"),
		"", m, names.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"b: L R=b", "src/c: L R=src/c"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestIndexRemoteReportsBadKeys(t *testing.T) {
	remote := remotesOf("other/x", "p/", "p/../up", "p/a//b", "p/ok")
	remote[1].Size = 0 // the prefix's own folder marker
	_, bad, err := indexRemote(remote, "p/", names.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range bad {
		got = append(got, remote[b.idx].Key)
	}
	want := []string{"other/x", "p/../up", "p/a//b"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("bad keys %q, want %q", got, want)
	}
}
