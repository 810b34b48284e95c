// Package names decides how object keys become local file names and back,
// under the naming rules of the filesystem a sync folder lives on.
//
// A Policy is a pure value: which rules apply (Windows names, case
// insensitivity, Unicode normalization insensitivity) and the functions
// that map a key to a local path (LocalPath) and a local path back to its
// key (KeyPath). It does no I/O: the caller finds out what the folder's
// filesystem does (localfs.ProbeNames) and passes the result around. The
// key is always what the bucket holds; the local name is derived from it,
// and an upload of that local file goes back to exactly the original key,
// so a round trip never renames an object.
//
// # Rules and what happens to a key that breaks one
//
// Every key is first checked against the rules of every system. A key
// that breaks one of them is skipped with a reason, because no mapping
// could make it safe or because a mapping would hide a real problem:
//
//   - an empty path, an absolute path ("/x"), a "." or ".." segment or an
//     empty one ("a//b", "a/"): these would escape the folder or name no
//     file (a drive letter, "C:x", is an ordinary name off Windows and
//     maps to "C：x" under Windows rules, so it cannot name a volume);
//   - a NUL byte or invalid UTF-8: no filesystem stores them portably, and
//     KS3 listings cannot carry them in XML;
//   - a name longer than 255 bytes (255 UTF-16 code units under Windows
//     rules, counted after mapping): the limit of ext4, APFS, NTFS and FAT
//     alike; shortening it would need state outside the name.
//
// Windows rules (NTFS, and FAT or exFAT mounts anywhere) forbid more.
// These keys are mapped, reversibly, never skipped, because the object is
// perfectly ordinary and a user on Windows should get a file for it:
//
//	the characters < > : " | ? * \  ->  ＜ ＞ ： ＂ ｜ ？ ＊ ＼ (U+FF1C, U+FF1E, U+FF1A, U+FF02, U+FF5C, U+FF1F, U+FF0A, U+FF3C)
//	control characters 0x01-0x1F     ->  ␁ … ␟ (U+2401-U+241F)
//	a trailing space                 ->  ␠ (U+2420)
//	a trailing dot                   ->  ． (U+FF0E)
//	a device name (CON, PRN, AUX, NUL, COM0-9, LPT0-9, COM¹²³, LPT¹²³,
//	CONIN$, CONOUT$, with any extension and trailing spaces before it)
//	                                 ->  its first letter in full width: CON.txt -> ＣON.txt
//
// A key that already holds one of the replacement characters in a place
// where it would be read back as a mapped one gets the quote character ‛
// (U+201B) before it, and a literal ‛ is written ‛‛: the key "a：b" becomes
// "a‛：b", so it does not come back as "a:b". The character mapping is the
// one rclone's local backend uses on Windows (its "encoding" option with
// the Win, BackSlash, Ctl, RightSpace and RightPeriod classes), so a tree
// pulled by either tool has the same local names; device names are an
// extension rclone does not map.
//
// A local file whose name is not one this mapping would produce (a name
// with a lone ‛, or with a character Windows rules forbid, as a forced
// Windows policy on another system can meet) is skipped with a reason
// instead of being uploaded under a guessed key: mapping it back and
// forth would not give the same name, so its object would come back as a
// second file.
//
// Case-insensitive filesystems (NTFS, APFS and HFS+ by default, FAT,
// exFAT) store "Report.pdf" and "report.pdf" as one file. Fold gives the
// name under which such paths are one: the planner merges the listings by
// it, so a local file and its object match whatever the case of the
// folders on disk, and two keys that fold together are both skipped with a
// reason naming each other. Skipping both, rather than keeping the first
// and renaming the other, is the only choice that stays stable: which key
// came "first" changes when either is deleted, and a mapped name that
// depends on another key would rename the local file behind the user's
// back. Nothing is overwritten and the bucket is left alone until one of
// the keys is renamed there.
//
// A skipped key is not a failed pass: the planner reports it as an item
// that could not be synced, with its reason, so that the run's events,
// its exit code (1, some items failed) and ks3sync status show it, and
// every other key is synced as usual.
//
// Unicode normalization: keys and local paths are compared in NFC on every
// system, so "café" spelled with a combining accent and without are always
// one path (both keys skipped if both exist), whatever the filesystem
// does. NormalizationInsensitive records whether the folder's filesystem
// also treats them as one name (APFS, HFS+); it changes no mapping.
package names
