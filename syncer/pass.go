package syncer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"
	"golang.org/x/text/unicode/norm"

	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/localfs"
	"github.com/ks3sync/ks3sync/objmeta"
	"github.com/ks3sync/ks3sync/planner"
	"github.com/ks3sync/ks3sync/state"
)

// Run performs one full reconcile pass of the pair: scan, list, plan,
// execute, record. The error is for the pass as a whole (the listing
// failed, a guard refused the plan, the context ended); per-item failures
// are counted in the result and reported as events.
func (s *Syncer) Run(ctx context.Context, kind string) (*Result, error) {
	return s.pass(ctx, kind, nil)
}

// RunPaths performs a pass restricted to the given relative paths (files or
// folders, as the watcher reports them). Guards still count against the
// whole pair.
func (s *Syncer) RunPaths(ctx context.Context, paths []string) (*Result, error) {
	if len(paths) == 0 {
		return &Result{Outcome: OutcomeOK}, nil
	}
	for _, p := range paths {
		if p == "" || p == "." {
			return s.pass(ctx, "reconcile", nil) // the root: a full pass
		}
	}
	return s.pass(ctx, "watch-pass", paths)
}

// pass runs one pass and reports it: pass-start, then the pass's own
// events, then (for a refusal) refused, then pass-end with the outcome. The
// result is never nil; the error is the pass's as a whole.
func (s *Syncer) pass(ctx context.Context, kind string, paths []string) (*Result, error) {
	res := &Result{Started: s.opts.Now()}
	s.emit(Event{Kind: EventPassStart, Action: kind, DryRun: s.opts.DryRun})
	err := s.record(ctx, kind, paths, res)
	var ge *planner.GuardError
	if errors.As(err, &ge) && ctx.Err() == nil {
		refused, info := s.refusal(ge)
		err = refused
		s.emit(Event{Kind: EventRefused, Action: kind, Error: err.Error(), ErrorKind: KindGuard, Guard: info, DryRun: s.opts.DryRun})
	}
	res.Outcome = OutcomeOf(ctx, res.Counts.Failed, err)
	if err != nil {
		res.Errors = append(res.Errors, err.Error())
	}
	s.finishRun(ctx, res)
	end := Event{Kind: EventPassEnd, Action: kind, Outcome: res.Outcome, Counts: &res.Counts,
		Duration: res.Ended.Sub(res.Started).Seconds(), DryRun: s.opts.DryRun}
	if err != nil {
		end.Error, end.ErrorKind = err.Error(), ErrorKind(err)
	}
	s.emit(end)
	return res, err
}

// record runs the pass between its start and end in the run history.
func (s *Syncer) record(ctx context.Context, kind string, paths []string, res *Result) error {
	if !s.opts.DryRun {
		id, err := s.db.StartRun(ctx, s.opts.Pair, kind, res.Started)
		if err != nil {
			res.Ended = s.opts.Now()
			return fmt.Errorf("record run: %w", err)
		}
		res.RunID = id
	}
	var t tally
	err := s.reconcile(ctx, paths, &t, res)
	res.Counts, res.Errors, res.FailedPaths = t.snapshot()
	res.Ended = s.opts.Now()
	return err
}

func (s *Syncer) finishRun(ctx context.Context, res *Result) {
	if s.opts.DryRun || res.RunID == 0 {
		return
	}
	if ferr := s.db.FinishRun(context.WithoutCancel(ctx), res.RunID, res.Ended, string(res.Outcome), res.Counts, res.Errors); ferr != nil {
		s.log.Error().Err(ferr).Msg("record run")
	}
}

func (s *Syncer) reconcile(ctx context.Context, paths []string, t *tally, res *Result) error {
	if paths == nil {
		return s.reconcileAll(ctx, t, res)
	}
	in, opts, err := s.gather(ctx, paths, t)
	if err != nil {
		return err
	}
	malformed, err := s.complete(ctx, &in, opts, t)
	if err != nil {
		return err
	}
	// Guards count against the whole pair, not the handful of paths of a
	// watch pass; checked below.
	opts.MaxDelete, opts.MaxOverwrite = planner.MaxDelete{}, planner.MaxOverwrite{}
	plan, err := planner.Plan(in, opts)
	if err != nil {
		return err
	}
	s.refuse(plan, malformed)
	if err := s.checkPartialGuard(ctx, plan); err != nil {
		return err
	}
	if err := s.checkPartialOverwrite(ctx, plan); err != nil {
		return err
	}
	settled := !opts.LocalRootMissing && (len(in.Local) > 0 || len(in.Base) == 0)
	return s.executePlan(ctx, plan, paths, t, res, in.Remote, settled)
}

