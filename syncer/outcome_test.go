package syncer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/planner"
	"github.com/ks3sync/ks3sync/state"
)

// eventLog records the events of a syncer.
type eventLog struct {
	mu  sync.Mutex
	evs []Event
}

func (l *eventLog) report(ev Event) {
	l.mu.Lock()
	l.evs = append(l.evs, ev)
	l.mu.Unlock()
}

// kinds returns the kinds of the recorded events other than bytes and
// start, then forgets them.
func (l *eventLog) kinds() []EventKind {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []EventKind
	for _, ev := range l.evs {
		if ev.Kind != EventBytes && ev.Kind != EventStart {
			out = append(out, ev.Kind)
		}
	}
	return out
}

func (l *eventLog) last(kind EventKind) Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := len(l.evs) - 1; i >= 0; i-- {
		if l.evs[i].Kind == kind {
			return l.evs[i]
		}
	}
	return Event{}
}

func (l *eventLog) reset() {
	l.mu.Lock()
	l.evs = nil
	l.mu.Unlock()
}

// Every pass ends as exactly one outcome, in the result, the pass-end
// event and the run history.
func TestOutcomes(t *testing.T) {
	f := newFixture(t)
	f.write(t, "a.txt", []byte("a"))
	var log eventLog
	s := f.syncer(t, func(o *Options) { o.Report = log.report })

	res, err := s.Run(t.Context(), "run")
	if err != nil || res.Outcome != OutcomeOK {
		t.Fatalf("ok pass: %v, %v", res.Outcome, err)
	}
	want := []EventKind{EventPassStart, EventPlan, EventUpload, EventPassEnd}
	if got := log.kinds(); !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	if p := log.last(EventPlan).Plan; p == nil || p.Files != 1 || p.Bytes != 1 {
		t.Fatalf("plan = %+v, want one file of one byte", p)
	}
	log.reset()

	f.store.listErr = &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	res, err = s.Run(t.Context(), "run")
	end := log.last(EventPassEnd)
	if err == nil || res.Outcome != OutcomeFailed || end.Outcome != OutcomeFailed || end.ErrorKind != KindNetwork ||
		!strings.Contains(end.Error, "connection refused") {
		t.Fatalf("failed pass: %v, %v; pass-end %+v", res.Outcome, err, end)
	}
	f.store.listErr = nil

	// Stopped once the plan is made, before the upload of the new file.
	f.write(t, "b.txt", []byte("b"))
	ctx, cancel := context.WithCancel(t.Context())
	s.opts.Report = func(ev Event) {
		log.report(ev)
		if ev.Kind == EventPlan {
			cancel()
		}
	}
	res, _ = s.Run(ctx, "run")
	if res.Outcome != OutcomeInterrupted || log.last(EventPassEnd).Outcome != OutcomeInterrupted {
		t.Fatalf("interrupted pass: %v", res.Outcome)
	}

	runs, err := f.db.Runs(t.Context(), "p", 10)
	if err != nil {
		t.Fatal(err)
	}
	var statuses []string
	for _, r := range runs {
		statuses = append(statuses, r.Status)
	}
	if want := []string{state.StatusInterrupted, state.StatusFailed, state.StatusOK}; !slices.Equal(statuses, want) {
		t.Fatalf("run history %v, want %v", statuses, want)
	}
}

