package store

import "testing"

func TestPrefixEnd(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""}, {"a", "b"}, {"a/", "a0"}, {"ab\xff", "ac"}, {"\xff\xff", ""}, {"z\xff", "{"},
	} {
		if got := prefixEnd(tc.in); got != tc.want {
			t.Errorf("prefixEnd(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct {
		prefix, delim, marker string
		want                  listCursor
	}{
		{"", "", "", listCursor{}},
		{"p/", "", "a", listCursor{key: "p/", inclusive: true}},
		{"p/", "/", "p/x", listCursor{key: "p/x"}},
		{"p/", "/", "p/d/x", listCursor{key: "p/d0", inclusive: true}},
		{"", "\xff", "\xff\xff", listCursor{exhausted: true, inclusive: true}},
	} {
		if got := startCursor(tc.prefix, tc.delim, tc.marker); got != tc.want {
			t.Errorf("startCursor(%q, %q, %q) = %+v, want %+v", tc.prefix, tc.delim, tc.marker, got, tc.want)
		}
	}
}
