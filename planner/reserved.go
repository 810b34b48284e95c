package planner

import "strings"

// ReservedDir is the folder at the top of every pair that belongs to
// ks3sync itself: under the pair's prefix, <prefix>.ks3sync/history/ holds
// the versions ks3sync displaced (package history), and the rest of
// <prefix>.ks3sync/ is kept for ks3sync's other records, such as a change
// journal. Nothing in it is a file of the pair: it is never listed, planned,
// uploaded, downloaded, deleted or counted by a guard, on either side.
const ReservedDir = ".ks3sync"

// IsReserved reports whether a relative path (or a key without the pair's
// prefix) lies in the reserved folder, or is the folder itself.
func IsReserved(rel string) bool {
	rest, ok := strings.CutPrefix(rel, ReservedDir)
	return ok && (rest == "" || rest[0] == '/')
}

// ReservedPrefix returns the key prefix of the reserved folder of a pair
// whose keys start with prefix ("" or ending in "/").
func ReservedPrefix(prefix string) string {
	return prefix + ReservedDir + "/"
}
