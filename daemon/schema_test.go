package daemon_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
	"github.com/ks3sync/ks3sync/daemon"
	"github.com/ks3sync/ks3sync/history"
	"github.com/ks3sync/ks3sync/planner"
	"github.com/ks3sync/ks3sync/syncer"
	"github.com/ks3sync/ks3sync/watcher"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// statusGolden is the status document with every field present; the e2e
// tests check the real daemon's document against its shape.
const statusGolden = "testdata/status.golden.json"

// The status document, pinned by a golden file in which every field
// appears: two pairs, one paused after a partial pass and a refusal, the
// other with a multipart upload in flight. Times are written relative to
// the daemon's start. Every field is documented in the README.
func TestStatusDocument(t *testing.T) {
	var doc []byte
	synctest.Test(t, func(t *testing.T) {
		raw, t0 := richStatus(t)
		doc = normalise(t, raw, t0)
	})
	if *update {
		if err := os.WriteFile(statusGolden, doc, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(statusGolden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(doc, want) {
		t.Fatalf("the status document differs from %s (go test ./daemon -run TestStatusDocument -update to accept):\n%s", statusGolden, doc)
	}
	checkDocumented(t, doc)
}

// richStatus runs a daemon of two pairs to a state that fills every field
// of the status document, and returns the document and the start time.
func richStatus(t *testing.T) ([]byte, time.Time) {
	h := newHarness(t)
	c := withControl(h)
	var key ks3crypto.Key
	h.sync.opts.Direction, h.sync.opts.Root, h.sync.opts.Bucket, h.sync.opts.Prefix, h.sync.opts.Key = "push", "/data/docs", "bkt", "docs/", &key
	h.sync.opts.History = history.Policy{Keep: 30 * 24 * time.Hour, Versions: 3}
	photos, photoSrc := newFakeSyncer(t, "photos"), newFeeder()
	photos.opts.Direction, photos.opts.Root, photos.opts.Bucket = "both", "/data/photos", "media"
	h.opts.Pairs = append(h.opts.Pairs, daemon.Pair{Syncer: photos, Source: photoSrc})
	h.sync.onFull(docsPass(h.observer()))
	h.sync.onPaths(refusedPass(h.observer()))
	photos.onFull(photosPass(h.opts.Monitor))
	h.start()
	h.rescan()
	h.advance(3 * time.Second)
	h.change("old/a.txt")
	if err := c.Pause(pairName); err != nil {
		t.Fatal(err)
	}
	photoSrc.in <- watcher.Batch{Rescan: true}
	h.advance(5 * time.Second)
	b, err := json.Marshal(h.opts.Monitor.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	return b, h.t0
}

// docsPass is a full pass that uploads, deletes, keeps a conflict and fails
// an item.
func docsPass(ev func(syncer.Event)) passFunc {
	return func(context.Context, call) (*syncer.Result, error) {
		ev(syncer.Event{Kind: syncer.EventStart, Action: "upload", Path: "report.pdf", Size: 2048})
		ev(syncer.Event{Kind: syncer.EventBytes, Path: "report.pdf", Bytes: 2048})
		time.Sleep(2 * time.Second)
		ev(syncer.Event{Kind: syncer.EventUpload, Path: "report.pdf", Size: 2048, Duration: 2, Reason: "new file"})
		ev(syncer.Event{Kind: syncer.EventDeleteRemote, Path: "old/b.txt", Reason: "deleted locally"})
		ev(syncer.Event{Kind: syncer.EventConflict, Path: "notes.txt", Size: 12, Duration: 0.5, Reason: "changed on both sides"})
		ev(syncer.Event{Kind: syncer.EventError, Action: "upload", Path: "locked.db", ErrorKind: syncer.KindLocal,
			Error: "open locked.db: permission denied"})
		res := &syncer.Result{Outcome: syncer.OutcomePartial, FailedPaths: []string{"locked.db"}}
		res.Counts.Uploaded, res.Counts.Deleted, res.Counts.Conflicts, res.Counts.Failed, res.Counts.Bytes = 1, 1, 1, 1, 2060
		return res, nil
	}
}

// refusedPass is a pass the max_delete guard refuses.
func refusedPass(ev func(syncer.Event)) passFunc {
	const proceed = "ks3sync run --pair docs --max-delete 4"
	return func(context.Context, call) (*syncer.Result, error) {
		ev(syncer.Event{Kind: syncer.EventRefused, Error: "refusing to delete 4 of 5 files (max_delete 50%)", ErrorKind: syncer.KindGuard,
			Guard: &syncer.GuardInfo{Name: "max_delete", Side: "remote", Deletes: 4, Files: 5, Limit: "50%", Proceed: proceed}})
		return &syncer.Result{Outcome: syncer.OutcomeRefused}, &syncer.RefusedError{Proceed: proceed,
			Guard: &planner.GuardError{Deletes: 4, Files: 5, Limit: planner.MaxDelete{Percent: 50}, Side: planner.SideRemote}}
	}
}

// photosPass sends a multipart upload at 1 MiB/s and never ends.
func photosPass(m *daemon.Monitor) passFunc {
	return func(ctx context.Context, _ call) (*syncer.Result, error) {
		ev := func(e syncer.Event) { e.Pair, e.Time = "photos", time.Now(); m.Observe(e) }
		ev(syncer.Event{Kind: syncer.EventStart, Action: "upload", Path: "raw/IMG_0001.CR2", Size: 20 << 20})
		ev(syncer.Event{Kind: syncer.EventParts, Path: "raw/IMG_0001.CR2", Parts: 0, PartCount: 4})
		for range 4 {
			time.Sleep(time.Second)
			ev(syncer.Event{Kind: syncer.EventBytes, Path: "raw/IMG_0001.CR2", Bytes: 1 << 20})
		}
		ev(syncer.Event{Kind: syncer.EventParts, Path: "raw/IMG_0001.CR2", Parts: 1, PartCount: 4})
		<-ctx.Done()
		return nil, ctx.Err()
	}
}

// normalise indents the document, writes its times as offsets from the
// start ("t0+1m5s") and keeps the last three intervals of the throughput.
func normalise(t *testing.T, doc []byte, t0 time.Time) []byte {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatal(err)
	}
	tp := v["throughput"].(map[string]any)
	for _, k := range []string{"up_bytes", "down_bytes"} {
		s := tp[k].([]any)
		if len(s) != 360 {
			t.Fatalf("throughput.%s has %d intervals, want 360", k, len(s))
		}
		tp[k] = s[len(s)-3:]
	}
	v = relTimes(v, t0).(map[string]any)
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(out, '\n')
}

// relTimes replaces the RFC 3339 times in v by offsets from t0.
func relTimes(v any, t0 time.Time) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = relTimes(e, t0)
		}
	case []any:
		for i, e := range x {
			x[i] = relTimes(e, t0)
		}
	case string:
		if at, err := time.Parse(time.RFC3339Nano, x); err == nil {
			return "t0+" + at.Sub(t0).String()
		}
	}
	return v
}

// dynamicKeys are objects whose keys are values (outcomes, error kinds),
// not fields.
var dynamicKeys = []string{"passes", "transfer_errors"}

// fieldNames returns the names of the fields of every object in v.
func fieldNames(v any, out map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			out[k] = true
			if !slices.Contains(dynamicKeys, k) {
				fieldNames(e, out)
			}
		}
	case []any:
		for _, e := range x {
			fieldNames(e, out)
		}
	}
}

// checkDocumented checks that the README's section on the status document
// names every field of doc in backquotes.
func checkDocumented(t *testing.T, doc []byte) {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)\n#### The status document\n(.*?)\n###? `).FindSubmatch(readme)
	if m == nil {
		t.Fatal(`README.md has no "#### The status document" section`)
	}
	var v any
	json.Unmarshal(doc, &v)
	names := map[string]bool{}
	fieldNames(v, names)
	for _, k := range slices.Sorted(maps.Keys(names)) {
		if !strings.Contains(string(m[1]), "`"+k+"`") {
			t.Errorf("README.md does not document the status field %q", k)
		}
	}
}
