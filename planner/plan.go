package planner

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ks3sync/ks3sync/names"
)

// Plan computes the actions of one pass. It returns an error only for
// invalid options, listings out of order, a failed remote listing in pull or
// both (ErrRemoteListFailed), or a pass the max_delete or max_overwrite guard
// refuses (*GuardError); problems with single paths or keys are Error
// actions.
//
// Local files that changed since the base should carry their MD5 and remote
// objects their plaintext MD5 where Needs asks for them; without them Plan
// assumes the content differs, which costs a transfer or a conflict copy but
// loses nothing.
func Plan(in Input, opts Options) (*Result, error) {
	p, err := newPass(&in, opts)
	if err != nil {
		return nil, err
	}
	b := &builder{pass: p, res: &Result{Counts: make(map[ActionKind]int)}}
	b.addBadKeys()
	if err := p.run(b.visit); err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	b.finish()
	if err := checkMaxDelete(p.opts.MaxDelete, b.res); err != nil {
		return nil, err
	}
	if err := checkMaxOverwrite(p.opts, b.res); err != nil {
		return nil, err
	}
	return b.res, nil
}

// pass is the setup Plan and Needs share.
type pass struct {
	in     *Input
	opts   Options
	filter *Matcher
	lists  *listings
	bad    []badKey
	synth  RemoteEntry // the remote side assumed from the base when the listing failed
}

func newPass(in *Input, opts Options) (*pass, error) {
	o, m, err := opts.normalize()
	if err != nil {
		return nil, err
	}
	if o.RemoteListFailed && o.Direction != Push {
		return nil, ErrRemoteListFailed
	}
	remote := in.Remote
	if o.RemoteListFailed {
		remote = nil
	}
	rs, bad, err := indexRemote(remote, o.Prefix, o.Names)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	lists, err := newListings(in, rs, o.Names)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	return &pass{in: in, opts: o, filter: m, lists: lists, bad: bad}, nil
}

// run merges the listings and calls visit for every included path.
func (p *pass) run(visit func(*group)) error {
	return merge(p.lists, p.in.Remote, newFilterCursor(p.filter), visit)
}

// entries returns the single entry on each side of g, which must have at
// most one local and one remote entry. A base recorded for a key outside the
// current prefix describes another remote location (the prefix changed): it
// is returned as stale and left out, so its paths are neither taken for
// remote deletions nor compared with objects they never were.
func (p *pass) entries(g *group) (ps paths, stale *BaseEntry) {
	if len(g.local) == 1 {
		ps.l = &g.local[0]
	}
	if len(g.remote) == 1 {
		ps.r = &p.in.Remote[g.remote[0].idx]
	}
	switch b := g.base; {
	case b == nil:
	case !strings.HasPrefix(b.RemoteKey, p.opts.Prefix):
		stale = b
	case p.opts.RemoteListFailed:
		p.synth = RemoteEntry{Key: b.RemoteKey, Path: b.Path, Size: b.RemoteSize, ETag: b.ETag, Encrypted: b.Encrypted}
		ps.r, ps.b = &p.synth, b
	default:
		ps.b = b
	}
	return ps, stale
}

// checkLocalPath reports why a local path cannot be synced, or nil: it
// must be in NFC and be a name the rules map back to a key.
func checkLocalPath(path string, rules names.Policy) error {
	if !isNFC(path) {
		return fmt.Errorf("local path %q: not in Unicode NFC", path)
	}
	if _, err := rules.KeyPath(path); err != nil {
		return fmt.Errorf("local path %q: %w", path, err)
	}
	return nil
}

// builder collects the actions of one Plan call.
type builder struct {
	*pass
	res        *Result
	nothing    int
	suppressed int // remote deletions skipped because the local root is missing
}

// addBadKeys reports the remote keys that have no safe local path, unless
// the filter excludes them.
func (b *builder) addBadKeys() {
	for _, k := range b.bad {
		if k.rel != "" && !b.filter.Match(k.rel, false) {
			continue
		}
		r := b.in.Remote[k.idx]
		b.add(Action{Kind: Error, Key: r.Key, Reason: "skipped: " + k.err.Error(), Remote: &r, Err: k.err})
	}
}

