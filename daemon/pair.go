package daemon

import (
	"context"
	"time"

	"github.com/ks3sync/ks3sync/syncer"
	"github.com/ks3sync/ks3sync/watcher"
)

// Pair is one pair to follow.
type Pair struct {
	// Syncer runs the pair's passes: a *syncer.Syncer outside tests.
	Syncer Syncer
	// Source delivers the pair's local changes; nil = an fsnotify watcher
	// of the syncer's Root, configured by Watch.
	Source BatchSource
	// Watch configures the default watcher. Its Match should be the pair's
	// filter.
	Watch watcher.Options
	// Rescan is the full reconcile interval; 0 = one hour.
	Rescan time.Duration
	// RemotePoll is how often a pull or both pair reads the change journal
	// of other devices (see JournalPoller); 0 = never.
	RemotePoll time.Duration
	// OnWatcher, if set, receives the pair's default watcher once it
	// exists (to route the syncer's echo suppression to it).
	OnWatcher func(*watcher.Watcher)
}

// Syncer is what the loop needs of a pair's syncer. The loop makes one call
// at a time per pair.
//
// Run and RunPaths return an error for a pass that could not be carried out
// as a whole: the scan or listing failed, the context ended, or the
// max_delete guard refused the plan (a *planner.GuardError). Items that
// failed inside a pass that ran are not errors: they are listed in
// Result.FailedPaths. The Result may be nil when the error is not.
type Syncer interface {
	// Options returns the pair's options; the loop reads Pair, its name in
	// the state store, and Root, the folder the default watcher follows.
	Options() syncer.Options
	// Run performs a full reconcile pass of the given kind of run.
	Run(ctx context.Context, kind string) (*syncer.Result, error)
	// RunPaths performs a pass restricted to the given slash-separated
	// relative paths (files or folders, as a watcher reports them).
	RunPaths(ctx context.Context, paths []string) (*syncer.Result, error)
	// AbortStale aborts the pair's interrupted multipart uploads older
	// than age and returns how many; age 0 aborts none.
	AbortStale(ctx context.Context, age time.Duration) (int, error)
}

var _ Syncer = (*syncer.Syncer)(nil)

// BatchSource delivers a pair's settled local changes. Run sends batches on
// out until ctx is done, then returns nil; it never closes out. Its first
// batch asks for a full rescan (Batch.Rescan) once it follows every change,
// which the loop takes as the initial reconcile. An error, or a return
// before ctx is done, stops the daemon.
type BatchSource interface {
	Run(ctx context.Context, out chan<- watcher.Batch) error
}

var _ BatchSource = (*watcher.Watcher)(nil)

// source returns the pair's batch source, creating the default watcher of
// root when none is set.
func (p Pair) source(root string) (BatchSource, error) {
	if p.Source != nil {
		return p.Source, nil
	}
	w, err := watcher.New(root, p.Watch)
	if err != nil {
		return nil, err
	}
	if p.OnWatcher != nil {
		p.OnWatcher(w)
	}
	return w, nil
}