// executePlan reports the warnings of a plan the guards passed, then
// reports it (dry run) or executes it, and applies history retention.
// remote is the listing, or a sample of it, for retention to start from.
// settled says that the pass found the folder as it should be (holding
// files, or new to the pair), which the folder marker then records.
func (s *Syncer) executePlan(ctx context.Context, plan *planner.Result, paths []string, t *tally, res *Result, remote []planner.RemoteEntry, settled bool) error {
	for _, w := range plan.Warnings {
		s.emit(Event{Kind: EventWarning, Reason: w})
	}
	if s.opts.DryRun {
		res.Planned = s.reportPlan(plan, t)
		return nil
	}
	s.emit(Event{Kind: EventPlan, Plan: planTotals(plan)})
	s.dropStaleDownloads(ctx, plan, paths)
	s.dropStaleUploads(ctx, plan, paths)
	unrecorded := s.beginJournal(ctx, plan)
	err := s.execute(ctx, plan, t)
	s.appendJournal(ctx, unrecorded)
	if err != nil {
		return err
	}
	if paths == nil && s.opts.KeepEmptyFolders {
		if err := s.syncFolders(ctx, t); err != nil {
			return err
		}
	}
	if settled {
		s.markFolder(ctx)
	}
	if paths == nil {
		s.pruneJournal(ctx)
	}
	s.retain(ctx, remote)
	return nil
}

// planTotals sums up the work of a plan.
func planTotals(plan *planner.Result) *PlanTotals {
	var p PlanTotals
	for _, a := range plan.Actions {
		switch a.Kind {
		case planner.Upload, planner.Download, planner.Conflict:
			p.Files++
			p.Bytes += actionSize(a)
		case planner.DeleteRemote, planner.DeleteLocal:
			p.Deletes++
		}
	}
	return &p
}

// plannerOptions maps the pair's options onto the planner's.
func (s *Syncer) plannerOptions() planner.Options {
	return planner.Options{
		Direction:    s.opts.Direction,
		Delete:       s.opts.Delete,
		MaxDelete:    s.opts.MaxDelete,
		MaxOverwrite: s.opts.MaxOverwrite,
		History:      s.opts.History.On(),
		Conflict:     s.opts.Conflict,
		Prefix:       s.opts.Prefix,
		Include:      s.opts.Include,
		Exclude:      s.opts.Exclude,
		Host:         s.opts.Host,
		Time:         s.opts.Now().UTC().Format("20060102-150405"),
		Names:        s.nameRules(),
		LocalRoot:    s.opts.Root,
	}
}

// gather scans the local side, lists the remote side and reads the base,
// all restricted to paths when it is not nil.
func (s *Syncer) gather(ctx context.Context, paths []string, t *tally) (planner.Input, planner.Options, error) {
	opts := s.plannerOptions()
	var in planner.Input
	g, gctx := errgroup.WithContext(ctx)
	var unreadable []string
	g.Go(func() error {
		var err error
		in.Local, unreadable, opts.LocalRootMissing, err = s.scanLocal(gctx, paths, t)
		return err
	})
	g.Go(func() error {
		var err error
		in.Remote, err = s.listRemote(gctx, paths)
		return err
	})
	g.Go(func() error {
		var err error
		in.Base, err = s.loadBase(gctx, paths)
		return err
	})
	if err := g.Wait(); err != nil {
		return in, opts, err
	}
	in.Remote = s.dropReserved(in.Remote, t)
	s.dropUnknown(&in, unreadable, t)
	s.settleIntents(ctx, &in, paths)
	switch {
	case paths == nil && len(in.Local) == 0 && len(in.Base) > 0:
		opts.LocalRootMissing = true
	case paths != nil && !opts.LocalRootMissing:
		// A watch pass sees only its paths; an emptied root must not
		// propagate deletions from here either.
		opts.LocalRootMissing = dirEmpty(s.opts.Root)
	}
	if opts.LocalRootMissing {
		// Emptied, not unmounted, when the folder marker or the folder's
		// identity says it is the synced folder (see markFolder).
		emptied, err := s.emptiedOnPurpose(ctx)
		if err != nil {
			return in, opts, err
		}
		opts.LocalRootMissing = !emptied
	}
	return in, opts, nil
}