// visit decides one path.
func (b *builder) visit(g *group) {
	b.res.LocalFiles += len(g.local)
	b.res.RemoteFiles += len(g.remote)
	b.forgetOthers(g)
	switch {
	case len(g.local) > 1:
		b.duplicateLocal(g)
		return
	case len(g.remote) > 1:
		b.duplicateRemote(g)
		return
	}
	ps, stale := b.entries(g)
	if b.opts.RemoteListFailed && ps.r != nil {
		b.res.RemoteFiles++ // assumed from the base
	}
	switch {
	case ps.l != nil:
		if err := checkLocalPath(ps.l.Path, b.opts.Names); err != nil {
			b.add(Action{Kind: Error, Path: g.path, Reason: "skipped: " + err.Error(), Local: ps.l, Base: g.base, Err: err})
			return
		}
	case ps.r == nil && ps.b == nil: // nothing but a stale base
		b.add(Action{Kind: ForgetBase, Path: g.path, Key: stale.RemoteKey, Base: stale,
			Reason: fmt.Sprintf("sync record is for key %q, outside prefix %q", stale.RemoteKey, b.opts.Prefix)})
		return
	}
	decided := decide(ps, b.opts.Direction, b.opts.Delete)
	d, keepLocal := resolveConflict(ps, decided, b.opts)
	b.emit(g.path, ps, d, keepLocal, decided.kind == Conflict && d.kind != Conflict)
}

// forgetOthers forgets the sync records of g kept under another spelling
// of its path than the one pick chose (only case-insensitive rules group
// them): the path was synced under several spellings, one file on this
// filesystem. Forgetting a record can cost a comparison, never a file.
func (b *builder) forgetOthers(g *group) {
	for i := range g.bases {
		o := &g.bases[i]
		if o == g.base {
			continue
		}
		b.add(Action{Kind: ForgetBase, Path: o.Path, Key: o.RemoteKey, Base: o,
			Reason: fmt.Sprintf("sync record for %q, which this case-insensitive folder holds as %q", o.Path, g.path)})
	}
}

// emit turns a decision into an action, applying the missing-root guard.
// keepLocal marks a download that replaces a changed local file (see
// Action.KeepLocal), settled an action that settles a conflict by the
// pair's policy (Action.Settles).
func (b *builder) emit(path string, ps paths, d decision, keepLocal, settled bool) {
	if d.kind == DeleteRemote && b.opts.LocalRootMissing {
		d = decision{Nothing, "local deleted, but the local folder is missing or empty; not deleting remotely"}
		b.suppressed++
	}
	if d.kind == Nothing {
		b.nothing++
		return
	}
	key, err := b.keyFor(path, ps, d.kind)
	if err != nil {
		b.add(Action{Kind: Error, Path: path, Reason: "skipped: " + err.Error(), Local: ps.l, Base: ps.b, Err: err})
		return
	}
	a := Action{Kind: d.kind, Path: path, Key: key, Reason: d.reason, Local: ps.l, Base: ps.b}
	if ps.r != nil {
		r := *ps.r
		r.Path = path
		a.Remote = &r
	}
	a.KeepLocal, a.Settles = keepLocal, settled
	if d.kind == Conflict || keepLocal {
		a.ConflictPath = ConflictName(path, b.opts.Host, b.opts.Time)
	}
	b.add(a)
}

// keyFor picks the key an action works on: the existing object's, or for an
// upload without one the key of the path under the current prefix.
func (b *builder) keyFor(path string, ps paths, kind ActionKind) (string, error) {
	switch {
	case ps.r != nil:
		return ps.r.Key, nil
	case kind != Upload && ps.b != nil:
		return ps.b.RemoteKey, nil
	}
	return KeyFor(b.opts.Prefix, path, b.opts.Names)
}

