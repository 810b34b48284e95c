package main

import (
	"slices"
	"testing"
)

func TestMemFiles(t *testing.T) {
	base := []string{"-ks3sync", "ks3sync", "-work", "w"}
	o, err := parseFlags(base)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{1000000, 2000000}; !slices.Equal(o.memFiles, want) {
		t.Errorf("default -mem-files = %v, want %v", o.memFiles, want)
	}
	o, err = parseFlags(append(base, "-mem-files", "2000, 500,2000"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{500, 2000}; !slices.Equal(o.memFiles, want) {
		t.Errorf("-mem-files 2000,500,2000 = %v, want %v", o.memFiles, want)
	}
	o, err = parseFlags(append(base, "-smoke"))
	if err != nil {
		t.Fatal(err)
	}
	if o.memFiles[len(o.memFiles)-1] > 10000 {
		t.Errorf("-smoke memory trees %v: too big for CI", o.memFiles)
	}
	for _, bad := range []string{"", "0", "-5", "1e6", "many"} {
		if _, err := parseFlags(append(base, "-mem-files", bad)); err == nil {
			t.Errorf("-mem-files %q accepted", bad)
		}
	}
}
