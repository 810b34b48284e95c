package localfs

import "strings"

// TempPrefix starts the names of ks3sync's own temporary files: downloads
// in progress (see Pending) and probes of the folder's file system. The
// whole name space is reserved (see IsReserved): scans report ks3sync's
// files apart (ScanResult.Temps), skip other files that use the prefix,
// and the watcher ignores both.
const TempPrefix = ".ks3sync-tmp-"

// probeInfix follows TempPrefix in the names of Probe's files.
const probeInfix = "probe-"

// IsReserved reports whether a file name (the last element of a path)
// starts with TempPrefix. Such names never sync: a local file named so is
// left alone, and a remote key named so is refused.
func IsReserved(name string) bool { return strings.HasPrefix(name, TempPrefix) }

// IsTemp reports whether a file name is one ks3sync itself gives its
// temporary files: TempPrefix and the decimal number os.CreateTemp puts
// in place of "*", or any name under TempPrefix+"probe-". Only those are ever removed as
// leftovers; a user's ".ks3sync-tmp-notes" is reserved but not ours.
func IsTemp(name string) bool {
	rest, ok := strings.CutPrefix(name, TempPrefix)
	if !ok {
		return false
	}
	if probe, ok := strings.CutPrefix(rest, probeInfix); ok {
		return probe != "" // the probe names its files after what it tests
	}
	return rest != "" && strings.Trim(rest, "0123456789") == ""
}
