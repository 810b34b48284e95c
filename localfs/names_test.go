package localfs

import (
	"path/filepath"
	"testing"
)

func TestRelForms(t *testing.T) {
	const decomposed, composed = "cafe\u0301", "caf\u00e9"
	for in, want := range map[string]string{
		"": "", ".": "", "/": "", "a/b/": "a/b", "a//b/./c/..": "a/b", "../x": "x",
		decomposed + "/x": composed + "/x",
	} {
		if got := CleanRel(in); got != want {
			t.Errorf("CleanRel(%q) = %q, want %q", in, got, want)
		}
	}
	if got := RelFromOS(filepath.Join("dir", decomposed)); got != "dir/"+composed {
		t.Errorf("RelFromOS = %q, want %q", got, "dir/"+composed)
	}
	for in, want := range map[string]string{"a": "", "a/b": "a", "a/b/c": "a/b", "": ""} {
		if got := ParentRel(in); got != want {
			t.Errorf("ParentRel(%q) = %q, want %q", in, got, want)
		}
	}
	if !IsTemp(TempPrefix+"123") || IsTemp("x"+TempPrefix) || IsTemp("dir/"+TempPrefix+"1") {
		t.Error("IsTemp looks at anything but the start of a file name")
	}
}
