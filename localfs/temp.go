package localfs

import "strings"

// TempPrefix starts the names of ks3sync's own temporary files: downloads
// in progress (see Pending). Scans report them apart (ScanResult.Temps)
// and the watcher ignores them.
const TempPrefix = ".ks3sync-tmp-"

// IsTemp reports whether a file name (the last element of a path) belongs
// to one of ks3sync's temporary files.
func IsTemp(name string) bool { return strings.HasPrefix(name, TempPrefix) }