// max_delete judges each watch pass on its own, against the files the pair
// had when the pass started, as a full pass does: deletions spread over
// several passes do not add up, and a refusal emits refused with the
// command that proceeds.
func TestWatchPassDeleteGuard(t *testing.T) {
	f := newFixture(t)
	for i := range 10 {
		f.write(t, fmt.Sprintf("f%d.txt", i), []byte{byte(i)})
	}
	var log eventLog
	s := f.syncer(t, func(o *Options) {
		o.Delete = planner.Propagate
		o.MaxDelete = planner.MaxDelete{Percent: 50}
		o.RunCommand = "ks3sync --config /etc/ks3sync.yaml run --pair p"
		o.Report = log.report
	})
	if _, err := s.Run(t.Context(), "run"); err != nil {
		t.Fatal(err)
	}
	remove := func(names ...string) []string {
		for _, n := range names {
			os.Remove(filepath.Join(f.root, n))
		}
		return names
	}
	if _, err := s.RunPaths(t.Context(), remove("f0.txt", "f1.txt", "f2.txt")); err != nil {
		t.Fatalf("3 of 10 deleted: %v", err)
	}
	if _, err := s.RunPaths(t.Context(), remove("f3.txt", "f4.txt", "f5.txt")); err != nil {
		t.Fatalf("3 of 7 deleted: %v", err)
	}
	log.reset()
	res, err := s.RunPaths(t.Context(), remove("f6.txt", "f7.txt", "f8.txt"))
	var ge *planner.GuardError
	var re *RefusedError
	if !errors.As(err, &ge) || ge.Deletes != 3 || ge.Files != 4 || !errors.As(err, &re) {
		t.Fatalf("3 of 4 deleted: err = %v, want a refusal for 3 of 4", err)
	}
	const proceed = "ks3sync --config /etc/ks3sync.yaml run --pair p --max-delete 3"
	if res.Outcome != OutcomeRefused || re.Proceed != proceed || !strings.Contains(err.Error(), proceed) {
		t.Fatalf("refusal: outcome %v, error %q", res.Outcome, err)
	}
	if got, want := log.kinds(), []EventKind{EventPassStart, EventRefused, EventPassEnd}; !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	g := log.last(EventRefused).Guard
	if g == nil || *g != (GuardInfo{Name: "max_delete", Side: "remote", Deletes: 3, Files: 4, Limit: "50%", Proceed: proceed}) {
		t.Fatalf("refused event guard = %+v", g)
	}
	if len(f.store.objects) != 4 {
		t.Errorf("%d objects left, want 4", len(f.store.objects))
	}
}

// The JSON of an event has snake_case keys and durations in seconds.
func TestEventJSON(t *testing.T) {
	ev := Event{Kind: EventPassEnd, Pair: "p", Outcome: OutcomePartial, Duration: 1.5, ErrorKind: KindAuth,
		Counts: &state.RunCounts{Uploaded: 2, Failed: 1, Bytes: 10}}
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"event":"pass-end"`, `"outcome":"partial"`, `"duration_seconds":1.5`, `"error_kind":"auth"`,
		`"counts":{"uploaded":2,"downloaded":0,"deleted":0,"skipped":0,"failed":1,"conflicts":0,"bytes":10}`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %s", b, want)
		}
	}
}

func TestErrorKind(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("list: %w", &ks3.Error{StatusCode: 403, Code: "SignatureDoesNotMatch"}), KindAuth},
		{&ks3.Error{StatusCode: 401}, KindAuth},
		{&ks3.Error{StatusCode: 404, Code: "NoSuchBucket"}, KindNotFound},
		{&ks3.Error{StatusCode: 503, Code: "SlowDown"}, KindServer},
		{&ks3.Error{StatusCode: 400, Code: "InvalidArgument"}, KindRequest},
		{fmt.Errorf("put: %w", &net.OpError{Op: "dial", Err: errors.New("refused")}), KindNetwork},
		{context.DeadlineExceeded, KindNetwork},
		{&fs.PathError{Op: "open", Path: "x", Err: fs.ErrPermission}, KindLocal},
		{fmt.Errorf("%w: changed", errRetryLater), KindChanged},
		{&planner.GuardError{}, KindGuard},
		{fmt.Errorf("/mnt/usb: %w", ErrLocalRootMissing), KindNoFolder},
		{&ks3.CircuitOpenError{Last: &net.OpError{Op: "dial", Err: errors.New("refused")}}, KindNetwork},
		{errors.New("odd"), KindOther},
	} {
		if got := ErrorKind(tc.err); got != tc.want {
			t.Errorf("ErrorKind(%v) = %s, want %s", tc.err, got, tc.want)
		}
	}
}

// A multipart upload reports its parts as they reach the server: first the
// count already there, then one event per acknowledged part, up to all.
func TestPartsEvents(t *testing.T) {
	f := newFixture(t)
	f.write(t, "big.bin", randomBytes(3, 350<<10)) // 4 parts of 100 KiB
	var log eventLog
	s := f.syncer(t, func(o *Options) { o.Report = log.report })
	if _, err := s.Run(t.Context(), "run"); err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, ev := range log.evs {
		if ev.Kind != EventParts {
			continue
		}
		if ev.Path != "big.bin" || ev.Key != "pre/big.bin" || ev.PartCount != 4 {
			t.Fatalf("parts event %+v", ev)
		}
		got = append(got, ev.Parts)
	}
	slices.Sort(got) // parts go in parallel
	if want := []int{0, 1, 2, 3, 4}; !slices.Equal(got, want) {
		t.Fatalf("parts events %v, want %v", got, want)
	}
}
