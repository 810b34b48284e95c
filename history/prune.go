package history

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrHistoryOff is returned by Prune for a policy that keeps nothing: it
// would delete every kept version, which is never what turning history off
// means.
var ErrHistoryOff = errors.New("history is off for this pair (keep: 0, versions: 0): pruning would delete every kept version; set history.keep or history.versions")

// PruneStore is what Prune needs of a KS3 endpoint.
type PruneStore interface {
	Lister
	Deleter
}

// PruneOptions configure Prune.
type PruneOptions struct {
	Policy Policy
	Now    time.Time
	// DryRun reports what would be deleted and deletes nothing.
	DryRun bool
	// After continues a bounded prune where the previous one stopped (its
	// Next), or starts it at the name Root()+name; "" starts at the first
	// name.
	After string
	// MaxKeys bounds one call: it stops once it has listed MaxKeys kept
	// versions (0: no bound), and Next says where to go on.
	MaxKeys int
	// Report, when set, is told every version once it is deleted (with
	// DryRun, every version that would be).
	Report func(Version)
}

// PruneResult sums up a prune.
type PruneResult struct {
	Deleted      int   // versions deleted (with DryRun, that would be)
	DeletedBytes int64 // their stored size
	Kept         int   // versions seen and kept
	// Next is where a bounded prune stopped: pass it as After to go on.
	// It is "" when the prune reached the end of the history area.
	Next string
}

// deleteBatch is how many keys one DeleteObjects request carries.
const deleteBatch = 1000

// Prune applies the retention policy to a's history area: of every name's
// kept versions it deletes those that Policy.Expired selects, and keeps
// the rest and any object that is not a version. A name whose versions a
// bounded call saw only in part is treated with care: a call that stops
// within a name has seen its oldest versions, which retention may judge as
// it would all of them; the call that goes on from there leaves that
// name's remaining versions for a later pass.
func Prune(ctx context.Context, store PruneStore, a Area, opts PruneOptions) (PruneResult, error) {
	if !opts.Policy.On() {
		return PruneResult{}, ErrHistoryOff
	}
	p := &pruner{store: store, area: a, opts: opts, resumed: resumedName(a, opts.After)}
	err := p.run(ctx)
	if ferr := p.flush(ctx); err == nil {
		err = ferr
	}
	return p.res, errors.Join(append([]error{err}, p.failed...)...)
}

// resumedName is the name a listing that starts after the key after may
// have entered part way: the name of that version key, or the name that key
// stands for.
func resumedName(a Area, after string) string {
	if v, ok := a.Parse(after, 0, "", time.Time{}); ok {
		return v.Name
	}
	name, _ := strings.CutPrefix(after, a.Root())
	return name
}

// pruner is one Prune call.
type pruner struct {
	store   PruneStore
	area    Area
	opts    PruneOptions
	res     PruneResult
	open    []*nameVersions // names whose versions may continue, each below the one before
	batch   []Version
	failed  []error // keys the service refused to delete
	resumed string  // the name the previous call stopped in, "" when none
}

// nameVersions collects the versions of one name.
type nameVersions struct {
	name     string
	versions []Version
}

// run lists the area and settles each name once the listing is past it.
func (p *pruner) run(ctx context.Context) error {
	listed, last := 0, ""
	for v, err := range List(ctx, p.store, p.area, ListOptions{After: p.opts.After}) {
		if err != nil {
			return err
		}
		if p.opts.MaxKeys > 0 && listed >= p.opts.MaxKeys {
			p.res.Next = last
			break
		}
		if err := p.add(ctx, v); err != nil {
			return err
		}
		listed, last = listed+1, v.Key
	}
	for len(p.open) > 0 {
		if err := p.settleTop(ctx); err != nil {
			return err
		}
	}
	return nil
}

// add files v under its name, settling the open names v is not within.
func (p *pruner) add(ctx context.Context, v Version) error {
	for len(p.open) > 0 && !within(v.Name, p.open[len(p.open)-1].name) {
		if err := p.settleTop(ctx); err != nil {
			return err
		}
	}
	if n := len(p.open); n > 0 && p.open[n-1].name == v.Name {
		p.open[n-1].versions = append(p.open[n-1].versions, v)
		return nil
	}
	p.open = append(p.open, &nameVersions{name: v.Name, versions: []Version{v}})
	return nil
}

// settleTop applies the policy to the innermost open name.
func (p *pruner) settleTop(ctx context.Context) error {
	g := p.open[len(p.open)-1]
	p.open = p.open[:len(p.open)-1]
	var expired []Version
	if p.resumed == "" || !within(p.resumed, g.name) {
		expired = p.opts.Policy.Expired(g.versions, p.opts.Now)
	}
	p.res.Kept += len(g.versions) - len(expired)
	for _, v := range expired {
		if err := p.remove(ctx, v); err != nil {
			return err
		}
	}
	return nil
}

// remove deletes v (in batches), or only reports it in a dry run.
func (p *pruner) remove(ctx context.Context, v Version) error {
	p.res.Deleted++
	p.res.DeletedBytes += v.Size
	if p.opts.DryRun {
		p.report(v)
		return nil
	}
	p.batch = append(p.batch, v)
	if len(p.batch) < deleteBatch {
		return nil
	}
	return p.flush(ctx)
}

// flush deletes the batched versions. A key the service refuses is recorded
// and the prune goes on; a failed request stops it.
func (p *pruner) flush(ctx context.Context) error {
	if len(p.batch) == 0 {
		return nil
	}
	batch := p.batch
	p.batch = nil
	keys := make([]string, len(batch))
	size := make(map[string]int64, len(batch))
	for i, v := range batch {
		keys[i], size[v.Key] = v.Key, v.Size
	}
	res, err := p.store.DeleteObjects(ctx, p.area.Bucket, keys)
	if err != nil {
		for _, v := range batch {
			p.undo(v.Size)
		}
		return fmt.Errorf("prune history of ks3://%s/%s: %w", p.area.Bucket, p.area.Prefix, err)
	}
	refused := make(map[string]bool, len(res.Errors))
	for _, e := range res.Errors {
		refused[e.Key] = true
		p.undo(size[e.Key])
		p.failed = append(p.failed, fmt.Errorf("prune %q: %s: %s", e.Key, e.Code, e.Message))
	}
	for _, v := range batch {
		if !refused[v.Key] {
			p.report(v)
		}
	}
	return nil
}

// report tells the caller about a version deleted, or to delete.
func (p *pruner) report(v Version) {
	if p.opts.Report != nil {
		p.opts.Report(v)
	}
}

// undo takes back the count of a version that was not deleted after all.
func (p *pruner) undo(size int64) {
	p.res.Deleted--
	p.res.DeletedBytes -= size
}
