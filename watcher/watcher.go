// Package watcher finds what changed in a local sync folder. A Watcher
// follows filesystem notifications (fsnotify) under the folder and turns
// them into settled batches of changed paths: recursive watches, a quiet
// period per path, a hard maximum delay, bursts collapsed into their
// directory, and "rescan everything" when notifications were lost. Paths
// are in the form package localfs reports them, and its scans are what a
// consumer runs on a batch; ks3sync's temporary files (localfs.TempPrefix)
// are never reported.
package watcher

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/rs/zerolog"

	"github.com/ks3sync/ks3sync/localfs"
)

// Defaults for zero Options fields.
const (
	DefaultDelay             = 2 * time.Second
	DefaultMaxDelay          = 30 * time.Second
	DefaultCollapseThreshold = 64
)

// Options configures a Watcher. Zero values mean the defaults.
type Options struct {
	// Delay is the quiet period: a path settles once it has seen no event
	// for this long. 0 means DefaultDelay.
	Delay time.Duration
	// MaxDelay bounds how long a path that keeps changing waits, counted
	// from its first event. 0 means DefaultMaxDelay.
	MaxDelay time.Duration
	// CollapseThreshold is how many pending paths directly under one
	// directory are tracked one by one; more collapse into one entry for
	// the directory. 0 means DefaultCollapseThreshold.
	CollapseThreshold int
	// Match reports whether a slash-separated relative path is included;
	// excluded paths are ignored and excluded directories are not watched.
	// nil includes everything.
	Match func(rel string, isDir bool) bool
	// Logger receives warnings about lost events and watch limits. The
	// zero value discards them.
	Logger zerolog.Logger
}

// Batch is one flush of settled changes. Paths are slash-separated, NFC,
// relative to the root, in byte order, with paths that still exist before
// paths that are gone. A path may be a file or a directory (a collapsed
// burst, or a new or removed directory): for a directory the consumer
// rescans that subtree. A path below another directory of the same batch is
// left out. Rescan means "rescan everything"; Reason then says why, and
// Paths is empty.
type Batch struct {
	Paths  []string
	Rescan bool
	Reason string
}

// Watcher follows changes under one root folder. Create it with New and
// start it with Run.
type Watcher struct {
	root     string // absolute and clean
	opts     Options
	log      zerolog.Logger
	suppress suppressor
	running  atomic.Bool
}

// New returns a Watcher for root with the given options. It does not touch
// the filesystem; Run does.
func New(root string, opts Options) (*Watcher, error) {
	if root == "" {
		return nil, errors.New("new watcher: empty root")
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("new watcher: %w", err)
	}
	if opts.Delay < 0 || opts.MaxDelay < 0 || opts.CollapseThreshold < 0 {
		return nil, errors.New("new watcher: negative delay or collapse threshold")
	}
	if opts.Delay == 0 {
		opts.Delay = DefaultDelay
	}
	if opts.MaxDelay == 0 {
		opts.MaxDelay = DefaultMaxDelay
	}
	if opts.CollapseThreshold == 0 {
		opts.CollapseThreshold = DefaultCollapseThreshold
	}
	return &Watcher{
		root: abs,
		opts: opts,
		log:  opts.Logger.With().Str("component", "watcher").Str("root", abs).Logger(),
	}, nil
}

// Suppress drops events for the slash-separated relative path rel until the
// given time: ks3sync calls it for a path it is about to write during a
// pull, so that the write does not echo back as a local change. It is safe
// to call from any goroutine, before or during Run.
func (w *Watcher) Suppress(rel string, until time.Time) {
	w.suppress.set(localfs.CleanRel(rel), until)
}

// Settle tells the watcher that ks3sync's write of rel (announced with
// Suppress) is done: until the suppression ends, only events that find rel
// as the write left it are dropped, so that a change made right after a
// download is still reported.
func (w *Watcher) Settle(rel string) {
	rel = localfs.CleanRel(rel)
	w.suppress.settle(rel, w.stat(rel))
}

// stat reads the state of rel that suppression compares.
func (w *Watcher) stat(rel string) fileState {
	return stateOf(os.Lstat(filepath.Join(w.root, filepath.FromSlash(rel))))
}

// Run watches the root until ctx is done, sending batches on out. It never
// closes out; the caller keeps draining it. Once every watch is in place,
// Run sends a first batch with Rescan set ("watch started"), since anything
// that changed before cannot be known: the consumer reconciles on it.
//
// One goroutine, the one running Run, owns all debounce state. A slow
// consumer does not stop it from draining notifications: settled changes
// wait in an internal buffer and merge into the next batch.
//
// Run returns nil when ctx is done, and an error if the root cannot be
// watched (missing, not a directory, notifications unavailable) or if Run
// is already running. If the root disappears while watching, Run reports a
// rescan and polls until it is back.
func (w *Watcher) Run(ctx context.Context, out chan<- Batch) error {
	if !w.running.CompareAndSwap(false, true) {
		return errors.New("run watcher: already running")
	}
	defer w.running.Store(false)
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("run watcher: %w", err)
	}
	defer fsw.Close()
	l := newLoop(w, fsw)
	if err := l.start(time.Now()); err != nil {
		return err
	}
	return l.serve(ctx, fsw.Events, fsw.Errors, out)
}

func (w *Watcher) match(rel string, isDir bool) bool {
	return w.opts.Match == nil || w.opts.Match(rel, isDir)
}
