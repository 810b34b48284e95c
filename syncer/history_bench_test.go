package syncer

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/history"
	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/ks3server/handlers"
	"github.com/ks3sync/ks3sync/ks3server/ks3servertest"
	"github.com/ks3sync/ks3sync/planner"
	"github.com/ks3sync/ks3sync/state"
)

// BenchmarkRewritePass measures a push pass over 10,000 files (1–64 KiB)
// that were all rewritten since the last pass, against the ks3sync server
// on loopback, with history off and on. With history on, every upload is
// preceded by a HEAD and a server-side copy of the object it replaces, and
// the pass ends with bounded retention. Requests per pass are reported by
// operation.
//
//	go test ./syncer -run XXX -bench RewritePass -benchtime 3x
func BenchmarkRewritePass(b *testing.B) {
	const files = 10_000
	for _, keep := range []time.Duration{0, 30 * 24 * time.Hour} {
		b.Run(fmt.Sprintf("history=%v", keep > 0), func(b *testing.B) {
			srv := ks3servertest.Start(b)
			client, err := ks3.New(ks3.Options{Endpoint: srv.URL, AccessKey: ks3servertest.AccessKey, SecretKey: ks3servertest.SecretKey})
			if err != nil {
				b.Fatal(err)
			}
			if err := client.CreateBucket(b.Context(), "bench", ks3.CreateBucketOptions{}); err != nil {
				b.Fatal(err)
			}
			db, err := state.Open(filepath.Join(b.TempDir(), "state.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			root := b.TempDir()
			s, err := New(client, db, Options{Pair: "bench", Root: root, Bucket: "bench", Prefix: "p/",
				Direction: planner.Push, History: history.Policy{Keep: keep}})
			if err != nil {
				b.Fatal(err)
			}
			writeBenchTree(b, root, files, 0)
			if _, err := s.Run(b.Context(), "run"); err != nil {
				b.Fatal(err)
			}
			var totals map[string]int64
			b.ResetTimer()
			for i := range b.N {
				b.StopTimer()
				writeBenchTree(b, root, files, i+1)
				srv.ResetStats()
				b.StartTimer()
				res, err := s.Run(b.Context(), "run")
				if err != nil || res.Counts.Uploaded != files || res.Counts.Failed != 0 {
					b.Fatalf("rewrite pass: %+v, %v", res.Counts, err)
				}
				b.StopTimer()
				totals = addStats(totals, srv.Stats())
				b.StartTimer()
			}
			reportRequests(b, totals)
		})
	}
}

// writeBenchTree writes n files of 1–64 KiB in 100 folders; round makes
// every file's content differ from the previous round's.
func writeBenchTree(b *testing.B, root string, n, round int) {
	b.Helper()
	for i := range n {
		p := filepath.Join(root, fmt.Sprintf("d%02d", i%100), fmt.Sprintf("f%05d.bin", i))
		if round == 0 {
			os.MkdirAll(filepath.Dir(p), 0o755)
		}
		data := randomBytes(uint64(i)<<8|uint64(round), 1<<10+(i*7919)%(63<<10))
		if err := os.WriteFile(p, data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
}

func addStats(totals map[string]int64, st handlers.Stats) map[string]int64 {
	if totals == nil {
		totals = map[string]int64{}
	}
	for op, n := range st.Requests {
		totals[op] += n
		totals["all"] += n
	}
	totals["bytes-in"] += st.BytesIn
	totals["bytes-out"] += st.BytesOut
	return totals
}

// reportRequests reports requests per pass (all of them, and those of the
// operations a rewrite pass sends) and the body bytes the server read and
// wrote: server-side copies add requests, not bytes.
func reportRequests(b *testing.B, totals map[string]int64) {
	for _, op := range []string{"all", handlers.OpPutObject, handlers.OpHeadObject, handlers.OpCopyObject, handlers.OpListObjects, handlers.OpDeleteObjects} {
		b.ReportMetric(float64(totals[op])/float64(b.N), op+"/pass")
	}
	b.ReportMetric(float64(totals["bytes-in"])/float64(b.N)/1e6, "MB-in/pass")
	b.ReportMetric(float64(totals["bytes-out"])/float64(b.N)/1e6, "MB-out/pass")
}
