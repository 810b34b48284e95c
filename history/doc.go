// Package history keeps the versions of a pair's objects that ks3sync
// displaces, on plain objects in the pair's own bucket, and answers what the
// pair held at any time. KS3 offers no object versioning through the SDK
// surface ks3sync targets, so this is ks3sync's own, and it is readable
// with any S3 tool.
//
// # Layout
//
// Before ks3sync overwrites or deletes an object of a pair with history on
// (an upload over it, a deletion that propagates, a copy of the object onto
// itself that refreshes its mtime), it copies the object on the server side
// (no byte goes through the client; objects above 5 GiB are copied in parts
// with UploadPartCopy) to
//
//	<prefix>.ks3sync/history/<name>/<written>_<host>_<cause>
//
// where <prefix> is the pair's prefix, <name> the object's key without it
// (the file's path as stored), <written> when the displaced version was
// written (its LastModified, UTC, "20261125T024100.123Z"), <host> the
// displacing device ([HostName]) and <cause> "replaced" or "deleted". The
// versions of a file are the objects directly under
// <prefix>.ks3sync/history/<name>/, sorted by time; a folder's history is
// everything under <prefix>.ks3sync/history/<folder>/. Versions kept by two
// devices at the same moment never share a key. The folder
// <prefix>.ks3sync/ is reserved (see planner.ReservedDir): it is never part
// of the pair's listing, pulls, guards or deletions, and the names beside
// history/ (such as journal/) are kept for ks3sync's other records.
//
// A kept version has the displaced object's bytes (an encrypted object stays
// encrypted and decryptable with the pair's key), content headers, storage
// class and user metadata unchanged, including mtime and md5 (package
// objmeta) and the SDK encryption metadata; an object without mtime gets
// its write time as mtime. It is private, and it adds:
//
//	x-kss-meta-ks3sync-key        the key it was displaced from (percent-encoded)
//	x-kss-meta-ks3sync-written    when the displaced version was written (RFC 3339)
//	x-kss-meta-ks3sync-displaced  when it was displaced, on the device's clock
//	x-kss-meta-ks3sync-host       the displacing device
//	x-kss-meta-ks3sync-cause      replaced | deleted
//
// Its LastModified is when it was displaced, on the service's clock; that
// is the time ks3sync uses (see [Version.Displaced]). A deletion needs no
// marker object: the kept version of a deleted file says "deleted", and
// the name held nothing from then until it was written again.
//
// # Point in time
//
// [At] resolves what the pair held at a time from the current listing and
// the kept versions: per name, the version written last at or before that
// time, unless ks3sync had deleted it by then. It is a pure function; its
// rules are in its documentation and its tests.
//
// # Retention
//
// A [Policy] keeps every displaced version for Keep after it was displaced,
// and the newest Versions of every name however old. [Prune] deletes only
// versions outside both, and of one name only its oldest ones, so that a
// restore never finds an old version once a newer one is gone. It can be
// bounded (MaxKeys) and resumed (After), so that a sync pass prunes in
// bounded time.
//
// # Recovery without ks3sync
//
// List <prefix>.ks3sync/history/<path>/ with any S3 tool, pick the version
// by its time, and copy it back to <prefix><path> (or download it). For an
// encrypted pair, download it and decrypt it with the pair's key as any
// object the KS3 SDK encrypted.
package history
