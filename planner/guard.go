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

// Limit caps how many files one pass may change in one way (delete or
// overwrite) on one side: at most Count files, and at most Percent percent
// of that side's files. A zero field sets no limit.
type Limit struct {
	Count   int
	Percent float64 // 0..100
}

// MaxDelete is the Limit of the max_delete guard.
type MaxDelete = Limit

// MaxOverwrite is the Limit of the max_overwrite guard.
type MaxOverwrite = Limit

// Names of the guards, as GuardError.Guard and the config keys spell them.
const (
	GuardMaxDelete    = "max_delete"
	GuardMaxOverwrite = "max_overwrite"
)

// ParseMaxDelete parses a max_delete setting: "" (no limit), a count such as
// "100", or a percentage such as "50%" or "12.5%". Zero is refused, since it
// would read as "no limit": a pair that must never delete uses delete policy
// keep.
func ParseMaxDelete(s string) (MaxDelete, error) {
	return parseLimit(GuardMaxDelete, s, "use delete: keep to never delete")
}

// ParseMaxOverwrite parses a max_overwrite setting, in the syntax of
// ParseMaxDelete: "", a count such as "100", or a percentage such as "50%".
func ParseMaxOverwrite(s string) (MaxOverwrite, error) {
	return parseLimit(GuardMaxOverwrite, s, "use 100% to allow any share")
}

// parseLimit parses the setting s of the guard named name; hint ends the
// message for a zero or malformed count.
func parseLimit(name, s, hint string) (Limit, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return Limit{}, nil
	}
	if num, ok := strings.CutSuffix(t, "%"); ok {
		p, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err != nil || !(p > 0 && p <= 100) {
			return Limit{}, fmt.Errorf("%s %q: want a percentage above 0%% and at most 100%%, such as 50%%", name, s)
		}
		return Limit{Percent: p}, nil
	}
	n, err := strconv.Atoi(t)
	if err != nil || n <= 0 {
		return Limit{}, fmt.Errorf("%s %q: want a positive count such as 100 or a percentage such as 50%% (%s)", name, s, hint)
	}
	return Limit{Count: n}, nil
}

// String formats m the way ParseMaxDelete reads it: "100", "50%", "100 and
// 50%", or "" for no limit.
func (m Limit) String() string {
	var parts []string
	if m.Count > 0 {
		parts = append(parts, strconv.Itoa(m.Count))
	}
	if m.Percent > 0 {
		parts = append(parts, strconv.FormatFloat(m.Percent, 'f', -1, 64)+"%")
	}
	return strings.Join(parts, " and ")
}

// validate checks the ranges of a Limit built without a parser; name is the
// guard's.
func (m Limit) validate(name string) error {
	if m.Count < 0 || m.Percent < 0 || m.Percent > 100 {
		return fmt.Errorf("%s %+v: count must not be negative and percent must be within 0..100", name, m)
	}
	return nil
}

// exceeded reports whether changing n of files files crosses the limit.
func (m Limit) exceeded(n, files int) bool {
	if m.Count > 0 && n > m.Count {
		return true
	}
	return m.Percent > 0 && float64(n)*100 > m.Percent*float64(files)
}

// GuardError is a pass refused by a guard: max_delete (Guard is
// GuardMaxDelete or "") or max_overwrite (GuardMaxOverwrite).
type GuardError struct {
	// Guard names the guard that refused: GuardMaxDelete or
	// GuardMaxOverwrite. "" is read as GuardMaxDelete.
	Guard string
	// Deletes is, for max_delete, the deletions the pass planned on Side.
	Deletes int
	// Overwrites is, for max_overwrite, the existing objects the pass
	// planned to overwrite (always on the remote side).
	Overwrites int
	Files      int    // files on Side
	Limit      Limit  // the pair's setting of the guard
	Side       string // SideRemote or SideLocal
}

