//go:build linux

package e2e

import (
	"regexp"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3server/faults"
	"github.com/ks3sync/ks3sync/ks3server/handlers"
)

// TestChaosFaults syncs each pair mode while the server fails 10% of the
// binary's requests: 500, 503 SlowDown, connections reset part-way through
// a request body or a response body, and slow answers. Every run must
// either succeed with both sides equal, or fail with an error that names
// the item; once the faults stop, a run converges and leaves nothing
// behind.
func TestChaosFaults(t *testing.T) {
	modes := pairModes()
	if !campaignScale().full {
		modes = modes[:2] // push and pull
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			k := newRig(t, m)
			k.injectTenPercent()
			for round := 1; round <= campaignScale().faultRounds; round++ {
				k.mode.mutate(k, round)
				k.judgeFaultRun(round)
			}
			all := k.rec.exchanges()
			figures.note(rowFaults, "%s: %d of %d requests failed on purpose (%.0f%%)", m.name, injected(all), len(all), 100*float64(injected(all))/float64(max(1, len(all))))
			k.rec.faults.Clear()
			k.rec.clearOwn()
			k.settle()
			if k.verifyFinal() {
				figures.add(rowFaultsSettled, 1, 1)
			} else {
				figures.add(rowFaultsSettled, 1, 0)
			}
			k.verifyClean(rowFaultsSettled)
		})
	}
}

// injectTenPercent makes the server fail about one request of the binary
// in ten.
func (k *rig) injectTenPercent() {
	k.rec.faults.Inject(faults.Fault{Fraction: 0.08, Kinds: []faults.Kind{
		faults.Status(500), faults.Status(503), faults.Reset(4096), faults.Slow(1 << 20),
	}})
	k.rec.inject(ownFault{ops: []string{handlers.OpGetObject}, fraction: 0.2, kind: bodyFault{after: 64 << 10}}, k.rng)
}

// itemError is how a run names an item it could not sync: an error line
// that names the object.
var itemError = regexp.MustCompile(`(?m)^.*(error|failed).*ks3://`)

// judgeFaultRun runs the binary once under the faults: a success must have
// synced everything, a failure must say what failed.
func (k *rig) judgeFaultRun(round int) {
	k.t.Helper()
	before := len(k.rec.exchanges())
	start := time.Now()
	r := k.e.invoke(invocation{args: []string{"run", "--config", k.cfg, "--no-progress"}, timeout: 5 * time.Minute})
	k.runs++
	n := injected(k.rec.since(before))
	ok := false
	switch r.code {
	case 0:
		ok = k.sidesEqualWant()
		if !ok {
			k.t.Errorf("round %d: the run reported success with the sides not in sync:\n%s", round, r)
		}
	case 1:
		ok = itemError.MatchString(r.text())
		if !ok {
			k.t.Errorf("round %d: the run failed without naming what failed:\n%s", round, r)
		}
	default:
		k.t.Errorf("round %d: exit %d under faults:\n%s", round, r.code, r)
	}
	passed := 0
	if ok {
		passed = 1
		figures.add(rowFaults, n, n)
	} else {
		figures.add(rowFaults, n, 0)
	}
	figures.add(rowFaultRuns, 1, passed)
	k.t.Logf("round %d: exit %d with %d faults injected in %s", round, r.code, n, time.Since(start).Round(time.Millisecond))
	if r.code != 0 && testing.Verbose() {
		k.t.Logf("round %d printed:\n%s", round, r.text())
	}
}
