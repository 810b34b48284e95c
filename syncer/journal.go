package syncer

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ks3sync/ks3sync/history"
	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/planner"
)

// The change journal lets the devices of one prefix find each other's
// changes at a cost that does not grow with the tree. After a pass that
// wrote to the bucket, ks3sync adds one small object
//
//	<prefix>.ks3sync/journal/<time>_<device>_<seq>
//
// (<time> UTC, fixed width, nanoseconds, so keys sort in time order) whose
// body lists the names (keys without the prefix) the pass uploaded,
// refreshed or deleted, one a line. Another device polls with one listing
// request after a marker (PollJournal) and syncs just those names; when
// nothing changed, the poll is that one request. Changes made by other
// tools are not journaled: the full rescan finds them.
const journalDir = "journal"

// journalStamp is the <time> of a journal key.
const journalStamp = "20060102T150405.000000000Z"

// Journal timing: a poll lists from journalLag before the newest entry it
// saw (so an entry from a device whose clock is behind, or that a listing
// showed late, is still found; entries already read are skipped), and
// entries older than journalKeep are deleted by full passes. A device that
// was away longer than that catches up with its own full pass at start.
const (
	journalLag  = 2 * time.Minute
	journalKeep = 24 * time.Hour
)

// journalSeq numbers the entries of this process, so that two passes in
// one nanosecond do not share a key.
var journalSeq atomic.Uint64

// journalRoot is the key prefix of the pair's journal.
func (s *Syncer) journalRoot() string {
	return planner.ReservedPrefix(s.opts.Prefix) + journalDir + "/"
}

// journalKey is the key of an entry written at t.
func (s *Syncer) journalKey(t time.Time) string {
	return s.journalRoot() + t.UTC().Format(journalStamp) + "_" + history.HostName(s.opts.Host) + "_" + strconv.FormatUint(journalSeq.Add(1), 10)
}

// parseJournalKey returns the time and device of a journal key.
func (s *Syncer) parseJournalKey(key string) (time.Time, string, bool) {
	rest, ok := strings.CutPrefix(key, s.journalRoot())
	parts := strings.Split(rest, "_")
	if !ok || len(parts) != 3 {
		return time.Time{}, "", false
	}
	t, err := time.Parse(journalStamp, parts[0])
	return t, parts[1], err == nil
}

// journals reports whether the pair's passes write the change journal:
// with Journal on, outside a dry run, for the directions that write to
// the bucket.
func (s *Syncer) journals() bool {
	return s.opts.Journal && !s.opts.DryRun && s.opts.Direction != planner.Pull
}

// journalNames are the names (keys without the prefix) that a plan writes
// to or deletes from the bucket.
func (s *Syncer) journalNames(plan *planner.Result) []string {
	var names []string
	for _, a := range plan.Actions {
		switch a.Kind {
		case planner.Upload, planner.DeleteRemote, planner.RefreshMTime:
			names = append(names, strings.TrimPrefix(a.Key, s.opts.Prefix))
		}
	}
	return names
}

// beginJournal records, before a plan runs, the names it is about to
// change (state.DB.AddOutbox), so that a process killed before the
// journal entry is stored journals them in its next pass. It returns the
// names when they could not be recorded: appendJournal then lists them
// directly.
func (s *Syncer) beginJournal(ctx context.Context, plan *planner.Result) []string {
	if !s.journals() {
		return nil
	}
	names := s.journalNames(plan)
	if len(names) == 0 {
		return nil
	}
	if _, err := s.db.AddOutbox(ctx, s.opts.Pair, names, s.opts.Now()); err != nil {
		s.log.Warn().Err(err).Msg("record the names for the change journal")
		return names
	}
	return nil
}

// appendJournal stores one journal entry with the names of the pair's
// outbox (this pass's, and those a killed pass left) and unrecorded, for
// the other devices' polls, then drops the records it listed. A failure
// is reported as a warning and the records stay for the next pass; the
// other devices meanwhile find the changes with their full rescan.
func (s *Syncer) appendJournal(ctx context.Context, unrecorded []string) {
	if !s.journals() {
		return
	}
	ctx = context.WithoutCancel(ctx)
	pending, err := s.db.PendingOutbox(ctx, s.opts.Pair)
	if err != nil {
		s.log.Warn().Err(err).Msg("read the names for the change journal")
	}
	seen := map[string]bool{}
	var body bytes.Buffer
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			body.WriteString(n)
			body.WriteByte('\n')
		}
	}
	ids := make([]int64, 0, len(pending))
	for _, o := range pending {
		ids = append(ids, o.ID)
		for _, n := range o.Names {
			add(n)
		}
	}
	for _, n := range unrecorded {
		add(n)
	}
	if body.Len() == 0 {
		return
	}
	key := s.journalKey(s.opts.Now())
	_, err = s.store.PutObject(ctx, s.opts.Bucket, key, bytes.NewReader(body.Bytes()), int64(body.Len()),
		ks3.PutOptions{ContentType: "text/plain", ACL: "private"})
	if err != nil {
		msg := fmt.Sprintf("change journal: %v; other devices find these changes with their full rescan", err)
		s.log.Warn().Msg(msg)
		s.emit(Event{Kind: EventWarning, Reason: msg})
		return
	}
	if err := s.db.DropOutbox(ctx, s.opts.Pair, ids...); err != nil {
		s.log.Warn().Err(err).Msg("drop the names the change journal lists")
	}
}

