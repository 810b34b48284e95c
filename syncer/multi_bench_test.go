package syncer

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/ks3server/handlers"
	"github.com/ks3sync/ks3sync/ks3server/ks3servertest"
	"github.com/ks3sync/ks3sync/planner"
	"github.com/ks3sync/ks3sync/state"
)

// BenchmarkIdlePoll measures what one poll of the change journal costs
// when nothing changed since the last one, against the ks3sync server on
// loopback, over a prefix that holds 1,000 and 100,000 objects and three
// journal entries of another device written a moment ago (still inside
// the poll's look-back). The tree is never listed: the cost must not grow
// with it.
//
//	go test ./syncer -run XXX -bench IdlePoll -benchtime 100x
func BenchmarkIdlePoll(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("objects=%d", n), func(b *testing.B) {
			srv := ks3servertest.Start(b)
			client, err := ks3.New(ks3.Options{Endpoint: srv.URL, AccessKey: ks3servertest.AccessKey, SecretKey: ks3servertest.SecretKey})
			if err != nil {
				b.Fatal(err)
			}
			if err := client.CreateBucket(b.Context(), "bench", ks3.CreateBucketOptions{}); err != nil {
				b.Fatal(err)
			}
			seed := b.TempDir()
			for i := range n {
				p := filepath.Join(seed, "p", fmt.Sprintf("d%03d", i%1000), fmt.Sprintf("f%06d.txt", i))
				if i < 1000 {
					os.MkdirAll(filepath.Dir(p), 0o755)
				}
				if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := srv.Import(b.Context(), "bench", seed); err != nil {
				b.Fatal(err)
			}
			other := benchDevice(b, client, "laptop", planner.Push)
			for i := range 3 {
				os.WriteFile(filepath.Join(other.opts.Root, fmt.Sprintf("new%d.txt", i)), []byte("n"), 0o644)
				if _, err := other.Run(b.Context(), "run"); err != nil {
					b.Fatal(err)
				}
			}
			s := benchDevice(b, client, "server", planner.Pull)
			var c JournalCursor
			if res, err := s.PollJournal(b.Context(), &c); err != nil || res.Entries != 3 {
				b.Fatalf("first poll: %+v, %v; want the 3 entries", res, err)
			}
			srv.ResetStats()
			b.ResetTimer()
			for range b.N {
				res, err := s.PollJournal(b.Context(), &c)
				if err != nil || res.Entries != 0 || len(res.Paths) != 0 {
					b.Fatalf("idle poll: %+v, %v", res, err)
				}
			}
			b.StopTimer()
			st := srv.Stats()
			var all int64
			for _, k := range st.Requests {
				all += k
			}
			b.ReportMetric(float64(all)/float64(b.N), "requests/poll")
			b.ReportMetric(float64(st.Requests[handlers.OpListObjects])/float64(b.N), "LIST/poll")
			b.ReportMetric(float64(st.BytesOut)/float64(b.N), "bytes-out/poll")
		})
	}
}

// benchDevice is a syncer of a new folder on prefix p/ of bucket bench,
// with the journal on, as run and watch have it.
func benchDevice(b *testing.B, client *ks3.Client, host string, dir planner.Direction) *Syncer {
	b.Helper()
	db, err := state.Open(filepath.Join(b.TempDir(), "state.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	s, err := New(client, db, Options{Pair: "bench", Root: b.TempDir(), Bucket: "bench", Prefix: "p/",
		Direction: dir, Host: host, Journal: true})
	if err != nil {
		b.Fatal(err)
	}
	return s
}
