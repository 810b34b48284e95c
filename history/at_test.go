package history

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// at is t0 plus s seconds (fractions allowed).
func at(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }

// cur is a current object written at w.
func cur(name, etag string, w float64) Version {
	return Version{Name: name, Key: "p/" + name, Size: 5, ETag: etag, Written: at(w)}
}

// kept is a version written at w and displaced at d by cause on host.
func kept(name, etag string, w, d float64, cause Cause, host string) Version {
	v := Version{Name: name, Size: 5, ETag: etag, Written: at(w), Displaced: at(d), Host: host, Cause: cause}
	v.Key = Area{Prefix: "p/"}.Key(v)
	return v
}

// bucketHistory is one pair's current listing and kept versions after a
// series of syncs, each case annotated with what happened.
func bucketHistory() (current, versions []Version) {
	current = []Version{
		cur("edit.txt", "e2", 21),          // edit: v1 written 10, replaced at 20, v2 uploaded at 21
		cur("recreated.txt", "r2", 50),     // written 10, deleted at 30, written again at 50
		cur("new-name.txt", "n1", 29.9),    // rename: uploaded at 29.9, old name deleted at 30
		cur("same-size.txt", "s3", 30.5),   // three same-size edits
		cur("same-second.txt", "q3", 10.9), // three versions within one second
		cur("delete-failed.txt", "g1", 10), // kept for a deletion that then failed
		cur("touched.txt", "t1", 20.2),     // mtime refreshed by a copy onto itself at 20.2
		cur("untouched.txt", "u1", 1),      // never displaced
	}
	versions = []Version{
		kept("edit.txt", "e1", 10, 20, Replaced, "h"),
		kept("deleted.txt", "d1", 10, 30, Deleted, "h"),
		kept("recreated.txt", "r1", 10, 30, Deleted, "h"),
		kept("old-name.txt", "o1", 10, 30, Deleted, "h"),
		kept("same-size.txt", "s1", 10, 20, Replaced, "h"),
		kept("same-size.txt", "s2", 20, 30, Replaced, "h"),
		kept("same-second.txt", "q1", 10.1, 10.4, Replaced, "h"),
		kept("same-second.txt", "q2", 10.5, 10.8, Replaced, "h"),
		kept("retried.txt", "f1", 10, 20, Replaced, "h"), // an upload failed after the copy...
		kept("retried.txt", "f1", 10, 40, Deleted, "h"),  // ...then the file was deleted
		kept("delete-failed.txt", "g1", 10, 20, Deleted, "h"),
		kept("touched.txt", "t1", 10, 20, Replaced, "h"),
	}
	return current, versions
}

