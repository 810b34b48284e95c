package planner

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// batches hands out entries in batches of n.
func batches[E any](entries []E, n int) Source[E] {
	return func() ([]E, bool, error) {
		k := min(n, len(entries))
		b := entries[:k]
		entries = entries[k:]
		return b, len(entries) > 0, nil
	}
}

// planWindows plans in through a Windower of the given size and returns
// the actions and summed counts.
func planWindows(t testing.TB, in Input, opts Options, size, batch int) ([]Action, *Result, int) {
	t.Helper()
	w := NewWindower(batches(in.Local, batch), batches(in.Remote, batch), batches(in.Base, batch),
		WindowOptions{Size: size, Prefix: opts.Prefix, Names: opts.Names})
	sum := &Result{Counts: map[ActionKind]int{}}
	var actions []Action
	windows := 0
	for {
		win, ok, err := w.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		windows++
		res, err := Plan(win, opts)
		if err != nil {
			t.Fatal(err)
		}
		actions = append(actions, res.Actions...)
		for k, n := range res.Counts {
			sum.Counts[k] += n
		}
		sum.LocalFiles += res.LocalFiles
		sum.RemoteFiles += res.RemoteFiles
		sum.Overwrites += res.Overwrites
	}
	return actions, sum, windows
}

func actionLines(actions []Action) []string {
	out := make([]string, len(actions))
	for i, a := range actions {
		out[i] = fmt.Sprintf("%s %s %s %s", a.Kind, a.Path, a.Key, a.Reason)
	}
	slices.Sort(out)
	return out
}

// TestWindowsPlanLikeWhole: planning in windows of any size gives the
// actions and counts of one Plan over the whole input, including keys not
// in NFC (held for their path's window), names around '/' in byte order
// and paths present on one side only.
func TestWindowsPlanLikeWhole(t *testing.T) {
	in := benchInput(5000)
	extra := Input{
		Local:  []LocalEntry{{Path: "a-b"}, {Path: "a.b"}, {Path: "a/b"}, {Path: "café/x", Fingerprint: Fingerprint{Size: 3}}, {Path: "zz"}},
		Remote: []RemoteEntry{{Key: "laptop/a.b", ETag: "e"}, {Key: "laptop/cafe\u0301/x", Size: 3, ETag: "f"}, {Key: "laptop/cafe\u0301/y", Size: 1, ETag: "g"}, {Key: "laptop/zz", ETag: "h"}},
		Base:   []BaseEntry{{Path: "a/b", RemoteKey: "laptop/a/b"}, {Path: "zy", RemoteKey: "laptop/zy"}},
	}
	in.Local = append(in.Local, extra.Local...)
	in.Remote = append(in.Remote, extra.Remote...)
	in.Base = append(in.Base, extra.Base...)
	slices.SortFunc(in.Local, func(a, b LocalEntry) int { return strings.Compare(a.Path, b.Path) })
	slices.SortFunc(in.Remote, func(a, b RemoteEntry) int { return strings.Compare(a.Key, b.Key) })
	slices.SortFunc(in.Base, func(a, b BaseEntry) int { return strings.Compare(a.Path, b.Path) })
	opts := Options{Direction: Both, Delete: Propagate, Prefix: "laptop/", Host: "h", Time: "t"}
	whole, err := Plan(in, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := actionLines(whole.Actions)
	for _, size := range []int{2, 3, 7, 100, 1000, 0} {
		for _, batch := range []int{1, 5, 333} {
			actions, sum, windows := planWindows(t, in, opts, size, batch)
			if got := actionLines(actions); !slices.Equal(got, want) {
				t.Fatalf("size %d, batch %d: %d actions, want %d; first difference at %d", size, batch, len(got), len(want), firstDifference(got, want))
			}
			if sum.LocalFiles != whole.LocalFiles || sum.RemoteFiles != whole.RemoteFiles || sum.Overwrites != whole.Overwrites || !mapsEqual(sum.Counts, whole.Counts) {
				t.Fatalf("size %d: counts %v %d/%d/%d, want %v %d/%d/%d", size, sum.Counts, sum.LocalFiles, sum.RemoteFiles, sum.Overwrites,
					whole.Counts, whole.LocalFiles, whole.RemoteFiles, whole.Overwrites)
			}
			if size >= 2 && size < 100 && batch <= size && windows < len(in.Local)/size {
				t.Errorf("size %d: %d windows for %d entries", size, windows, len(in.Local))
			}
		}
	}
}

func firstDifference(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func mapsEqual(a, b map[ActionKind]int) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	for k, v := range b {
		if a[k] != v {
			return false
		}
	}
	return true
}

// TestWindowerRefusesDisorder: a side out of order is an error, not a
// wrong plan.
func TestWindowerRefusesDisorder(t *testing.T) {
	local := []LocalEntry{{Path: "b"}, {Path: "a"}}
	w := NewWindower(batches(local, 1), batches([]RemoteEntry(nil), 1), batches([]BaseEntry(nil), 1), WindowOptions{Size: 10})
	if _, _, err := w.Next(); err == nil || !strings.Contains(err.Error(), "not sorted") {
		t.Errorf("err = %v, want not sorted", err)
	}
	remote := []RemoteEntry{{Key: "p/b"}, {Key: "p/a"}}
	w = NewWindower(batches([]LocalEntry(nil), 1), batches(remote, 1), batches([]BaseEntry(nil), 1), WindowOptions{Size: 10, Prefix: "p/"})
	if _, _, err := w.Next(); err == nil || !strings.Contains(err.Error(), "not sorted") {
		t.Errorf("err = %v, want not sorted", err)
	}
}

// TestCheckGuardsOnSums: the guards apply to summed counts as Plan applies
// them to its own.
func TestCheckGuardsOnSums(t *testing.T) {
	res := &Result{Counts: map[ActionKind]int{DeleteRemote: 6}, RemoteFiles: 10, LocalFiles: 4}
	if err := CheckGuards(Options{MaxDelete: MaxDelete{Percent: 50}}, res); err == nil {
		t.Error("6 of 10 deletions passed max_delete 50%")
	}
	res.Counts[DeleteRemote] = 5
	if err := CheckGuards(Options{MaxDelete: MaxDelete{Percent: 50}}, res); err != nil {
		t.Error(err)
	}
	res.Overwrites = 3
	if err := CheckGuards(Options{MaxOverwrite: MaxOverwrite{Count: 2}}, res); err == nil {
		t.Error("3 overwrites passed max_overwrite 2")
	}
}