// dirEmpty reports whether dir holds nothing but ks3sync's temporary files
// and reserved folder (or cannot be read, which is treated the same: never
// a reason to delete).
func dirEmpty(dir string) bool {
	f, err := os.Open(dir)
	if err != nil {
		return true
	}
	defer f.Close()
	for {
		names, err := f.Readdirnames(64)
		for _, n := range names {
			if !isTempName(n) && n != planner.ReservedDir {
				return false
			}
		}
		if err != nil {
			return true
		}
	}
}

// dropUnknown removes the entries of all three sides under paths whose
// local state the scan could not establish (unreadable, a name clash, a
// symlink or special file now where a file or folder was): nothing about
// them may be decided this pass; above all they must not look deleted, and
// a local twin must not overwrite the remote copy.
//
// An object of a pair that pulls whose path lies inside one of them (a
// symbolic link, not followed, where its folder would be) is a failed
// item: ks3sync never writes through a link, and the user must hear that
// the object was not downloaded.
func (s *Syncer) dropUnknown(in *planner.Input, unknown []string, t *tally) {
	if len(unknown) == 0 {
		return
	}
	bad := s.pathMatcher(unknown)
	in.Local = slices.DeleteFunc(in.Local, func(l planner.LocalEntry) bool { return bad(l.Path) })
	in.Base = slices.DeleteFunc(in.Base, func(b planner.BaseEntry) bool { return bad(b.Path) })
	in.Remote = slices.DeleteFunc(in.Remote, func(r planner.RemoteEntry) bool {
		p, err := s.pathFor(r.Key)
		if err != nil || !bad(p) {
			return false
		}
		if s.opts.Direction != planner.Push {
			if dir := path.Dir(p); dir != "." && bad(dir) {
				msg := fmt.Sprintf("%s: not downloaded: a folder on its way is a symbolic link or not a folder, and ks3sync never writes through one", p)
				t.fail(p, msg)
				s.emit(Event{Kind: EventError, Path: p, Error: msg, ErrorKind: KindLocal, Reason: "path through a link"})
			}
		}
		return true
	})
}

// dropReserved removes the objects whose names lie in the name space of
// ks3sync's temporary files: no local file may be created with such a
// name. A pair that pulls reports each as a failed item naming the key,
// so that the user renames it; a push leaves them alone.
func (s *Syncer) dropReserved(remote []planner.RemoteEntry, t *tally) []planner.RemoteEntry {
	return slices.DeleteFunc(remote, func(r planner.RemoteEntry) bool {
		if !isTempName(r.Key) {
			return false
		}
		if s.opts.Direction != planner.Push {
			msg := fmt.Sprintf("ks3://%s/%s: not downloaded: %q is a name ks3sync keeps for its temporary files (%s…); rename the object", s.opts.Bucket, r.Key, path.Base(r.Key), localfs.TempPrefix)
			t.fail(r.Key, msg)
			s.emit(Event{Kind: EventError, Path: r.Key, Error: msg, ErrorKind: KindLocal, Reason: "reserved name"})
		}
		return true
	})
}

// scanLocal scans the local side; it also returns the paths it could not
// read, which are reported as failed items.
func (s *Syncer) scanLocal(ctx context.Context, paths []string, t *tally) ([]planner.LocalEntry, []string, bool, error) {
	so := localfs.ScanOptions{Match: s.match, FollowLinks: s.opts.FollowSymlinks, Logger: s.log}
	var (
		r   *localfs.ScanResult
		err error
	)
	if paths == nil {
		r, err = localfs.Scan(ctx, s.opts.Root, so)
	} else {
		r, err = localfs.ScanPaths(ctx, s.opts.Root, paths, so)
	}
	if err != nil {
		return nil, nil, false, fmt.Errorf("scan %s: %w", s.opts.Root, err)
	}
	if r.RootMissing {
		return nil, nil, false, fmt.Errorf("%s: %w (a disk not mounted, or a typo in the pair's folder?); nothing was synced", s.opts.Root, ErrLocalRootMissing)
	}
	if paths == nil && !s.opts.DryRun {
		s.removeStaleTemps(ctx, r.Temps)
	}
	unknown := slices.Clone(r.SkippedPaths)
	for _, e := range r.Errors {
		unknown = append(unknown, e.Path)
		t.fail(e.Path, fmt.Sprintf("%s: %v", e.Path, e.Err))
		s.emit(Event{Kind: EventError, Path: e.Path, Error: e.Err.Error(), ErrorKind: KindLocal, Reason: "cannot read"})
	}
	return r.Entries, unknown, r.RootMissing, nil
}

