package e2e

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The fault campaign (the TestChaos* tests) holds ks3sync to the promises
// of RELIABILITY.md: kill -9 at random points, a killed server, injected
// faults and a hung server, hostile input, server security and secrets.
// Every test adds what it tried and what held to the figures table, which
// TestMain prints after the run.

// scale sets how much of the campaign runs (see campaignScale).
type scale struct {
	name        string
	killPoints  int // kill -9 points per mode
	serverKills int // SIGKILLs of the server under load
	faultRounds int // runs per direction under injected faults
	full        bool
}

// processStart is when the test process started, for the table's duration.
var processStart = time.Now()

// seedEnv overrides the campaign's random seed, to replay a failure.
const seedEnv = "KS3SYNC_CHAOS_SEED"

// campaignSeed is the seed of this test process: $KS3SYNC_CHAOS_SEED or
// the clock, read once.
var campaignSeed = sync.OnceValue(func() uint64 {
	if s := os.Getenv(seedEnv); s != "" {
		if v, err := strconv.ParseUint(s, 10, 64); err == nil {
			return v
		}
		fmt.Fprintf(os.Stderr, "%s=%q is not a number; using the clock\n", seedEnv, s)
	}
	return uint64(time.Now().UnixNano())
})

// testRand returns a generator for one test, derived from the campaign seed
// and the test's name, and makes a failing test print the seed that
// replays it.
func testRand(t *testing.T) *rand.Rand {
	t.Helper()
	h := fnv.New64a()
	io.WriteString(h, t.Name())
	seed := campaignSeed()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("replay with %s=%d go test ./e2e/ -run '%s'", seedEnv, seed, t.Name())
		}
	})
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// Rows of the figures table, in the order they print.
const (
	rowKillPush      = "kill -9 push: kill points converged"
	rowKillPull      = "kill -9 pull: kill points converged"
	rowKillBoth      = "kill -9 both: kill points converged"
	rowKillEncrypted = "kill -9 encrypted: kill points converged"
	rowKillTorn      = "kill -9: states after a kill without a torn file"
	rowKillClean     = "kill -9: final states without temp file or open upload"
	rowPartsResent   = "kill -9: recorded parts not sent again"
	rowKillAtAnswer  = "kill -9 as the server answers: cases converged"
	rowServerKill    = "server kill: keys holding their acknowledged write"
	rowFaults        = "faults: injected faults survived"
	rowFaultRuns     = "faults: runs correct or failed with a clear error"
	rowFaultsSettled = "faults: final states converged and clean"
	rowHang          = "hung server: runs ended in time with a clear error"
	rowBadInput      = "bad input: cases handled"
	rowSecurity      = "server security: cases answered correctly"
	rowSecrets       = "secrets: places checked without a secret"
)

var rowOrder = []string{
	rowKillPush, rowKillPull, rowKillBoth, rowKillEncrypted, rowKillTorn, rowKillClean, rowPartsResent, rowKillAtAnswer,
	rowServerKill, rowFaults, rowFaultRuns, rowFaultsSettled, rowHang, rowBadInput, rowSecurity, rowSecrets,
}

// figureRow is one line of the table: how many things were tried and how
// many held, and how many cases did not run at all.
type figureRow struct {
	tried, passed, skipped int
	notes                  []string
}

// figureTable collects rows from tests running in parallel.
type figureTable struct {
	mu   sync.Mutex
	rows map[string]*figureRow
	whys map[string]string // why a test skipped, by test name
}

// figures is the campaign's table, printed by TestMain.
var figures = &figureTable{rows: map[string]*figureRow{}, whys: map[string]string{}}

func (f *figureTable) row(name string) *figureRow {
	r, ok := f.rows[name]
	if !ok {
		r = &figureRow{}
		f.rows[name] = r
	}
	return r
}

// add counts tried attempts of which passed held.
func (f *figureTable) add(name string, tried, passed int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.row(name)
	r.tried += tried
	r.passed += passed
}

// note adds a remark printed under the table.
func (f *figureTable) note(name, format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.row(name)
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
}

// count judges t when it ends: one attempt to name that held if it ran and
// passed, one that did not if it failed, and a skipped case, with its
// reason as a note, if it skipped.
func (f *figureTable) count(t *testing.T, name string) {
	t.Cleanup(func() {
		switch {
		case t.Failed():
			f.add(name, 1, 0)
		case t.Skipped():
			f.addSkipped(name, t.Name())
		default:
			f.add(name, 1, 1)
		}
	})
}

// addSkipped counts a case of name that did not run, noting why test
// skipped.
func (f *figureTable) addSkipped(name, test string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.row(name)
	r.skipped++
	r.notes = append(r.notes, fmt.Sprintf("skipped %s: %s", test, cmp.Or(f.whys[test], "see its log")))
}

// skip skips t, keeping why for the note that count adds.
func (f *figureTable) skip(t *testing.T, why string) {
	t.Helper()
	f.keepWhy(t, why)
	t.Skip(why)
}

// missing is missingPeer for a counted test: it skips t, or fails it under
// CI, keeping why for the note.
func (f *figureTable) missing(t *testing.T, why string) {
	t.Helper()
	f.keepWhy(t, why)
	missingPeer(t, why)
}

func (f *figureTable) keepWhy(t *testing.T, why string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.whys[t.Name()] = why
}

// write prints the table; nothing when no campaign test ran.
func (f *figureTable) write(w io.Writer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.rows) == 0 {
		return
	}
	names := slices.Clone(rowOrder)
	for name := range f.rows {
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	fmt.Fprintf(w, "\nks3sync fault campaign (%s), seed %d, %s\n", campaignScale().name, campaignSeed(), time.Since(processStart).Round(time.Second))
	fmt.Fprintf(w, "%-58s %7s %7s %7s %7s\n", "row", "tried", "held", "skipped", "")
	fmt.Fprintln(w, strings.Repeat("-", 90))
	var notes []string
	skipped := 0
	for _, name := range names {
		r, ok := f.rows[name]
		if !ok {
			continue
		}
		// A skipped case did not hold: it is not counted as tried, but
		// the percentage is of every case, so a skip is never 100%.
		fmt.Fprintf(w, "%-58s %7d %7d %7d %7s\n", name, r.tried, r.passed, r.skipped, percent(r.passed, r.tried+r.skipped))
		skipped += r.skipped
		for _, n := range r.notes {
			notes = append(notes, "  "+name+": "+n)
		}
	}
	if skipped > 0 {
		fmt.Fprintf(w, "%d cases did not run (skipped, see the notes); the percentages count them as not held\n", skipped)
	}
	if len(notes) > 0 {
		fmt.Fprintln(w, "notes:")
		fmt.Fprintln(w, strings.Join(notes, "\n"))
	}
}

func percent(passed, tried int) string {
	if tried == 0 {
		return "-"
	}
	return fmt.Sprintf("%d%%", 100*passed/tried) // floored: 99.7% is not 100%
}

// printFigures prints the campaign's table to standard output; TestMain
// calls it after the tests ran.
func printFigures() { figures.write(os.Stdout) }
