package localfs

import (
	"crypto/md5"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/ks3sync/ks3sync/names"
	"github.com/ks3sync/ks3sync/planner"
)

func TestProbeNamesSimulated(t *testing.T) {
	want := map[string]names.Policy{
		"linux/ext4":   {},
		"windows/NTFS": {Windows: true, CaseInsensitive: true},
		"darwin/APFS":  {CaseInsensitive: true, NormalizationInsensitive: true},
		"linux/vfat":   {Windows: true, CaseInsensitive: true},
	}
	for _, sim := range simFilesystems() {
		got, err := probeNames(sim, sim.goos)
		if err != nil || got != want[sim.name] {
			t.Errorf("%s: probe = %+v, %v; want %+v", sim.name, got, err, want[sim.name])
		}
		if len(sim.files) != 0 {
			t.Errorf("%s: the probe left %d files", sim.name, len(sim.files))
		}
	}
	// A case-sensitive APFS volume is probed as one, whatever macOS's default.
	cs := newSimFS("darwin/APFS-cs", "darwin", false, true, false)
	if got, _ := probeNames(cs, "darwin"); got.CaseInsensitive || !got.NormalizationInsensitive {
		t.Errorf("case-sensitive APFS probed as %+v", got)
	}
}

func TestProbeNamesOnDisk(t *testing.T) {
	dir := t.TempDir()
	p, err := ProbeNames(dir)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS == "linux" && (p.Windows || p.CaseInsensitive) {
		t.Errorf("a Linux temporary folder probed as %v", p)
	}
	if r, _ := Scan(t.Context(), dir, ScanOptions{}); len(r.Entries)+len(r.Temps) != 0 {
		t.Errorf("the probe left files: %+v", r)
	}
	if _, err := ProbeNames(dir + "/missing"); err == nil {
		t.Error("probing a missing folder succeeded")
	}
	forced, err := NameRules(dir, "windows")
	if err != nil || !forced.Windows || !forced.CaseInsensitive {
		t.Errorf("forced windows rules = %v, %v", forced, err)
	}
	if _, err := NameRules(dir, "beos"); err == nil {
		t.Error("unknown forced rules accepted")
	}
}

// hostileKeys are keys some system cannot hold as they are, under prefix
// "h/", with a 300-character path among them.
var hostileKeys = []string{
	"h/CON.txt",
	"h/Dir/one",
	"h/Report.pdf",
	"h/a:b",
	"h/back\\slash",
	"h/caf\u00e9",
	"h/cafe\u0301",
	"h/ctl\x01\x1fname",
	"h/deep/" + strings.Repeat("d", 96) + "/" + strings.Repeat("e", 96) + "/" + strings.Repeat("f", 100),
	"h/dir/two",
	"h/name.",
	"h/ok/normal.txt",
	"h/report.pdf",
	"h/trail ",
	"h/what?",
	"h/x/../escape",
}

// TestNameTable is the rule table: per simulated filesystem, where each
// key lands ("" for keys skipped, with the reason after a "!").
func TestNameTable(t *testing.T) {
	long := "deep/" + strings.Repeat("d", 96) + "/" + strings.Repeat("e", 96) + "/" + strings.Repeat("f", 100)
	type row struct{ key, ext4, ntfs, apfs, vfat string }
	rows := []row{
		{"CON.txt", "CON.txt", "ＣON.txt", "CON.txt", "ＣON.txt"},
		{"nul", "nul", "ｎul", "nul", "ｎul"},
		{"COM¹.log", "COM¹.log", "ＣOM¹.log", "COM¹.log", "ＣOM¹.log"},
		{"a:b", "a:b", "a：b", "a:b", "a：b"},
		{"what?", "what?", "what？", "what?", "what？"},
		{`q"<>|*`, `q"<>|*`, "q＂＜＞｜＊", `q"<>|*`, "q＂＜＞｜＊"},
		{"back\\slash", "back\\slash", "back＼slash", "back\\slash", "back＼slash"},
		{"ctl\x01\x1fname", "ctl\x01\x1fname", "ctl␁␟name", "ctl\x01\x1fname", "ctl␁␟name"},
		{"name.", "name.", "name．", "name.", "name．"},
		{"trail ", "trail ", "trail␠", "trail ", "trail␠"},
		{"dir./f", "dir./f", "dir．/f", "dir./f", "dir．/f"},
		{"a：b", "a：b", "a‛：b", "a：b", "a‛：b"},
		{long, long, long, long, long},
		{"cafe\u0301", "caf\u00e9", "caf\u00e9", "caf\u00e9", "caf\u00e9"},
		{"x/../escape", "!..", "!..", "!..", "!.."},
		{"a//b", "!empty path segment", "!empty path segment", "!empty path segment", "!empty path segment"},
		{strings.Repeat("é", 128), "!256 bytes", strings.Repeat("é", 128), "!256 bytes", strings.Repeat("é", 128)},
	}
	sims := simFilesystems()
	for _, r := range rows {
		for i, want := range []string{r.ext4, r.ntfs, r.apfs, r.vfat} {
			rules, err := probeNames(sims[i], sims[i].goos)
			if err != nil {
				t.Fatal(err)
			}
			got, err := planner.PathFor("p/", "p/"+r.key, rules)
			switch reason, skip := strings.CutPrefix(want, "!"); {
			case skip && (err == nil || !strings.Contains(err.Error(), reason)):
				t.Errorf("%s: %q -> %q, %v; want skipped for %q", sims[i].name, r.key, got, err, reason)
			case !skip && (err != nil || got != want):
				t.Errorf("%s: %q -> %q, %v; want %q", sims[i].name, r.key, got, err, want)
			case !skip:
				if err := sims[i].writeNew(got, planner.Fingerprint{}); err != nil {
					t.Errorf("%s: %q: the filesystem refuses %q: %v", sims[i].name, r.key, got, err)
				}
			}
		}
	}
}