// listRemote lists the pair's prefix, or for a watch pass the objects whose
// keys map to the given paths. Keys are matched by the path they map to, so
// an object stored under a non-NFC spelling of the name is found too.
func (s *Syncer) listRemote(ctx context.Context, paths []string) ([]planner.RemoteEntry, error) {
	if paths == nil {
		return s.listTree(ctx, s.opts.Prefix)
	}
	want := s.pathMatcher(paths)
	keep := func(k string) bool {
		p, err := s.pathFor(k)
		return err == nil && want(p)
	}
	var all []planner.RemoteEntry
	for _, lp := range s.listingPrefixes(paths) {
		entries, err := s.listPrefix(ctx, lp, keep)
		if err != nil {
			return nil, err
		}
		all = append(all, entries...)
	}
	return sortRemote(all), nil
}

// listPrefixes are the listing prefixes that cover the keys of paths in
// every Unicode spelling: the key of each path, or, for a name that has a
// decomposed spelling, up to the folder holding its first non-ASCII byte;
// without prefixes that a shorter one covers.
func listPrefixes(prefix string, paths []string) []string {
	var out []string
	for _, p := range dedupePaths(paths) {
		if !norm.NFD.IsNormalString(p) {
			i := strings.IndexFunc(p, func(r rune) bool { return r >= 0x80 })
			p = p[:strings.LastIndexByte(p[:i], '/')+1]
		}
		out = append(out, prefix+p)
	}
	slices.Sort(out)
	kept := out[:0]
	for _, lp := range out {
		if len(kept) > 0 && strings.HasPrefix(lp, kept[len(kept)-1]) {
			continue
		}
		kept = append(kept, lp)
	}
	return kept
}

