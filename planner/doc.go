// Package planner decides what a sync pass does. It is a pure function from
// three listings of one pair — the local files, the remote objects and the
// base (what each path looked like on both sides when it was last synced) —
// and the pair's options to a list of actions: upload, download, delete on
// either side, refresh an object's mtime, update or forget the base, keep
// both copies on a conflict, or report a per-item error. Every action
// carries a Reason a user can read. Two guards refuse a whole pass:
// max_delete and max_overwrite (GuardError). The folder ReservedDir at the
// top of every pair is ks3sync's own and never part of a plan.
//
// The package does no I/O, reads no clock and logs nothing: the caller scans,
// lists and hashes, and passes the host name and time used for conflict
// copies. The three listings are merged in one sorted pass, so planning is
// linear in the number of entries.
//
// Keys become local paths, and local paths keys, through the folder's file
// name rules (Options.Names, see package names): a key Windows cannot hold
// is planned under its mapped local name and uploaded back to the same key,
// and a key no name can represent is an Error action. Under
// case-insensitive rules the listings are merged by folded path (a sort,
// so no longer linear), and keys that fold together are all skipped.
//
// A typical pass:
//
//	hash, head := planner.Needs(in, opts) // hash these local files, HEAD these keys
//	// ... fill LocalEntry.MD5 and RemoteEntry.MD5 ...
//	res, err := planner.Plan(in, opts)
package planner
