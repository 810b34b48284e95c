package objmeta

import (
	"maps"
	"testing"
	"time"
)

func TestAttrsMetadata(t *testing.T) {
	a := Attrs{MTime: time.Unix(1700000000, 5), MD5: "D41D8CD98F00B204E9800998ECF8427E"}
	want := map[string]string{"mtime": "1700000000.000000005", "md5": "d41d8cd98f00b204e9800998ecf8427e"}
	if got := a.Metadata(); !maps.Equal(got, want) {
		t.Errorf("Metadata() = %v, want %v", got, want)
	}
	if got := (Attrs{}).Metadata(); len(got) != 0 {
		t.Errorf("unknown attributes wrote %v", got)
	}
	if got := (Attrs{MTime: time.Unix(0, 0)}).Metadata(); got["mtime"] != "0.000000000" {
		t.Errorf("the epoch is a known mtime: %v", got)
	}
}

func TestRead(t *testing.T) {
	for _, tc := range []struct {
		meta map[string]string
		want Attrs
	}{
		{map[string]string{"mtime": "1700000000.5", "md5": "D41D8CD98F00B204E9800998ECF8427E"},
			Attrs{MTime: time.Unix(1700000000, 5e8), MD5: "d41d8cd98f00b204e9800998ecf8427e"}},
		{map[string]string{"mtime": "12.", "md5": "d41d8cd98f00b204e9800998ecf8427e-2"}, Attrs{}},
		{map[string]string{"mtime": "-1.5"}, Attrs{MTime: time.Unix(-2, 5e8)}},
		{nil, Attrs{}},
	} {
		got := Read(tc.meta)
		if !got.MTime.Equal(tc.want.MTime) || got.MD5 != tc.want.MD5 {
			t.Errorf("Read(%v) = %+v, want %+v", tc.meta, got, tc.want)
		}
	}
	a := Attrs{MTime: time.Unix(1714979289, 123456789), MD5: "0123456789abcdef0123456789abcdef"}
	if got := Read(a.Metadata()); !got.MTime.Equal(a.MTime) || got.MD5 != a.MD5 {
		t.Errorf("Read(Metadata()) = %+v, want %+v", got, a)
	}
}

func TestIsMD5Hex(t *testing.T) {
	for s, want := range map[string]bool{
		"d41d8cd98f00b204e9800998ecf8427e":   true,
		"D41D8CD98F00B204E9800998ECF8427E":   true,
		"d41d8cd98f00b204e9800998ecf8427e-3": false,
		"d41d8cd98f00b204e9800998ecf8427":    false,
		"z41d8cd98f00b204e9800998ecf8427e":   false,
		"":                                   false,
	} {
		if IsMD5Hex(s) != want {
			t.Errorf("IsMD5Hex(%q) != %v", s, want)
		}
	}
}

func TestIsReserved(t *testing.T) {
	for name, want := range map[string]bool{
		"mtime": true, "MTime": true, "md5": true, "iv": true, "key": true,
		"unencrypted-content-length": true, "unencrypted-content-md5": true,
		"owner": false, "md5sum": false, "": false,
	} {
		if IsReserved(name) != want {
			t.Errorf("IsReserved(%q) != %v", name, want)
		}
	}
}