func (b *builder) add(a Action) {
	b.res.Actions = append(b.res.Actions, a)
	b.res.Counts[a.Kind]++
	if a.Kind == Upload && a.Remote != nil {
		b.res.Overwrites++
	}
}

// ErrNameCollision is what the errors of names that collide in the local
// folder match (errors.Is): two local files, or two remote keys, that the
// folder cannot tell apart (Unicode normalisation, letter case). Their
// Error actions are skips to report, not failures: no rule of the folder's
// system can hold both, so trying again cannot succeed.
var ErrNameCollision = errors.New("names collide in the local folder")

// collision is an error of colliding names, matching ErrNameCollision.
type collision string

func (c collision) Error() string        { return string(c) }
func (c collision) Is(target error) bool { return target == ErrNameCollision }

// duplicateLocal reports local files whose names are equal after NFC, or
// after case folding under case-insensitive rules.
func (b *builder) duplicateLocal(g *group) {
	err := collision(fmt.Sprintf("local path %q: %d files have this name after Unicode normalisation%s; rename all but one", g.path, len(g.local), b.orCase()))
	for i := range g.local {
		b.add(Action{Kind: Error, Path: g.path, Reason: "skipped: " + err.Error(), Local: &g.local[i], Base: g.base, Err: err})
	}
}

// duplicateRemote reports remote keys that map to the same local path.
func (b *builder) duplicateRemote(g *group) {
	keys := make([]string, len(g.remote))
	for i, ref := range g.remote {
		keys[i] = fmt.Sprintf("%q", b.in.Remote[ref.idx].Key)
	}
	slices.Sort(keys)
	err := collision(fmt.Sprintf("remote keys %s all map to local path %q (they differ only in Unicode normalisation%s); rename all but one in the bucket", strings.Join(keys, ", "), g.path, b.orCase()))
	for _, ref := range g.remote {
		r := b.in.Remote[ref.idx]
		r.Path = g.path
		b.add(Action{Kind: Error, Path: g.path, Key: r.Key, Reason: "skipped: " + err.Error(), Remote: &r, Base: g.base, Err: err})
	}
}

// orCase completes "differ only in Unicode normalisation" under
// case-insensitive rules.
func (b *builder) orCase() string {
	if b.opts.Names.CaseInsensitive {
		return " or letter case, which this folder does not tell apart"
	}
	return ""
}

// finish records the Nothing count and the warnings.
func (b *builder) finish() {
	if b.nothing > 0 {
		b.res.Counts[Nothing] = b.nothing
	}
	if b.suppressed > 0 {
		folder := "the local folder"
		if b.opts.LocalRoot != "" {
			folder += " " + b.opts.LocalRoot
		}
		b.res.Warnings = append(b.res.Warnings, fmt.Sprintf(
			"%s is missing or empty: %d remote deletions skipped (an unmounted disk is never a reason to delete; to delete them, remove the objects with `ks3sync rm`)", folder, b.suppressed))
	}
	if b.opts.RemoteListFailed {
		b.res.Warnings = append(b.res.Warnings,
			"the remote listing failed: planned against the last sync record, new files are uploaded without comparing with the bucket")
	}
}

// NewBase returns the base entry an UpdateBase action records: the local
// fingerprint, the remote object, and their common content MD5. ok is false
// when the action lacks the local or the remote entry.
func (a *Action) NewBase() (BaseEntry, bool) {
	if a.Local == nil || a.Remote == nil {
		return BaseEntry{}, false
	}
	md5 := localMD5(a.Local, a.Base)
	if md5 == "" {
		md5 = remoteMD5(a.Remote)
	}
	return BaseEntry{
		Path:       a.Path,
		Local:      a.Local.Fingerprint,
		MD5:        md5,
		RemoteKey:  a.Remote.Key,
		RemoteSize: a.Remote.Size,
		ETag:       a.Remote.ETag,
		Encrypted:  a.Remote.Encrypted,
	}, true
}
