package watcher

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/ks3sync/ks3sync/localfs"
)

// minRootPoll is the shortest interval at which a missing root is looked
// for again.
const minRootPoll = 100 * time.Millisecond

// loop is the state of one Run. The goroutine running Run owns it: the
// aggregator, the outbox and the watch set are touched only there, so none
// of them needs a lock. Only the suppressor is shared, with Suppress.
type loop struct {
	w           *Watcher
	fs          notifier
	root        string // the root with symbolic links resolved, as events name it
	prefix      string // root ending in a path separator
	agg         *aggregator
	box         outbox
	watched     watchSet
	poll        *time.Ticker // non-nil while the root is missing
	limitWarned bool
}

func newLoop(w *Watcher, fs notifier) *loop {
	return &loop{
		w:       w,
		fs:      fs,
		agg:     newAggregator(w.opts.Delay, w.opts.MaxDelay, coalesceWindow(w.opts.Delay), w.opts.CollapseThreshold),
		watched: make(watchSet),
	}
}

// start watches the whole tree and queues the first batch, a rescan.
func (l *loop) start(at time.Time) error {
	if err := l.resolveRoot(); err != nil {
		return fmt.Errorf("watch %s: %w", l.w.root, err)
	}
	res := l.watchTree("")
	if res.topErr != nil {
		return fmt.Errorf("watch %s: %w", l.w.root, res.topErr)
	}
	l.report(res, at, false) // the first batch is a rescan anyway
	l.box.merge(flush{rescan: true, reasons: []string{"watch started"}})
	return nil
}

// serve is the event loop; see Watcher.Run.
func (l *loop) serve(ctx context.Context, events <-chan fsnotify.Event, errs <-chan error, out chan<- Batch) error {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	defer l.stopPoll()
	for {
		l.schedule(timer)
		var send chan<- Batch
		var b Batch
		if !l.box.empty() {
			send, b = out, l.box.batch()
		}
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-events:
			if !ok {
				return errors.New("watch: notifications stopped")
			}
			l.handleEvent(ev, time.Now())
		case err, ok := <-errs:
			if !ok {
				return errors.New("watch: notifications stopped")
			}
			l.handleError(err, time.Now())
		case now := <-timer.C:
			l.box.merge(l.agg.due(now))
		case send <- b:
			l.box.clear()
		case <-l.pollC():
			l.checkRoot(time.Now())
		}
	}
}

// schedule sets timer to fire when the next pending path settles.
func (l *loop) schedule(timer *time.Timer) {
	next, ok := l.agg.next()
	if !ok {
		timer.Stop()
		return
	}
	timer.Reset(time.Until(next))
}

// handleEvent filters one notification and feeds it to the aggregator,
// keeping the watches in step with directories that come and go.
func (l *loop) handleEvent(ev fsnotify.Event, at time.Time) {
	raw, ok := l.rawRel(ev.Name)
	if !ok {
		return
	}
	gone := ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename)
	if raw == "" {
		if gone {
			l.rootChanged(at)
		}
		return
	}
	if localfs.IsReserved(filepath.Base(raw)) {
		return
	}
	c := change{path: localfs.RelFromOS(raw), removed: gone, dir: l.watched.has(raw)}
	if gone {
		l.unwatchTree(raw)
		if c.dir {
			l.w.suppress.forgetUnder(c.path)
		}
	}
	// Only a directory that is not watched yet can be new; the kernel may
	// name it in any event, since it may have been created unseen.
	// A directory already watched that is created (again) is one the walk
	// of a new parent found first, or one renamed over: it is listed the
	// same way (watches are added once; a file listed twice is one path).
	newDir := !gone && ((!c.dir && isDir(ev.Name)) || (c.dir && ev.Has(fsnotify.Create)))
	c.dir = c.dir || newDir
	if !l.w.match(c.path, c.dir) {
		return
	}
	if newDir {
		// A suppression of the folder itself (ks3sync removed it) ends
		// here unless the folder is as ks3sync left it: otherwise it
		// would still match when the folder goes again, and drop that.
		// The folder's files are listed either way.
		l.w.suppress.drop(c.path, at, l.w.stat)
		// Files may appear before the watch does. Once it is in place, the
		// files already there are listed and each settles on its own, as
		// in a folder that was watched before: a file written in a new
		// folder is not held back by its neighbours still being written.
		// A tree with more files than a folder may hold pending one by one
		// (or one that could not be read) is reported as a whole, for the
		// consumer to scan.
		res := l.watchTreeFiles(raw, l.w.opts.CollapseThreshold)
		l.report(res, at, true)
		if !res.moreFiles && !res.limitHit && res.topErr == nil {
			for _, f := range res.files {
				if !l.w.suppress.drop(f, at, l.w.stat) {
					l.agg.add(change{path: f}, at)
				}
			}
			return
		}
	}
	if c.dir && ev.Op == fsnotify.Write {
		return // a directory's listing changed; its entries report themselves
	}
	if l.w.suppress.drop(c.path, at, l.w.stat) {
		return
	}
	l.agg.add(c, at)
}

