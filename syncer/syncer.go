// Package syncer runs ks3sync's reconcile passes: it scans the local folder,
// lists the bucket prefix, asks the planner what to do, executes the actions
// on a bounded pool of workers (uploads resumable from multipart checkpoints,
// downloads resumable from download checkpoints, verified and renamed into
// place), and records the new base and the run in the state store. With
// history on, every object a pass overwrites or deletes is first kept in
// the pair's history (package history), and passes end with bounded
// retention. Restore rebuilds a point in time and Check compares folder and
// bucket, both without the state store.
//
// A pass fails as a whole, with an error, when the local folder does not
// exist (ErrLocalRootMissing) or the endpoint is down (an error wrapping
// *ks3.CircuitOpenError); a single item fails alone. Whatever
// follow_symlinks says, a pass never writes, renames or removes through a
// symbolic link: links are followed only to read what is uploaded.
package syncer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/time/rate"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
	"github.com/ks3sync/ks3sync/history"
	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/names"
	"github.com/ks3sync/ks3sync/planner"
	"github.com/ks3sync/ks3sync/state"
)

// objectStore is what a pass needs of a KS3 endpoint. Errors are *ks3.Error
// for service errors (ks3.IsNotFound for missing objects or uploads); bodies
// passed in are replayed from the start on a retry.
type objectStore interface {
	HeadObject(ctx context.Context, bucket, key string) (*ks3.ObjectInfo, error)
	GetObject(ctx context.Context, bucket, key string, opts ks3.GetOptions) (*ks3.Object, error)
	PutObject(ctx context.Context, bucket, key string, body io.ReadSeeker, size int64, opts ks3.PutOptions) (*ks3.PutResult, error)
	InitiateMultipartUpload(ctx context.Context, bucket, key string, opts ks3.PutOptions) (string, error)
	UploadPart(ctx context.Context, bucket, key, uploadID string, partNumber int, body io.ReadSeeker, size int64, md5 []byte) (string, error)
	CompleteMultipartUpload(ctx context.Context, bucket, key, uploadID string, parts []ks3.CompletedPart, opts ks3.CompleteOptions) (*ks3.CompleteResult, error)
	AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error
	ListParts(ctx context.Context, bucket, key, uploadID string) iter.Seq2[ks3.Part, error]
	ListMultipartUploads(ctx context.Context, bucket string, opts ks3.ListUploadsOptions) iter.Seq2[ks3.Upload, error]
	DeleteObjects(ctx context.Context, bucket string, keys []string) (*ks3.DeleteResult, error)
	Walk(ctx context.Context, bucket string, opts ks3.ListObjectsOptions) iter.Seq2[ks3.ListItem, error]
	// Copy copies on the server side, in parts above the single-copy limit.
	Copy(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, size int64, opts ks3.ServerCopyOptions) (*ks3.CopyResult, error)
}

var _ objectStore = (*ks3.Client)(nil)

// Options configure one pair. Zero values mean the documented defaults.
type Options struct {
	Pair      string // name in the state store
	Root      string // absolute local folder
	Bucket    string
	Prefix    string // "" or ending in "/"
	Direction planner.Direction
	Delete    planner.DeletePolicy
	MaxDelete planner.MaxDelete
	// MaxOverwrite limits the share of existing objects a pass overwrites;
	// it does not apply while History is on.
	MaxOverwrite planner.MaxOverwrite
	// Conflict is the policy for files changed on both sides (direction
	// both); the zero value keeps both.
	Conflict planner.ConflictPolicy
	// History keeps every version the pair overwrites or deletes in the
	// bucket (package history); the zero Policy keeps none.
	History history.Policy

	StorageClass, ACL string
	Include, Exclude  []string
	FollowSymlinks    bool
	// KeepMode stores each file's permission bits in its object's metadata
	// (objmeta.NameMode) on upload and restores them on download; a stored
	// mode that cannot be read is ignored with a warning.
	KeepMode bool
	// KeepEmptyFolders syncs empty folders as zero-byte "folder/" marker
	// objects in full passes (see syncFolders).
	KeepEmptyFolders bool
	Key              *ks3crypto.Key // nil = no client-side encryption

	Transfers          int   // files in flight; 0 = 4
	MultipartThreshold int64 // 0 = 64 MiB
	PartSize           int64 // 0 = automatic
	Limiter            *rate.Limiter

	// LockHeld says that the caller holds the lock of the state store (as
	// run and watch do), so no other ks3sync is syncing this pair: a full
	// pass then removes every temporary file of ks3sync under Root that no
	// download checkpoint names, not only those left for an hour.
	LockHeld bool
	// NameRules forces the file name rules of a system ("windows",
	// "darwin" or "linux") instead of probing the folder; for tests.
	NameRules string

	DryRun bool
	// Journal says that passes which write to the bucket append to the
	// pair's change journal, and full passes apply its retention (see
	// PollJournal); run and watch turn it on.
	Journal bool
	// RunCommand is the command line that runs this pair once, which a
	// refused pass names, with the override, as the way to proceed; "" =
	// "ks3sync run --pair NAME".
	RunCommand string
	Host       string           // for conflict copies; "" = os.Hostname
	Now        func() time.Time // nil = time.Now
	Logger     zerolog.Logger

	// Report receives every event of a pass (from several goroutines at
	// once); nil discards them.
	Report func(Event)
	// Echoes is told about every local path a pass is about to write and
	// when the write is done, so a watcher can ignore the echo of its own
	// downloads; nil tells no one.
	Echoes Echoes
}