func TestAt(t *testing.T) {
	current, versions := bucketHistory()
	tests := []struct {
		t    float64
		want string // name=etag, sorted by name
	}{
		{0, ""},
		{1, "untouched.txt=u1"},
		{9.999, "untouched.txt=u1"},
		{10, "delete-failed.txt=g1 deleted.txt=d1 edit.txt=e1 old-name.txt=o1 recreated.txt=r1 retried.txt=f1 same-size.txt=s1 touched.txt=t1 untouched.txt=u1"},
		{10.3, "delete-failed.txt=g1 deleted.txt=d1 edit.txt=e1 old-name.txt=o1 recreated.txt=r1 retried.txt=f1 same-second.txt=q1 same-size.txt=s1 touched.txt=t1 untouched.txt=u1"},
		{10.6, "delete-failed.txt=g1 deleted.txt=d1 edit.txt=e1 old-name.txt=o1 recreated.txt=r1 retried.txt=f1 same-second.txt=q2 same-size.txt=s1 touched.txt=t1 untouched.txt=u1"},
		{10.95, "delete-failed.txt=g1 deleted.txt=d1 edit.txt=e1 old-name.txt=o1 recreated.txt=r1 retried.txt=f1 same-second.txt=q3 same-size.txt=s1 touched.txt=t1 untouched.txt=u1"},
		// 20.1: edit.txt was displaced at 20 but its upload ended at 21:
		// the old object was still there. touched.txt refreshed at 20.2.
		{20.1, "delete-failed.txt=g1 deleted.txt=d1 edit.txt=e1 old-name.txt=o1 recreated.txt=r1 retried.txt=f1 same-second.txt=q3 same-size.txt=s2 touched.txt=t1 untouched.txt=u1"},
		{21, "delete-failed.txt=g1 deleted.txt=d1 edit.txt=e2 old-name.txt=o1 recreated.txt=r1 retried.txt=f1 same-second.txt=q3 same-size.txt=s2 touched.txt=t1 untouched.txt=u1"},
		// 29.95: the renamed file exists under both names.
		{29.95, "delete-failed.txt=g1 deleted.txt=d1 edit.txt=e2 new-name.txt=n1 old-name.txt=o1 recreated.txt=r1 retried.txt=f1 same-second.txt=q3 same-size.txt=s2 touched.txt=t1 untouched.txt=u1"},
		// 30: deletions done at 30 have happened.
		{30, "delete-failed.txt=g1 edit.txt=e2 new-name.txt=n1 retried.txt=f1 same-second.txt=q3 same-size.txt=s2 touched.txt=t1 untouched.txt=u1"},
		{30.5, "delete-failed.txt=g1 edit.txt=e2 new-name.txt=n1 retried.txt=f1 same-second.txt=q3 same-size.txt=s3 touched.txt=t1 untouched.txt=u1"},
		{40, "delete-failed.txt=g1 edit.txt=e2 new-name.txt=n1 same-second.txt=q3 same-size.txt=s3 touched.txt=t1 untouched.txt=u1"},
		{50, "delete-failed.txt=g1 edit.txt=e2 new-name.txt=n1 recreated.txt=r2 same-second.txt=q3 same-size.txt=s3 touched.txt=t1 untouched.txt=u1"},
	}
	for _, tc := range tests {
		got := render(At(at(tc.t), current, versions))
		if got != tc.want {
			t.Errorf("At(t0+%gs)\n got %s\nwant %s", tc.t, got, tc.want)
		}
	}
}

// TestAtPicksTheRightObject: the version of a kept name is read from the
// history object, the current one from the pair's key.
func TestAtPicksTheRightObject(t *testing.T) {
	current, versions := bucketHistory()
	for _, v := range At(at(15), current, versions) {
		switch v.Name {
		case "touched.txt":
			if v.Current() || !strings.HasPrefix(v.Key, "p/.ks3sync/history/touched.txt/20261125T000010.000Z_h_") {
				t.Errorf("touched.txt at 15 reads %q, want its kept version", v.Key)
			}
		case "delete-failed.txt", "untouched.txt":
			if !v.Current() || v.Key != "p/"+v.Name {
				t.Errorf("%s at 15 reads %q, want the current object", v.Name, v.Key)
			}
		}
	}
}

func TestAtDoesNotDependOnOrder(t *testing.T) {
	current, versions := bucketHistory()
	versions = append(versions, kept("edit.txt", "e1", 10, 20, Replaced, "other-host")) // two devices, one moment
	want := make(map[float64]string)
	for _, s := range []float64{10, 15, 20.5, 30, 45} {
		want[s] = renderKeys(At(at(s), current, versions))
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		r.Shuffle(len(current), func(i, j int) { current[i], current[j] = current[j], current[i] })
		r.Shuffle(len(versions), func(i, j int) { versions[i], versions[j] = versions[j], versions[i] })
		for s, w := range want {
			if got := renderKeys(At(at(s), current, versions)); got != w {
				t.Fatalf("At(t0+%gs) depends on input order:\n%s\n%s", s, got, w)
			}
		}
	}
}

func TestAtEmpty(t *testing.T) {
	if got := At(t0, nil, nil); len(got) != 0 {
		t.Errorf("At with nothing = %v", got)
	}
}

func render(vs []Version) string {
	var parts []string
	for _, v := range vs {
		parts = append(parts, v.Name+"="+v.ETag)
	}
	if !slices.IsSortedFunc(vs, func(a, b Version) int { return strings.Compare(a.Name, b.Name) }) {
		return "unsorted: " + strings.Join(parts, " ")
	}
	return strings.Join(parts, " ")
}

func renderKeys(vs []Version) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintln(&b, v.Key)
	}
	return b.String()
}