// listTree lists everything under prefix: the top level first (with a
// delimiter), then its folders concurrently, so that parsing the listing
// pages and the server's work on them overlap.
func (s *Syncer) listTree(ctx context.Context, prefix string) ([]planner.RemoteEntry, error) {
	var (
		top     []planner.RemoteEntry
		folders []string
	)
	for item, err := range s.store.Walk(ctx, s.opts.Bucket, ks3.ListObjectsOptions{Prefix: prefix, Delimiter: "/"}) {
		if err != nil {
			return nil, fmt.Errorf("list ks3://%s/%s: %w", s.opts.Bucket, prefix, err)
		}
		switch {
		case item.Prefix == planner.ReservedPrefix(s.opts.Prefix):
			// ks3sync's own folder (history) is not part of the pair.
		case item.Prefix != "":
			folders = append(folders, item.Prefix)
		case s.listable(item.Object.Key):
			top = append(top, s.remoteEntry(item.Object))
		}
	}
	parts := make([][]planner.RemoteEntry, len(folders))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(listConcurrency)
	for i, f := range folders {
		g.Go(func() error {
			var err error
			parts[i], err = s.listPrefix(gctx, f, nil)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, p := range parts {
		top = append(top, p...)
	}
	return sortRemote(top), nil
}

// listConcurrency is how many folder listings a full pass runs at once.
const listConcurrency = 4

// listable reports whether a listed key may take part in the sync: not a
// folder marker. Keys named like ks3sync's temporary files are listed, and
// dropped (and reported) by dropReserved.
func (s *Syncer) listable(key string) bool {
	return !strings.HasSuffix(key, "/")
}

func (s *Syncer) listPrefix(ctx context.Context, prefix string, keep func(string) bool) ([]planner.RemoteEntry, error) {
	var out []planner.RemoteEntry
	for item, err := range s.store.Walk(ctx, s.opts.Bucket, ks3.ListObjectsOptions{Prefix: prefix}) {
		if err != nil {
			return nil, fmt.Errorf("list ks3://%s/%s: %w", s.opts.Bucket, prefix, err)
		}
		o := item.Object
		if item.Prefix != "" || !s.listable(o.Key) || (keep != nil && !keep(o.Key)) {
			continue
		}
		out = append(out, s.remoteEntry(o))
	}
	return out, nil
}

// remoteEntry turns a listed object into the planner's view. A plain
// single-PUT ETag is the MD5 of the content; with encryption it is the MD5
// of the ciphertext, so encrypted pairs learn the plaintext MD5 from HEAD.
func (s *Syncer) remoteEntry(o ks3.ObjectInfo) planner.RemoteEntry {
	e := planner.RemoteEntry{Key: o.Key, Size: o.Size, ETag: o.ETag, StorageClass: o.StorageClass, Modified: o.LastModified.UnixNano()}
	if s.opts.Key != nil {
		e.Encrypted = true
	} else if objmeta.IsMD5Hex(o.ETag) {
		e.MD5 = strings.ToLower(o.ETag)
	}
	return e
}

func (s *Syncer) loadBase(ctx context.Context, paths []string) ([]planner.BaseEntry, error) {
	var out []planner.BaseEntry
	want := s.pathMatcher(paths)
	for b, err := range s.db.Base(ctx, s.opts.Pair) {
		if err != nil {
			return nil, fmt.Errorf("read base: %w", err)
		}
		if want(b.Path) && !isTempName(b.Path) {
			out = append(out, toPlannerBase(b))
		}
	}
	return out, nil
}

// pathFilter matches a path equal to, or inside, one of paths; nil matches all.
func pathFilter(paths []string) func(string) bool {
	if paths == nil {
		return func(string) bool { return true }
	}
	set := make(map[string]bool, len(paths))
	for _, p := range paths {
		set[p] = true
	}
	return func(p string) bool {
		for q := p; ; {
			if set[q] || set[""] || set["."] {
				return true
			}
			i := strings.LastIndexByte(q, '/')
			if i < 0 {
				return false
			}
			q = q[:i]
		}
	}
}

func toPlannerBase(b state.BaseEntry) planner.BaseEntry {
	return planner.BaseEntry{
		Path:       b.Path,
		Local:      planner.Fingerprint{Size: b.LocalSize, MTime: b.LocalMTime, CTime: b.LocalCTime, Inode: b.LocalInode},
		MD5:        b.MD5,
		RemoteKey:  b.RemoteKey,
		RemoteSize: b.RemoteSize,
		ETag:       b.ETag,
		Encrypted:  b.Encrypted,
	}
}

// checkPartialGuard applies max_delete to a watch pass, by the same rule as
// a full pass: the deletions it planned on each side against the files the
// pair had when it started (its base). Each pass is judged on its own, so a
// folder renamed after a few deletions still syncs.
func (s *Syncer) checkPartialGuard(ctx context.Context, plan *planner.Result) error {
	lim := s.opts.MaxDelete
	if lim.Count == 0 && lim.Percent == 0 {
		return nil
	}
	base, err := s.db.CountBase(ctx, s.opts.Pair)
	if err != nil {
		return err
	}
	remote, local := planner.Deletions(plan) // renamed files are not counted
	for _, side := range []struct {
		n    int
		name string
	}{{remote, planner.SideRemote}, {local, planner.SideLocal}} {
		if side.n > 0 && exceeds(side.n, base, lim) {
			return &planner.GuardError{Guard: planner.GuardMaxDelete, Deletes: side.n, Files: base, Limit: lim, Side: side.name}
		}
	}
	return nil
}

func exceeds(n, total int, lim planner.MaxDelete) bool {
	if lim.Count > 0 && n > lim.Count {
		return true
	}
	return lim.Percent > 0 && total > 0 && float64(n)*100/float64(total) > lim.Percent
}

func (s *Syncer) reportPlan(plan *planner.Result, t *tally) int {
	n := 0
	for _, a := range plan.Actions {
		s.emit(Event{Kind: EventPlanned, Action: string(a.Kind), Path: a.Path, Key: a.Key, Reason: a.Reason, Size: actionSize(a), DryRun: true})
		if a.Kind == planner.Error {
			t.fail(a.Path, fmt.Sprintf("%s: %v", a.Path, a.Err))
		}
		n++
	}
	return n
}

func actionSize(a planner.Action) int64 {
	switch {
	case a.Kind == planner.Upload && a.Local != nil:
		return a.Local.Size
	case a.Remote != nil:
		return a.Remote.Size
	}
	return 0
}
