package planner

import "github.com/ks3sync/ks3sync/names"

// Direction says which way a pair syncs.
type Direction string

// Directions. The zero value means Push.
const (
	// Push makes the bucket follow the local folder: it uploads, and with
	// delete policy propagate deletes remotely; it never touches local files.
	Push Direction = "push"
	// Pull makes the local folder follow the bucket: it downloads, and with
	// delete policy propagate deletes locally; it never writes to the bucket.
	Pull Direction = "pull"
	// Both is a three-way merge against the base: a change on one side wins,
	// changes on both sides are a conflict that keeps both copies.
	Both Direction = "both"
)

// DeletePolicy says whether a deletion on one side is repeated on the other.
type DeletePolicy string

// Delete policies. The zero value means Keep.
const (
	// Keep leaves the other side's copy in place (backup semantics).
	Keep DeletePolicy = "keep"
	// Propagate deletes the other side's copy too.
	Propagate DeletePolicy = "propagate"
)

// ConflictPolicy says what a file changed on both sides becomes in
// direction both.
type ConflictPolicy string

// Conflict policies. The zero value means KeepBoth.
const (
	// KeepBoth keeps the local version as a conflict copy and downloads the
	// remote one (a Conflict action).
	KeepBoth ConflictPolicy = "keep-both"
	// Newer lets the version with the later mtime win.
	Newer ConflictPolicy = "newer"
	// LocalWins uploads the local version over the remote one.
	LocalWins ConflictPolicy = "local"
	// RemoteWins downloads the remote version over the local one.
	RemoteWins ConflictPolicy = "remote"
)

// Options are one pair's settings that influence planning. The zero value is
// a push with delete policy keep, no filters and no deletion or overwrite
// limit.
type Options struct {
	Direction Direction
	Delete    DeletePolicy
	MaxDelete MaxDelete
	// MaxOverwrite limits how many existing objects one pass may overwrite
	// with an upload. It does not apply when History is set.
	MaxOverwrite MaxOverwrite
	// History says that the pair keeps every version it overwrites or
	// deletes in the bucket (package history), so an overwrite loses
	// nothing and the max_overwrite guard is off.
	History bool
	// Prefix is prepended to every path to form its key: "" or ending in "/".
	Prefix string
	// Include and Exclude are glob patterns; see NewMatcher.
	Include, Exclude []string
	// Conflict is the policy for files changed on both sides in direction
	// both. A policy that picks a winner needs History, so that the losing
	// version is kept: without it every conflict keeps both.
	Conflict ConflictPolicy
	// Host and Time name conflict copies (see ConflictName). Time is already
	// formatted by the caller, e.g. "20261125-024100". Both are required
	// for pull and both, the directions that can produce conflicts.
	Host, Time string
	// Names are the naming rules of the local folder's filesystem: how keys
	// map to local names and back, and whether names that differ only in
	// case are one file. The zero value is a case-sensitive Unix
	// filesystem. See package names.
	Names names.Policy
	// LocalRoot is the local folder as the user named it, for warnings.
	LocalRoot string
	// LocalRootMissing says the local root does not exist or is empty while
	// the base is not. Remote deletions are then never planned.
	LocalRootMissing bool
	// RemoteListFailed says the remote listing did not complete. Pull and
	// both then refuse to plan; push ignores Input.Remote and assumes the
	// bucket is as the base recorded it.
	RemoteListFailed bool
}

// Fingerprint is what a local file looked like on disk. A file whose
// fingerprint equals the base's is unchanged and is not hashed again.
type Fingerprint struct {
	Size  int64
	MTime int64 // Unix nanoseconds
	CTime int64 // Unix nanoseconds
	Inode uint64
}

// LocalEntry is one regular file under the local root.
type LocalEntry struct {
	// Path is relative to the root, slash-separated, in Unicode NFC.
	Path string
	Fingerprint
	// MD5 is the hex MD5 of the content, "" when the file was not hashed.
	MD5 string
}