// JournalCursor is where a device's polls of the journal stand. The zero
// value starts at the first poll's time less the lag.
type JournalCursor struct {
	newest time.Time
	seen   map[string]bool // keys read within the lag window
}

// PollResult is what one poll of the journal found.
type PollResult struct {
	// Paths are the local paths other devices changed, for a pass over
	// them (RunPaths).
	Paths []string
	// Entries is how many new journal entries of other devices were read;
	// Requests how many requests the poll made.
	Entries, Requests int
}

// PollJournal lists the journal after the cursor and returns the paths
// that entries of other devices name. It makes one listing request per
// thousand entries since the marker (one when nothing changed) and one GET
// per new entry of another device. Names that have no safe local path are
// left to the full pass, which reports them.
func (s *Syncer) PollJournal(ctx context.Context, c *JournalCursor) (PollResult, error) {
	var res PollResult
	if c.seen == nil {
		c.seen = map[string]bool{}
		c.newest = s.opts.Now()
	}
	from := c.newest.Add(-journalLag)
	marker := s.journalRoot() + from.UTC().Format(journalStamp)
	own := history.HostName(s.opts.Host)
	var fresh []string
	listed := 0
	for item, err := range s.store.Walk(ctx, s.opts.Bucket, ks3.ListObjectsOptions{Prefix: s.journalRoot(), Marker: marker}) {
		if err != nil {
			return res, fmt.Errorf("list the change journal: %w", err)
		}
		listed++
		key := item.Object.Key
		t, dev, ok := s.parseJournalKey(key)
		if !ok || c.seen[key] {
			continue
		}
		c.seen[key] = true
		if t.After(c.newest) {
			c.newest = t
		}
		if dev != own {
			fresh = append(fresh, key)
		}
	}
	res.Requests = 1 + listed/1000 // listing pages of up to 1000 keys
	for key := range c.seen {
		if t, _, _ := s.parseJournalKey(key); t.Before(c.newest.Add(-journalLag)) {
			delete(c.seen, key)
		}
	}
	paths := map[string]bool{}
	for _, key := range fresh {
		res.Requests++
		names, err := s.readJournal(ctx, key)
		if err != nil {
			return res, err
		}
		res.Entries++
		for _, n := range names {
			if p, err := s.pathFor(s.opts.Prefix + n); err == nil && !planner.IsReserved(p) {
				paths[p] = true
			}
		}
	}
	for p := range paths {
		res.Paths = append(res.Paths, p)
	}
	return res, nil
}

// readJournal reads the names of one journal entry; an entry deleted by
// retention meanwhile has none.
func (s *Syncer) readJournal(ctx context.Context, key string) ([]string, error) {
	obj, err := s.store.GetObject(ctx, s.opts.Bucket, key, ks3.GetOptions{})
	if ks3.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the change journal: %w", err)
	}
	defer obj.Body.Close()
	data, err := io.ReadAll(io.LimitReader(obj.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("read the change journal ks3://%s/%s: %w", s.opts.Bucket, key, err)
	}
	return strings.FieldsFunc(string(data), func(r rune) bool { return r == '\n' }), nil
}

// pruneJournal deletes the journal entries older than journalKeep, of any
// device, at most a thousand per full pass. Failures are reported as
// warnings: an old entry costs only a little listing.
func (s *Syncer) pruneJournal(ctx context.Context) {
	if !s.journals() {
		return
	}
	cutoff := s.opts.Now().Add(-journalKeep)
	var old []string
	for item, err := range s.store.Walk(ctx, s.opts.Bucket, ks3.ListObjectsOptions{Prefix: s.journalRoot(), MaxKeys: 1000}) {
		if err != nil {
			s.log.Warn().Err(err).Msg("list the change journal for retention")
			return
		}
		t, _, ok := s.parseJournalKey(item.Object.Key)
		if !ok {
			continue
		}
		if !t.Before(cutoff) || len(old) == 1000 {
			break
		}
		old = append(old, item.Object.Key)
	}
	if len(old) == 0 {
		return
	}
	if _, err := s.store.DeleteObjects(ctx, s.opts.Bucket, old); err != nil {
		s.log.Warn().Err(err).Msg("delete old change journal entries")
	}
}