// Error says what was refused and what to check.
func (e *GuardError) Error() string {
	if e.Guard == GuardMaxOverwrite {
		return fmt.Sprintf("refusing to overwrite %d of %d objects (max_overwrite %s); check that the local folder was not rewritten by mistake (ransomware, a bulk edit), or raise max_overwrite or turn history on for this pair so that overwritten versions are kept",
			e.Overwrites, e.Files, e.Limit)
	}
	where, check := "remotely", "check that the local folder is complete"
	if e.Side == SideLocal {
		where, check = "locally", "check the bucket and prefix"
	}
	return fmt.Sprintf("refusing to delete %d of %d files %s (max_delete %s); %s, or raise max_delete for this pair",
		e.Deletes, e.Files, where, e.Limit, check)
}

// CheckGuards applies the max_delete and max_overwrite guards of opts to a
// plan's counts: Plan does so itself; a caller that plans a pass in
// windows (see Windower), with the guards off, sums the windows' Counts,
// LocalFiles, RemoteFiles and Overwrites into one Result and checks it.
func CheckGuards(opts Options, res *Result) error {
	if err := checkMaxDelete(opts.MaxDelete, res); err != nil {
		return err
	}
	return checkMaxOverwrite(opts, res)
}

// checkMaxDelete returns a *GuardError when the planned deletions on either
// side cross the limit, the remote side first.
func checkMaxDelete(limit MaxDelete, res *Result) error {
	remote, local := Deletions(res)
	if limit.exceeded(remote, res.RemoteFiles) {
		return &GuardError{Guard: GuardMaxDelete, Deletes: remote, Files: res.RemoteFiles, Limit: limit, Side: SideRemote}
	}
	if limit.exceeded(local, res.LocalFiles) {
		return &GuardError{Guard: GuardMaxDelete, Deletes: local, Files: res.LocalFiles, Limit: limit, Side: SideLocal}
	}
	return nil
}

// Deletions returns the deletions of res that the max_delete guard counts
// on each side: every planned deletion but those of renamed files. A file
// is renamed when what its path's sync record describes reappears under
// another path in the same plan: on the remote side, a new local file with
// the recorded inode, size and mtime (size and mtime where the system
// reports no inode) is uploaded; on the local side, an object with the
// recorded ETag is downloaded. A folder renamed in a small pair thus syncs,
// while content that goes away is counted.
func Deletions(res *Result) (remote, local int) {
	remote, local = res.Counts[DeleteRemote], res.Counts[DeleteLocal]
	if remote == 0 && local == 0 {
		return 0, 0
	}
	type fileID struct {
		inode       uint64
		size, mtime int64
	}
	uploaded := make(map[fileID]int)
	downloaded := make(map[string]int)
	for _, a := range res.Actions {
		switch {
		case a.Kind == Upload && a.Base == nil && a.Local != nil:
			f := a.Local.Fingerprint
			uploaded[fileID{f.Inode, f.Size, f.MTime}]++
		case a.Kind == Download && a.Base == nil && a.Remote != nil && a.Remote.ETag != "":
			downloaded[a.Remote.ETag]++
		}
	}
	for _, a := range res.Actions {
		if a.Base == nil {
			continue
		}
		switch a.Kind {
		case DeleteRemote:
			f := a.Base.Local
			if id := (fileID{f.Inode, f.Size, f.MTime}); uploaded[id] > 0 {
				uploaded[id]--
				remote--
			}
		case DeleteLocal:
			if etag := a.Base.ETag; downloaded[etag] > 0 {
				downloaded[etag]--
				local--
			}
		}
	}
	return remote, local
}

// checkMaxOverwrite returns a *GuardError when the planned overwrites of
// existing objects cross the limit. With history on, every overwritten
// version is kept, so nothing is refused.
func checkMaxOverwrite(opts Options, res *Result) error {
	if opts.History {
		return nil
	}
	if n := res.Overwrites; opts.MaxOverwrite.exceeded(n, res.RemoteFiles) {
		return &GuardError{Guard: GuardMaxOverwrite, Overwrites: n, Files: res.RemoteFiles, Limit: opts.MaxOverwrite, Side: SideRemote}
	}
	return nil
}
