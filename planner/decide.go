package planner

// This file is the per-path decision table. The golden file
// testdata/decide.golden lists its outcome for every combination of local
// state, remote state, direction and delete policy; read it as the spec.
//
// The rules, beyond "a change on one side wins":
//   - No local edit is lost: a local file that was never synced, or that
//     changed since the last sync, is never overwritten by a download (pull
//     and both keep it as a conflict copy), and a change on either side
//     always wins over a deletion on the other.
//   - Equal content is never transferred: when both sides hold the same
//     bytes, only the base is updated (a lost state DB, a touched file, the
//     same edit made on both sides).
//   - Push keeps the bucket a copy of the local folder: an object changed or
//     deleted behind its back is uploaded again, since otherwise the local
//     file would silently stop being backed up. Pull mirrors this and
//     downloads a file deleted locally again, but leaves local edits alone
//     until the remote side changes too. Two writers on one prefix need both.
//   - Deletions propagate only from a base, that is from a path known to
//     have been synced; a file that exists on one side only and has no base
//     is transferred (or left alone), never deleted.

// decision is the outcome for one path.
type decision struct {
	kind   ActionKind
	reason string
}

// change is the classified state of one path.
type change struct {
	p          paths
	ls, rs     state
	lwhy, rwhy string // how each side changed, for reasons
}

// decide returns what to do with one path, given the entries on each side
// (at least one of them non-nil), the direction and the delete policy.
func decide(p paths, dir Direction, del DeletePolicy) decision {
	c := change{p: p}
	c.ls, c.lwhy = localState(p.l, p.b)
	c.rs, c.rwhy = remoteState(p.r, p.b)
	if p.b == nil {
		return decideUnsynced(&c, dir)
	}
	if d, ok := decideSameContent(&c, dir); ok {
		return d
	}
	// From here on, a touched side counts as unchanged: its content is the
	// base's, and the transfer that follows records a new base anyway.
	if c.ls == touched {
		c.ls = unchanged
	}
	if c.rs == touched {
		c.rs = unchanged
	}
	switch {
	case c.ls == deleted && c.rs == deleted:
		return decision{ForgetBase, "deleted on both sides"}
	case c.ls == unchanged:
		return remoteOnlyChange(&c, dir, del)
	case c.rs == unchanged:
		return localOnlyChange(&c, dir, del)
	}
	return bothChanged(&c, dir)
}

// decideUnsynced decides a path that has no base: new on one or both sides.
func decideUnsynced(c *change, dir Direction) decision {
	switch {
	case c.rs == absent && dir == Pull:
		return decision{Nothing, "local-only file; pull mode leaves it"}
	case c.rs == absent:
		return decision{Upload, "new local file"}
	case c.ls == absent && dir == Push:
		return decision{Nothing, "remote-only file; push mode leaves it"}
	case c.ls == absent:
		return decision{Download, "new remote file"}
	}
	why := "content differs"
	switch sameContent(c.p.l, c.p.r, nil) {
	case sameYes:
		return decision{UpdateBase, "same content on both sides, no sync record yet"}
	case sameUnknown:
		why = "content could not be compared"
	}
	switch dir {
	case Push:
		return decision{Upload, "new on both sides, " + why + "; push mode uploads the local file"}
	case Pull:
		return decision{Conflict, "new on both sides, " + why + "; pull mode keeps the local file as a conflict copy"}
	}
	return decision{Conflict, "new on both sides, " + why}
}

// decideSameContent handles the paths whose content is the same on both
// sides although something changed: only the base needs updating, and the
// object's mtime when the local mtime moved.
func decideSameContent(c *change, dir Direction) (decision, bool) {
	lq := c.ls == unchanged || c.ls == touched
	rq := c.rs == unchanged || c.rs == touched
	if lq && rq {
		switch {
		case c.ls == unchanged && c.rs == unchanged:
			return decision{Nothing, "unchanged"}, true
		case c.rs == unchanged:
			return localTouched(c, dir), true
		case c.ls == unchanged:
			return decision{UpdateBase, "remote rewritten with the same content"}, true
		}
		return decision{UpdateBase, "local touched and remote rewritten, content unchanged"}, true
	}
	if c.ls == modified && c.rs == modified && sameContent(c.p.l, c.p.r, c.p.b) == sameYes {
		return decision{UpdateBase, "both sides changed to the same content"}, true
	}
	return decision{}, false
}

// localTouched decides a local file whose content is the base's although its
// fingerprint moved, with the remote object as the base recorded it. When
// its mtime moved and the direction writes to the bucket, the object's mtime
// metadata follows, so that a pull or a restore gives the file's mtime.
func localTouched(c *change, dir Direction) decision {
	if dir == Pull || c.p.l.MTime == c.p.b.Local.MTime {
		return decision{UpdateBase, "local touched, content unchanged"}
	}
	return decision{RefreshMTime, "local mtime changed, content unchanged"}
}

// localOnlyChange decides a local change or deletion with the remote side
// as the base recorded it.
func localOnlyChange(c *change, dir Direction, del DeletePolicy) decision {
	switch {
	case c.ls == modified && dir == Pull:
		return decision{Nothing, "local changed (" + c.lwhy + "); pull mode leaves it"}
	case c.ls == modified:
		return decision{Upload, "local changed (" + c.lwhy + ")"}
	case dir == Pull:
		return decision{Download, "local deleted; pull mode restores it"}
	case del == Propagate:
		return decision{DeleteRemote, "local deleted, delete policy propagate"}
	}
	return decision{Nothing, "local deleted, delete policy keep"}
}

// remoteOnlyChange decides a remote change or deletion with the local side
// as the base recorded it.
func remoteOnlyChange(c *change, dir Direction, del DeletePolicy) decision {
	switch {
	case c.rs == modified && dir == Push:
		return decision{Upload, "remote changed (" + c.rwhy + "); push mode restores the local version"}
	case c.rs == modified:
		return decision{Download, "remote changed (" + c.rwhy + ")"}
	case dir == Push:
		return decision{Upload, "remote deleted; push mode restores it"}
	case del == Propagate:
		return decision{DeleteLocal, "remote deleted, delete policy propagate"}
	}
	return decision{Nothing, "remote deleted, delete policy keep"}
}

// bothChanged decides a path changed or deleted on both sides, but not
// deleted on both.
func bothChanged(c *change, dir Direction) decision {
	switch {
	case c.rs == deleted && dir == Pull:
		return decision{ForgetBase, "remote deleted while the local file changed (" + c.lwhy + "); keeping the local file"}
	case c.rs == deleted:
		return decision{Upload, "local changed (" + c.lwhy + ") while the remote copy was deleted; the change wins"}
	case c.ls == deleted && dir == Push:
		return decision{ForgetBase, "local deleted while the remote object changed (" + c.rwhy + "); keeping the remote object"}
	case c.ls == deleted:
		return decision{Download, "remote changed (" + c.rwhy + ") while the local file was deleted; the change wins"}
	}
	both := "local changed (" + c.lwhy + ") and remote changed (" + c.rwhy + ")"
	if sameContent(c.p.l, c.p.r, c.p.b) == sameUnknown {
		both += ", content could not be compared"
	}
	switch dir {
	case Push:
		return decision{Upload, both + "; push mode overwrites the remote copy"}
	case Pull:
		return decision{Conflict, both + "; pull mode keeps the local file as a conflict copy"}
	}
	return decision{Conflict, both}
}
