package syncer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"slices"

	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/localfs"
	"github.com/ks3sync/ks3sync/planner"
	"github.com/ks3sync/ks3sync/state"
)

// streamBatch is how many remote or base entries travel together.
const streamBatch = 1000

// batchMsg is one batch of a side of a pass, or the error that ended it.
type batchMsg[E any] struct {
	batch []E
	err   error
}

// chanSource reads a side of a pass from the channel its producer fills.
func chanSource[E any](ch <-chan batchMsg[E]) planner.Source[E] {
	return func() ([]E, bool, error) {
		m, ok := <-ch
		switch {
		case !ok:
			return nil, false, nil
		case m.err != nil:
			return nil, false, m.err
		}
		return m.batch, true, nil
	}
}

// send hands a batch to the consumer unless ctx ended.
func send[E any](ctx context.Context, ch chan<- batchMsg[E], m batchMsg[E]) bool {
	select {
	case ch <- m:
		return true
	case <-ctx.Done():
		return false
	}
}

// reconcileAll is the full pass: the local scan, the remote listing and the
// base are read as sorted streams, each by its own goroutine through a
// bounded channel, and planned window by window (planner.Windower), so
// memory does not grow with the number of files. The guards apply to the
// sums of the windows, and nothing is executed before they have passed.
func (s *Syncer) reconcileAll(ctx context.Context, t *tally, res *Result) error {
	opts := s.plannerOptions()
	if _, err := os.Stat(s.opts.Root); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w (a disk not mounted, or a typo in the pair's folder?); nothing was synced", s.opts.Root, ErrLocalRootMissing)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	intents := s.pendingIntents(ctx, nil)
	scan := s.streamLocal(ctx, t)
	w := planner.NewWindower(scan.source, chanSource(s.streamRemote(ctx)), chanSource(s.streamBase(ctx)),
		planner.WindowOptions{Prefix: s.opts.Prefix, Names: opts.Names})
	wopts := opts
	wopts.MaxDelete, wopts.MaxOverwrite = planner.MaxDelete{}, planner.MaxOverwrite{}
	plan := &planner.Result{Counts: make(map[planner.ActionKind]int)}
	var (
		sample []planner.RemoteEntry // one listed object, for history retention
		seen   int
	)
	for first := true; ; first = false {
		in, ok, err := w.Next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if first && w.LocalEmpty() && w.BaseSeen > 0 {
			// Empty: emptied on purpose, or maybe a disk that is not
			// mounted (see markFolder).
			emptied, err := s.emptiedOnPurpose(ctx)
			if err != nil {
				return err
			}
			wopts.LocalRootMissing = !emptied
		}
		for _, r := range in.Remote {
			if seen++; rand.IntN(seen) == 0 {
				sample = []planner.RemoteEntry{r}
			}
		}
		before := len(plan.Actions)
		if err := s.planWindow(ctx, in, wopts, scan.unknown, &intents, t, plan); err != nil {
			return err
		}
		if !s.opts.DryRun {
			if err := s.recordAgreed(ctx, plan, before, t); err != nil {
				return err
			}
		}
		if s.opts.DryRun {
			// A dry run only reports: its planned actions go out window
			// by window instead of being held for the guards.
			res.Planned += s.reportPlan(plan, t)
			plan.Actions = plan.Actions[:0]
		}
	}
	// The intents whose path no window held: nothing of them is left to
	// adopt, but a multipart upload they began may be.
	for _, it := range intents {
		s.settleIntent(ctx, &planner.Input{}, it)
	}
	if w.Late > 0 {
		s.log.Warn().Int("keys", w.Late).Msg("remote keys whose local path sorts before the key were planned apart from their path")
	}
	if !s.opts.DryRun {
		s.removeStaleTemps(ctx, scan.res.Temps)
	}
	if err := planner.CheckGuards(opts, plan); err != nil {
		return err
	}
	if s.opts.DryRun {
		for _, w := range plan.Warnings {
			s.emit(Event{Kind: EventWarning, Reason: w})
		}
		return nil
	}
	settled := !wopts.LocalRootMissing && (!w.LocalEmpty() || w.BaseSeen == 0)
	return s.executePlan(ctx, plan, nil, t, res, sample, settled)
}

// recordAgreed records at once, in a few transactions, the base entries of
// the window's paths whose two sides already agree (plan.Actions from
// before on), and takes those actions out of the plan. No guard can hold
// them back, since they change neither side, and holding them until the
// guards have seen the whole pass would make memory grow with the files
// of a pass that finds a whole tree already in the bucket (a first run
// over an existing bucket, or after a lost state database).
func (s *Syncer) recordAgreed(ctx context.Context, plan *planner.Result, before int, t *tally) error {
	batch := s.db.NewBaseBatch(context.WithoutCancel(ctx), 0)
	kept := plan.Actions[:before]
	for _, a := range plan.Actions[before:] {
		if a.Kind != planner.UpdateBase || a.Local == nil || a.Remote == nil {
			kept = append(kept, a)
			continue
		}
		if err := batch.Put(s.agreedBase(a)); err != nil {
			return fmt.Errorf("record files already in sync: %w", err)
		}
		t.add(func(c *state.RunCounts) { c.Skipped++ })
	}
	clear(plan.Actions[len(kept):])
	plan.Actions = kept
	if err := batch.Flush(); err != nil {
		return fmt.Errorf("record files already in sync: %w", err)
	}
	return nil
}

// planWindow completes and plans one window and adds its actions and
// counts to plan.
func (s *Syncer) planWindow(ctx context.Context, in planner.Input, opts planner.Options, unknown *[]string, intents *[]state.Intent, t *tally, plan *planner.Result) error {
	in.Remote = s.dropReserved(in.Remote, t)
	s.dropUnknown(&in, *unknown, t)
	*intents = s.settleWindowIntents(ctx, &in, *intents)
	malformed, err := s.complete(ctx, &in, opts, t)
	if err != nil {
		return err
	}
	p, err := planner.Plan(in, opts)
	if err != nil {
		return err
	}
	s.refuse(p, malformed)
	plan.Actions = append(plan.Actions, p.Actions...)
	for k, n := range p.Counts {
		plan.Counts[k] += n
	}
	plan.LocalFiles += p.LocalFiles
	plan.RemoteFiles += p.RemoteFiles
	plan.Overwrites += p.Overwrites
	for _, w := range p.Warnings {
		if !slices.Contains(plan.Warnings, w) {
			plan.Warnings = append(plan.Warnings, w)
		}
	}
	return nil
}

// localStream is the ordered local scan of a pass.
type localStream struct {
	source  planner.Source[planner.LocalEntry]
	unknown *[]string           // paths the scan could not establish, so far
	res     *localfs.ScanResult // once the source ended
}

// streamLocal runs the ordered scan on its own goroutine. Paths it cannot
// read are reported as failed items as they arrive, and collected in
// unknown before the entries after them are handed out.
func (s *Syncer) streamLocal(ctx context.Context, t *tally) *localStream {
	ch := make(chan localfs.ScanBatch, 4)
	var (
		res *localfs.ScanResult
		err error
	)
	go func() {
		defer close(ch)
		so := localfs.ScanOptions{Match: s.match, FollowLinks: s.opts.FollowSymlinks, Logger: s.log}
		res, err = localfs.ScanOrdered(ctx, s.opts.Root, so, func(b localfs.ScanBatch) error {
			select {
			case ch <- b:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	ls := &localStream{unknown: new([]string), res: &localfs.ScanResult{}}
	ls.source = func() ([]planner.LocalEntry, bool, error) {
		b, ok := <-ch
		if !ok {
			switch {
			case err != nil:
				return nil, false, fmt.Errorf("scan %s: %w", s.opts.Root, err)
			case res.RootMissing:
				return nil, false, fmt.Errorf("%s: %w (a disk not mounted, or a typo in the pair's folder?); nothing was synced", s.opts.Root, ErrLocalRootMissing)
			}
			ls.res = res
			return nil, false, nil
		}
		for _, e := range b.Errors {
			*ls.unknown = append(*ls.unknown, e.Path)
			t.fail(e.Path, fmt.Sprintf("%s: %v", e.Path, e.Err))
			s.emit(Event{Kind: EventError, Path: e.Path, Error: e.Err.Error(), ErrorKind: KindLocal, Reason: "cannot read"})
		}
		*ls.unknown = append(*ls.unknown, b.Skipped...)
		return b.Entries, true, nil
	}
	return ls
}

// streamRemote lists the pair's prefix in key order on its own goroutine,
// leaving out ks3sync's own folder and what listable refuses.
func (s *Syncer) streamRemote(ctx context.Context) <-chan batchMsg[planner.RemoteEntry] {
	ch := make(chan batchMsg[planner.RemoteEntry], 4)
	go func() {
		defer close(ch)
		var batch []planner.RemoteEntry
		for item, err := range s.store.Walk(ctx, s.opts.Bucket, ks3.ListObjectsOptions{Prefix: s.opts.Prefix}) {
			if err != nil {
				send(ctx, ch, batchMsg[planner.RemoteEntry]{err: fmt.Errorf("list ks3://%s/%s: %w", s.opts.Bucket, s.opts.Prefix, err)})
				return
			}
			if item.Prefix != "" || !s.listable(item.Object.Key) {
				continue
			}
			batch = append(batch, s.remoteEntry(item.Object))
			if len(batch) == streamBatch {
				if !send(ctx, ch, batchMsg[planner.RemoteEntry]{batch: batch}) {
					return
				}
				batch = make([]planner.RemoteEntry, 0, streamBatch)
			}
		}
		if len(batch) > 0 {
			send(ctx, ch, batchMsg[planner.RemoteEntry]{batch: batch})
		}
	}()
	return ch
}

// streamBase reads the pair's base in path order on its own goroutine.
func (s *Syncer) streamBase(ctx context.Context) <-chan batchMsg[planner.BaseEntry] {
	ch := make(chan batchMsg[planner.BaseEntry], 4)
	go func() {
		defer close(ch)
		var batch []planner.BaseEntry
		for b, err := range s.db.Base(ctx, s.opts.Pair) {
			if err != nil {
				send(ctx, ch, batchMsg[planner.BaseEntry]{err: fmt.Errorf("read base: %w", err)})
				return
			}
			if isTempName(b.Path) {
				continue
			}
			batch = append(batch, toPlannerBase(b))
			if len(batch) == streamBatch {
				if !send(ctx, ch, batchMsg[planner.BaseEntry]{batch: batch}) {
					return
				}
				batch = make([]planner.BaseEntry, 0, streamBatch)
			}
		}
		if len(batch) > 0 {
			send(ctx, ch, batchMsg[planner.BaseEntry]{batch: batch})
		}
	}()
	return ch
}
