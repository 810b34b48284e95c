package history

import "time"

// Cause says what displaced a kept version.
type Cause string

// Causes.
const (
	// Replaced: ks3sync wrote over the object, with an upload or a copy of
	// the object onto itself that refreshed its metadata. The name held the
	// version until the next version was written.
	Replaced Cause = "replaced"
	// Deleted: ks3sync deleted the object. The name held the version until
	// it was displaced, and nothing after, until a newer version.
	Deleted Cause = "deleted"
	// JustWritten: not displaced yet, but kept right after ks3sync wrote
	// it, by a pair that shares its prefix with other devices (direction
	// both), so that the version survives another device's write landing
	// right after it unseen. Such a copy is dropped by retention once a
	// copy the version's displacement made holds the same bytes.
	JustWritten Cause = "written"
)

// Version is one content a name of a pair held: the current object, or a
// version kept in the history area.
type Version struct {
	// Name is the key without the pair's prefix: the file's path as it is
	// stored (it maps to a local path with planner.PathFor).
	Name string
	// Key is the object that holds the version's bytes: the current object
	// at prefix+Name, or a kept version in the history area.
	Key string
	// Size is the stored size (for encrypted objects, of the ciphertext)
	// and ETag the object's ETag, both from the listing.
	Size int64
	ETag string
	// Written is when the version was written at Name: the LastModified of
	// the current object, or the one the kept version had when it was
	// displaced.
	Written time.Time
	// Displaced is when ks3sync displaced a kept version: its copy's
	// LastModified, on the service's clock like Written. Zero for the
	// current object.
	Displaced time.Time
	// Host is the device that displaced a kept version; "" for the current
	// object.
	Host string
	// Cause is what displaced a kept version; "" for the current object.
	Cause Cause
}

// Current reports whether v is the object at its name now, rather than a
// kept version.
func (v Version) Current() bool { return v.Cause == "" }