// Echoes is what a watcher offers to ignore ks3sync's own writes (a
// *watcher.Watcher does): Suppress before a path is written or removed,
// Settle once it is done, after which only events that find the path as
// the write left it are ignored.
type Echoes interface {
	Suppress(rel string, until time.Time)
	Settle(rel string)
}

// Syncer reconciles one pair. It is safe to run one pass at a time.
type Syncer struct {
	store   objectStore
	db      *state.DB
	opts    Options
	matcher *planner.Matcher
	log     zerolog.Logger
	rules   *names.Policy // the folder's file name rules once probed (see nameRules)

	// passRules are the file name rules of the pass running, set when it
	// starts (see nameRules).
	passRules names.Policy

	// checkpointEvery is how many bytes a download writes between
	// checkpoints; smaller objects are not checkpointed.
	checkpointEvery int64
	// checkpointed are the paths with a download checkpoint when the
	// pass running began (nil: not known, ask the state store); set by
	// dropStaleDownloads before the transfers start, then only read.
	checkpointed map[string]bool
	// retained is where the history's retention stopped, and when it last
	// ran; only the goroutine running a pass touches it.
	retained retention
	// folderID is the identity of the local folder as last recorded in
	// the state store ("" until read or recorded); only the goroutine
	// running a pass touches it.
	folderID string
}

// New checks the options and returns a Syncer for one pair. db may be nil
// for a Syncer that only restores and checks (Restore, Check), which never
// touch the state store.
func New(store objectStore, db *state.DB, opts Options) (*Syncer, error) {
	if opts.Pair == "" || opts.Root == "" || opts.Bucket == "" {
		return nil, errors.New("syncer: pair, root and bucket are required")
	}
	if opts.Transfers <= 0 {
		opts.Transfers = 4
	}
	if opts.MultipartThreshold <= 0 {
		opts.MultipartThreshold = 64 << 20
	}
	if opts.Direction == "" {
		opts.Direction = "push"
	}
	if opts.Delete == "" {
		opts.Delete = "keep"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Host == "" {
		opts.Host, _ = os.Hostname()
	}
	if _, err := names.Named(opts.NameRules); opts.NameRules != "" && err != nil {
		return nil, fmt.Errorf("pair %s: %w", opts.Pair, err)
	}
	m, err := planner.NewMatcher(opts.Include, opts.Exclude)
	if err != nil {
		return nil, fmt.Errorf("pair %s: %w", opts.Pair, err)
	}
	return &Syncer{
		store:           store,
		db:              db,
		opts:            opts,
		matcher:         m,
		log:             opts.Logger.With().Str("component", "syncer").Str("pair", opts.Pair).Logger(),
		checkpointEvery: downloadCheckpointEvery,
	}, nil
}

// Options returns the syncer's options after defaults.
func (s *Syncer) Options() Options { return s.opts }

// match reports whether a local path takes part in the sync; ks3sync's own
// temporary files never do.
func (s *Syncer) match(rel string, isDir bool) bool {
	if isTempName(rel) {
		return false
	}
	return s.matcher.Match(rel, isDir)
}