func isDir(name string) bool {
	fi, err := os.Lstat(name)
	return err == nil && fi.IsDir()
}

// handleError reacts to an error from the notification source. Lost events
// turn into a rescan of everything, with watches rebuilt from scratch since
// directories may have come and gone unseen.
func (l *loop) handleError(err error, at time.Time) {
	if !errors.Is(err, fsnotify.ErrEventOverflow) {
		l.w.log.Warn().Err(err).Msg("change notification error")
		return
	}
	l.w.log.Warn().Msg("change notifications were lost, rescanning everything; " + overflowHint())
	l.agg.requestRescan("event queue overflow", at)
	l.unwatchTree("")
	l.checkRoot(at)
}

// report warns about a watch limit hit while adding watches and, unless the
// caller rescans anyway, asks for a rescan.
func (l *loop) report(res watchResult, at time.Time, rescan bool) {
	if !res.limitHit {
		return
	}
	e := l.w.log.Warn()
	if l.limitWarned {
		e = l.w.log.Debug()
	}
	l.limitWarned = true
	e.Int("watched", len(l.watched)).
		Msg("watch limit reached; changes in folders beyond it are only found by rescans; " + watchLimitHint())
	if rescan {
		l.agg.requestRescan("watch limit reached", at)
	}
}

// rootChanged handles the root itself being removed or renamed away.
func (l *loop) rootChanged(at time.Time) {
	l.unwatchTree("")
	l.agg.requestRescan("watched folder removed or renamed", at)
	l.checkRoot(at)
}

// checkRoot watches the root again if it exists, and otherwise polls for it.
func (l *loop) checkRoot(at time.Time) {
	if err := l.resolveRoot(); err == nil {
		res := l.watchTree("")
		if res.topErr == nil {
			if l.poll != nil {
				l.stopPoll()
				l.w.log.Info().Msg("watched folder is back")
				l.agg.requestRescan("watched folder is back", at)
			}
			l.report(res, at, true)
			return
		}
	}
	if l.poll == nil {
		l.w.log.Warn().Msg("watched folder is missing; waiting for it to come back")
		l.poll = time.NewTicker(max(l.w.opts.Delay, minRootPoll))
	}
}

func (l *loop) pollC() <-chan time.Time {
	if l.poll == nil {
		return nil
	}
	return l.poll.C
}

func (l *loop) stopPoll() {
	if l.poll != nil {
		l.poll.Stop()
		l.poll = nil
	}
}

// resolveRoot checks that the root is a directory and resolves symbolic
// links in its path, since events name the resolved path.
func (l *loop) resolveRoot() error {
	fi, err := os.Stat(l.w.root)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return errors.New("not a directory")
	}
	root, err := filepath.EvalSymlinks(l.w.root)
	if err != nil {
		return err
	}
	l.root, l.prefix = root, root
	if !strings.HasSuffix(root, string(filepath.Separator)) {
		l.prefix += string(filepath.Separator)
	}
	return nil
}

// abs returns the absolute path of raw, a path relative to the root in the
// operating system's form.
func (l *loop) abs(raw string) string {
	if raw == "" {
		return l.root
	}
	return l.prefix + raw
}

// rawRel returns name relative to the root; false if it is outside.
func (l *loop) rawRel(name string) (string, bool) {
	if name == l.root {
		return "", true
	}
	return strings.CutPrefix(name, l.prefix)
}
