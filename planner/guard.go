package planner

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Sides named by GuardError.Side.
const (
	SideRemote = "remote"
	SideLocal  = "local"
)

// ErrRemoteListFailed is returned by Plan for pull and both when
// Options.RemoteListFailed is set: an incomplete listing would look like
// remote deletions, so no plan is made at all.
var ErrRemoteListFailed = errors.New("remote listing failed: refusing to plan a pass that could delete or overwrite local files")

// MaxDelete limits how many files one pass may delete on one side: at most
// Count files, and at most Percent percent of that side's files. A zero field
// sets no limit.
type MaxDelete struct {
	Count   int
	Percent float64 // 0..100
}

// ParseMaxDelete parses a max_delete setting: "" (no limit), a count such as
// "100", or a percentage such as "50%" or "12.5%". Zero is refused, since it
// would read as "no limit": a pair that must never delete uses delete policy
// keep.
func ParseMaxDelete(s string) (MaxDelete, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return MaxDelete{}, nil
	}
	if num, ok := strings.CutSuffix(t, "%"); ok {
		p, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err != nil || !(p > 0 && p <= 100) {
			return MaxDelete{}, fmt.Errorf("max_delete %q: want a percentage above 0%% and at most 100%%, such as 50%%", s)
		}
		return MaxDelete{Percent: p}, nil
	}
	n, err := strconv.Atoi(t)
	if err != nil || n <= 0 {
		return MaxDelete{}, fmt.Errorf("max_delete %q: want a positive count such as 100 or a percentage such as 50%% (use delete: keep to never delete)", s)
	}
	return MaxDelete{Count: n}, nil
}

// String formats m the way ParseMaxDelete reads it: "100", "50%", "100 and
// 50%", or "" for no limit.
func (m MaxDelete) String() string {
	var parts []string
	if m.Count > 0 {
		parts = append(parts, strconv.Itoa(m.Count))
	}
	if m.Percent > 0 {
		parts = append(parts, strconv.FormatFloat(m.Percent, 'f', -1, 64)+"%")
	}
	return strings.Join(parts, " and ")
}

// validate checks the ranges of a MaxDelete built without ParseMaxDelete.
func (m MaxDelete) validate() error {
	if m.Count < 0 || m.Percent < 0 || m.Percent > 100 {
		return fmt.Errorf("max_delete %+v: count must not be negative and percent must be within 0..100", m)
	}
	return nil
}

// exceeded reports whether deleting deletes of files crosses the limit.
func (m MaxDelete) exceeded(deletes, files int) bool {
	if m.Count > 0 && deletes > m.Count {
		return true
	}
	return m.Percent > 0 && float64(deletes)*100 > m.Percent*float64(files)
}

// GuardError is a pass refused by the max_delete guard.
type GuardError struct {
	Deletes int       // deletions the pass planned on Side
	Files   int       // files on Side
	Limit   MaxDelete // the pair's max_delete
	Side    string    // SideRemote or SideLocal
}

// Error says what was refused and what to check.
func (e *GuardError) Error() string {
	where, check := "remotely", "check that the local folder is complete"
	if e.Side == SideLocal {
		where, check = "locally", "check the bucket and prefix"
	}
	return fmt.Sprintf("refusing to delete %d of %d files %s (max_delete %s); %s, or raise max_delete for this pair",
		e.Deletes, e.Files, where, e.Limit, check)
}

// checkMaxDelete returns a *GuardError when the planned deletions on either
// side cross the limit, the remote side first.
func checkMaxDelete(limit MaxDelete, counts map[ActionKind]int, remoteFiles, localFiles int) error {
	if n := counts[DeleteRemote]; limit.exceeded(n, remoteFiles) {
		return &GuardError{Deletes: n, Files: remoteFiles, Limit: limit, Side: SideRemote}
	}
	if n := counts[DeleteLocal]; limit.exceeded(n, localFiles) {
		return &GuardError{Deletes: n, Files: localFiles, Limit: limit, Side: SideLocal}
	}
	return nil
}
