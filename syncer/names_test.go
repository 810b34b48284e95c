package syncer

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/planner"
)

// TestWindowsNamesRoundTrip forces the Windows name rules: keys Windows
// cannot hold are pulled to their mapped names, and an edit found by a
// watch pass goes back to the original key, nothing else moving.
func TestWindowsNamesRoundTrip(t *testing.T) {
	f := newFixture(t)
	for _, k := range []string{"pre/a:b", "pre/Dir/x", "pre/CON.txt"} {
		f.store.PutObject(t.Context(), "bkt", k, bytes.NewReader([]byte(k)), int64(len(k)), ks3.PutOptions{})
	}
	s := f.syncer(t, func(o *Options) {
		o.Direction, o.Delete, o.NameRules = planner.Both, planner.Propagate, "windows"
	})
	if res, err := s.Run(t.Context(), "run"); err != nil || res.Counts.Downloaded != 3 {
		t.Fatalf("full pass: %+v, %v", res, err)
	}
	for _, name := range []string{"a：b", "Dir/x", "ＣON.txt"} {
		if _, err := os.Stat(filepath.Join(f.root, filepath.FromSlash(name))); err != nil {
			t.Errorf("pulled file: %v", err)
		}
	}
	later := time.Now().Add(time.Minute)
	f.write(t, "a：b", []byte("edited"))
	os.Chtimes(filepath.Join(f.root, "a：b"), later, later)
	if _, err := s.RunPaths(t.Context(), []string{"a：b", "ＣON.txt"}); err != nil {
		t.Fatal(err)
	}
	if got := string(f.store.objects["pre/a:b"].data); got != "edited" {
		t.Errorf("pre/a:b = %q after the watch pass, want the edit", got)
	}
	var keys []string
	for k := range f.store.objects {
		keys = append(keys, k)
	}
	if len(keys) != 3 {
		t.Errorf("objects %q, want the three keys unchanged", keys)
	}
}

func TestListingPrefixesUnderNameRules(t *testing.T) {
	f := newFixture(t)
	win := f.syncer(t, func(o *Options) { o.NameRules = "windows" })
	win.nameRules() // as a pass does when it starts
	if got := win.listingPrefixes([]string{"a：b", "123/Dir/x"}); strings.Join(got, "|") != "pre/" {
		t.Errorf("windows: %q, want the whole prefix", got)
	}
	if got := win.listingPrefixes([]string{"123/Dir/x", "4/é"}); strings.Join(got, "|") != "pre/123/|pre/4/" {
		t.Errorf("windows: %q, want the folders before the first letters", got)
	}
	unix := f.syncer(t, func(o *Options) { o.NameRules = "linux" })
	unix.nameRules()
	got := unix.listingPrefixes([]string{"a：b", "123/Dir/x"})
	if want := "pre/123/Dir/x|pre/a：b"; strings.Join(got, "|") != want {
		t.Errorf("linux: %q, want %q", got, want)
	}
	if got := beforeCase("123/4/Dir/x"); got != "123/4/" {
		t.Errorf("beforeCase = %q", got)
	}
	if got := beforeCase("123/4"); got != "123/4" {
		t.Errorf("beforeCase without letters = %q", got)
	}
}
