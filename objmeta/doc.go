// Package objmeta is the home of the user metadata ks3sync writes on
// objects: every name (without the "x-kss-meta-" or "x-amz-meta-" prefix,
// which the ks3 client adds and strips) and the exact text of every value.
// The sync engine and the cp command both write and read objects through
// it, so an object one of them uploaded is understood by the other, and by
// rclone, which writes the same mtime.
//
// The names ks3sync writes on every upload:
//
//   - mtime: the source file's modification time, see [FormatMTime] and
//     [ParseMTime] for the grammar;
//   - md5: the hex MD5 of the plaintext, so that multipart objects can be
//     compared with a local file without downloading them;
//   - md5-sealed, instead of md5 on the objects ks3sync encrypts: the keyed
//     value of the plaintext MD5 (see [Identity]), which tells the holder of
//     the encryption key whether an object holds a given file, and tells
//     nobody else. Encrypted objects that older versions wrote carry md5;
//     it is still read.
//
// A version kept in a pair's history carries the displaced object's
// metadata and five names of its own (ks3sync-key, ks3sync-written,
// ks3sync-displaced, ks3sync-host, ks3sync-cause; see [HistoryAttrs]).
//
// The client-side encryption format writes its own names (package crypto);
// [IsReserved] covers both, for commands that let users add metadata.
package objmeta

import (
	"slices"
	"strings"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
)

// Metadata names written by ks3sync.
const (
	// NameMTime holds the source file's modification time.
	NameMTime = "mtime"
	// NameMD5 holds the lower-case hex MD5 of the plaintext.
	NameMD5 = "md5"
	// NameKeyedMD5 holds the lower-case hex sealed value of the plaintext
	// MD5 of an encrypted object, see [Identity].
	NameKeyedMD5 = "md5-sealed"
)

// reserved are the names whose values ks3sync or the SDK encryption format
// write and rely on.
var reserved = []string{
	NameMTime, NameMD5, NameKeyedMD5, NameMode,
	NameHistoryKey, NameHistoryWritten, NameHistoryDisplaced, NameHistoryHost, NameHistoryCause,
	ks3crypto.MetaIV, ks3crypto.MetaKey, ks3crypto.MetaPlainLength, ks3crypto.MetaPlainMD5,
}

// IsReserved reports whether name, in any letter case, is metadata that
// ks3sync or the SDK encryption format writes itself, and so a user may not
// set.
func IsReserved(name string) bool {
	return slices.Contains(reserved, strings.ToLower(name))
}
