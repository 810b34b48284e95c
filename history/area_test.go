package history

import (
	"testing"
	"time"
)

func TestAreaKeyWireForm(t *testing.T) {
	a := Area{Bucket: "b", Prefix: "laptop/docs/"}
	if got := a.Root(); got != "laptop/docs/.ks3sync/history/" {
		t.Errorf("Root = %q", got)
	}
	written := time.Date(2026, 11, 25, 10, 41, 0, 123456789, time.FixedZone("CST", 8*3600))
	for _, tc := range []struct {
		v    Version
		want string
	}{
		{Version{Name: "report.docx", Written: written, Host: "laptop", Cause: Replaced},
			"laptop/docs/.ks3sync/history/report.docx/20261125T024100.123Z_laptop_replaced"},
		{Version{Name: "a b/ü.txt", Written: written.Add(time.Millisecond), Host: "my_host:1", Cause: Deleted},
			"laptop/docs/.ks3sync/history/a b/ü.txt/20261125T024100.124Z_my-host-1_deleted"},
		{Version{Name: "x", Written: time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC), Cause: Replaced},
			"laptop/docs/.ks3sync/history/x/20270102T030405.000Z_unknown_replaced"},
	} {
		if got := a.Key(tc.v); got != tc.want {
			t.Errorf("Key(%+v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestAreaParse(t *testing.T) {
	a := Area{Bucket: "b", Prefix: "p/"}
	modified := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	v, ok := a.Parse("p/.ks3sync/history/dir/20261125T024100.123Z/20261125T024100.123Z_h.local_deleted", 7, "e", modified)
	want := Version{Name: "dir/20261125T024100.123Z", Key: "p/.ks3sync/history/dir/20261125T024100.123Z/20261125T024100.123Z_h.local_deleted",
		Size: 7, ETag: "e", Written: time.Date(2026, 11, 25, 2, 41, 0, 123e6, time.UTC), Displaced: modified, Host: "h.local", Cause: Deleted}
	if !ok || v != want {
		t.Errorf("Parse = %+v, %v; want %+v", v, ok, want)
	}
	written := time.Date(2026, 11, 25, 2, 41, 0, 123e6, time.UTC)
	round := Version{Name: "a/b.txt", Written: written, Host: "h", Cause: Replaced}
	round.Key = a.Key(round)
	if got, ok := a.Parse(round.Key, 0, "", time.Time{}); !ok || got != round {
		t.Errorf("Parse(Key(v)) = %+v, %v; want %+v", got, ok, round)
	}
	for _, key := range []string{
		"p/.ks3sync/history/20261125T024100.123Z_h_replaced",     // no name
		"p/.ks3sync/history/a/20261125T024100.123Z_h_moved",      // unknown cause
		"p/.ks3sync/history/a/20261125T024100Z_h_replaced",       // no milliseconds
		"p/.ks3sync/history/a/20261125T024100.123Z_h_x_replaced", // four parts
		"p/.ks3sync/history/a/20261125T024100.123Z__replaced",    // empty host
		"p/.ks3sync/history/a/20261125T024100.123Z_h:1_replaced", // unsanitised host
		"p/.ks3sync/history/a/",                                  // folder marker
		"p/.ks3sync/journal/a/20261125T024100.123Z_h_replaced",   // not the history area
		"q/.ks3sync/history/a/20261125T024100.123Z_h_replaced",   // another pair
		"p/.ks3sync/history/a/notes.txt",                         // a user's object
	} {
		if v, ok := a.Parse(key, 1, "", modified); ok {
			t.Errorf("Parse(%q) = %+v, want not a version", key, v)
		}
	}
}

func TestHostName(t *testing.T) {
	long := "h123456789012345678901234567890123456789012345678901234567890123456789"
	for in, want := range map[string]string{
		"laptop": "laptop", "Mac-Book.local": "Mac-Book.local", "": "unknown",
		"a_b c/d:e": "a-b-c-d-e", "ü": "--", long: long[:64],
	} {
		if got := HostName(in); got != want {
			t.Errorf("HostName(%q) = %q, want %q", in, got, want)
		}
	}
}
