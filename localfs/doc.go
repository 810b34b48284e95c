// Package localfs is ks3sync's view of a local sync folder: what is in it
// and how to write into it safely.
//
// Paths are reported relative to the folder's root, slash-separated, clean
// and in Unicode NFC, whatever form the names have on disk (CleanRel,
// RelFromOS); Resolve finds the name on disk for such a path, and
// ResolveWrite does so for a path about to be written, refusing any path
// through a symbolic link (ErrSymlink), so writes stay under the root.
// Scan and ScanPaths walk the folder, or parts of it, into fingerprinted
// entries for the planner (size, mtime, inode, ctime), and Stat
// fingerprints one file the same way.
//
// ks3sync's own temporary files start with TempPrefix: scans report them
// apart and the watcher ignores them. Pending (and WriteFile over it)
// writes a file atomically: into such a temporary file beside the
// destination, synced to disk, given its mode and mtime, then renamed over
// the destination, with the folder synced.
//
// ProbeNames finds out the file name rules of the folder's filesystem (case
// and normalization insensitivity, the characters Windows forbids) by
// creating and looking up temporary files in it; NameRules lets a caller
// force a system's rules instead. On Windows, Resolve returns paths longer
// than the 260-character limit in the \\?\ form.
package localfs