// RemoteEntry is one object under the pair's prefix.
type RemoteEntry struct {
	Key string
	// Path is the local path the key maps to. Plan derives it from Key with
	// PathFor and ignores any value set by the caller, so the safety checks
	// cannot be bypassed; actions carry entries with Path filled in.
	Path         string
	Size         int64  // stored size; for encrypted objects the ciphertext size
	ETag         string // unquoted
	StorageClass string
	// MD5 is the hex MD5 of the plaintext from x-kss-meta-md5, "" when
	// unknown. When it is empty the ETag stands in for it if the ETag is
	// a plain MD5 and the object is not encrypted.
	MD5       string
	Encrypted bool
	MTime     int64 // Unix nanoseconds from x-kss-meta-mtime, 0 when unknown
	// Modified is the object's LastModified from the listing, in Unix
	// nanoseconds (0 when unknown). The planner does not read it; it is
	// carried to the actions so that the version an action displaces can
	// be dated.
	Modified int64
}

// BaseEntry records both sides of a path as they were when it was last synced.
type BaseEntry struct {
	Path       string
	Local      Fingerprint
	MD5        string // hex MD5 of the plaintext
	RemoteKey  string
	RemoteSize int64
	ETag       string
	Encrypted  bool
}

// Input is what Plan and Needs work on. Local and Base are sorted by Path,
// Remote by Key, all in byte order. Local may hold several entries with one
// Path (names that differ only in Unicode normalisation on disk); each of
// them becomes an Error action. Under case-insensitive name rules, entries
// whose paths differ only in case are one path too (see names.Policy.Fold).
type Input struct {
	Local  []LocalEntry
	Remote []RemoteEntry
	Base   []BaseEntry
}

// ActionKind is what an action does.
type ActionKind string

// Action kinds.
const (
	// Upload writes the local file to Key.
	Upload ActionKind = "upload"
	// Download writes the object at Key to Path.
	Download ActionKind = "download"
	// DeleteRemote deletes the object at Key.
	DeleteRemote ActionKind = "delete-remote"
	// DeleteLocal deletes the local file at Path.
	DeleteLocal ActionKind = "delete-local"
	// UpdateBase records Local and Remote as the new base: both sides hold
	// the same content already. See Action.NewBase.
	UpdateBase ActionKind = "update-base"
	// ForgetBase removes the base entry of Path.
	ForgetBase ActionKind = "forget-base"
	// Conflict moves the local file to ConflictPath, then downloads Key to Path.
	Conflict ActionKind = "conflict"
	// RefreshMTime replaces the mtime metadata of the object at Key with the
	// local file's, by a server-side copy of the object onto itself: the
	// content is the same on both sides and only the file's mtime moved.
	RefreshMTime ActionKind = "refresh-mtime"
	// Error reports a path or key that cannot be synced; Err says why.
	Error ActionKind = "error"
	// Nothing is a decision to leave a path alone. It is counted in
	// Result.Counts but never listed in Result.Actions.
	Nothing ActionKind = "nothing"
)

// Action is one planned step. Local, Remote and Base point at the entries the
// decision was made from (nil when absent); Local and Base point into the
// Input slices, so the input must not be modified while the plan is in use.
type Action struct {
	Kind ActionKind
	// Path is the local path, relative and slash-separated; "" for a remote
	// key that has no safe local path.
	Path string
	// Key is the remote key the action reads, writes or deletes.
	Key string
	// Reason says in plain words why the action was chosen.
	Reason string
	Local  *LocalEntry
	Remote *RemoteEntry
	Base   *BaseEntry
	// ConflictPath is, for Conflict, where the local file is moved before
	// the remote object is downloaded to Path.
	ConflictPath string
	// Err is, for Error, what is wrong with the path or key.
	Err error
	// KeepLocal is set on a Download that replaces a local file changed
	// since the last sync (a conflict the remote side won): the local
	// version must be kept in the pair's history first. ConflictPath is
	// set too, for an executor that cannot keep it there and falls back
	// to a conflict copy.
	KeepLocal bool
	// Settles is set on an Upload or Download that settles a conflict by
	// the pair's conflict policy (newer, local, remote): one version wins,
	// the other goes to history. It is reported as a conflict.
	Settles bool
}

// Result is a computed plan.
type Result struct {
	// Actions are in path order, preceded by errors for remote keys that
	// have no safe local path.
	Actions []Action
	// Counts has the number of actions of each kind, and of Nothing.
	Counts map[ActionKind]int
	// LocalFiles and RemoteFiles count the files considered on each side
	// after filtering; they are the denominators of the max_delete and
	// max_overwrite guards.
	LocalFiles, RemoteFiles int
	// Overwrites counts the uploads that replace an existing object: the
	// numerator of the max_overwrite guard.
	Overwrites int
	// Warnings explain safety rules that changed the plan, e.g. remote
	// deletions skipped because the local root is missing.
	Warnings []string
}
