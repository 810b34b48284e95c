package hotpath

import (
	"testing"

	"github.com/ks3sync/ks3sync/ks3"
)

// BenchmarkListObjectsPage fetches and parses one full 1000-key listing
// page from a loopback server. The keys/s metric is what one listing
// stream reaches; a full pass lists up to four folders of the prefix at
// once (syncer's listConcurrency), each its own stream.
func BenchmarkListObjectsPage(b *testing.B) {
	page := listingPage(pageKeys)
	c := newFakeServer(b, page)
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := c.ListObjects(b.Context(), "bench", ks3.ListObjectsOptions{Prefix: "data/"})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Objects) != pageKeys {
			b.Fatalf("parsed %d objects, want %d", len(res.Objects), pageKeys)
		}
	}
	b.ReportMetric(float64(pageKeys*b.N)/b.Elapsed().Seconds(), "keys/s")
}