// TestHostilePull pulls the hostile tree onto each simulated filesystem
// through the planner: no download may land on a file already written,
// only the keys no name can represent are skipped, a second pass finds
// nothing to do, and changing every pulled file uploads each to exactly
// the key it came from.
func TestHostilePull(t *testing.T) {
	for _, sim := range simFilesystems() {
		t.Run(sim.name, func(t *testing.T) {
			rules, err := probeNames(sim, sim.goos)
			if err != nil {
				t.Fatal(err)
			}
			remote := make([]planner.RemoteEntry, len(hostileKeys))
			for i, k := range hostileKeys {
				remote[i] = planner.RemoteEntry{Key: k, Size: 1, ETag: md5Of(k)}
			}
			slices.SortFunc(remote, func(a, b planner.RemoteEntry) int { return strings.Compare(a.Key, b.Key) })
			opts := planner.Options{Direction: planner.Both, Delete: planner.Propagate, Prefix: "h/", Host: "h", Time: "t", Names: rules}
			res, err := planner.Plan(planner.Input{Remote: remote}, opts)
			if err != nil {
				t.Fatal(err)
			}
			base, skipped := applyPull(t, sim, res)
			wantSkipped := []string{"h/caf\u00e9", "h/cafe\u0301", "h/x/../escape"}
			if rules.CaseInsensitive {
				wantSkipped = append(wantSkipped, "h/Report.pdf", "h/report.pdf")
			}
			if fmt.Sprint(sorted(skipped)) != fmt.Sprint(sorted(wantSkipped)) {
				t.Errorf("skipped %q, want %q", skipped, wantSkipped)
			}
			local := sim.scan()
			if len(local) != len(hostileKeys)-len(wantSkipped) {
				t.Errorf("%d files on disk, want %d: %v", len(local), len(hostileKeys)-len(wantSkipped), local)
			}
			in := planner.Input{Local: local, Remote: remote, Base: base}
			if res, err = planner.Plan(in, opts); err != nil {
				t.Fatal(err)
			}
			for _, a := range res.Actions {
				if a.Kind != planner.Error {
					t.Errorf("second pass: %s %q %q: %s", a.Kind, a.Path, a.Key, a.Reason)
				}
			}
			for i := range in.Local {
				in.Local[i].Size, in.Local[i].MTime = 2, 99
			}
			if res, err = planner.Plan(in, opts); err != nil {
				t.Fatal(err)
			}
			var uploaded []string
			for _, a := range res.Actions {
				if a.Kind == planner.Upload {
					uploaded = append(uploaded, a.Key)
				}
			}
			var want []string
			for _, b := range base {
				want = append(want, b.RemoteKey)
			}
			if fmt.Sprint(sorted(uploaded)) != fmt.Sprint(sorted(want)) {
				t.Errorf("edited files upload to\n  %q\nwant\n  %q", sorted(uploaded), sorted(want))
			}
		})
	}
}

// applyPull carries out the downloads of a plan on sim, failing on any
// overwrite, and returns the sync records they make and the keys skipped.
func applyPull(t *testing.T, sim *simFS, res *planner.Result) (base []planner.BaseEntry, skipped []string) {
	t.Helper()
	fp := planner.Fingerprint{Size: 1, MTime: 1}
	for _, a := range res.Actions {
		switch a.Kind {
		case planner.Error:
			skipped = append(skipped, a.Key)
		case planner.Download:
			if err := sim.writeNew(a.Path, fp); err != nil {
				t.Errorf("download %q to %q: %v", a.Key, a.Path, err)
				continue
			}
			base = append(base, planner.BaseEntry{Path: a.Path, Local: fp, MD5: a.Remote.ETag,
				RemoteKey: a.Key, RemoteSize: a.Remote.Size, ETag: a.Remote.ETag})
		default:
			t.Errorf("pull: unexpected %s %q", a.Kind, a.Path)
		}
	}
	slicesSortBase(base)
	return base, skipped
}

func md5Of(s string) string { return fmt.Sprintf("%x", md5.Sum([]byte(s))) }

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

func slicesSortBase(b []planner.BaseEntry) {
	slices.SortFunc(b, func(x, y planner.BaseEntry) int { return strings.Compare(x.Path, y.Path) })
}
