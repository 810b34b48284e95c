//go:build linux

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/ks3server/ks3servertest"
)

// TestChaosServerKill SIGKILLs `ks3sync serve` (durable, the default) while
// clients write and delete objects, restarts it on the same folder, and
// checks every key: each must hold what its last acknowledged write left,
// or what the one write in flight at the kill would have left.
func TestChaosServerKill(t *testing.T) {
	e := newEnv(t)
	rng := testRand(t)
	srv := startServeProc(t, e, nil, "--root", filepath.Join(e.dir, "store"))
	c := loadClient(t, srv.url())
	if err := c.CreateBucket(context.Background(), "load", ks3.CreateBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	keys := newKeyStates(4, 12)
	acked := 0
	for round := 1; round <= campaignScale().serverKills; round++ {
		acked += loadUntilKilled(t, rng, c, keys, srv)
		srv.start()
		checked, intact := keys.verify(t, c, round)
		figures.add(rowServerKill, checked, intact)
	}
	figures.note(rowServerKill, "%d writes acknowledged over %d SIGKILLs of the server", acked, campaignScale().serverKills)
}

// loadClient is a client that never retries and has no circuit breaker:
// an error is a write the server did not acknowledge, and the first
// request after a restart is sent (a breaker opened by the writes that
// failed at the kill would refuse it).
func loadClient(t *testing.T, url string) *ks3.Client {
	t.Helper()
	c, err := ks3.New(ks3.Options{
		Endpoint: url, AccessKey: ks3servertest.AccessKey, SecretKey: ks3servertest.SecretKey,
		UserAgent: "ks3sync-campaign-load", Retry: ks3.RetryPolicy{MaxAttempts: 1, Budget: -1}, Breaker: ks3.BreakerPolicy{Window: -1},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// keyState is what one key must hold: the content (MD5, "" for no object)
// its last acknowledged write left, and that of a write in flight.
type keyState struct {
	acked    string
	inFlight *string
}

// keyStates are the keys of the load, owned by workers: worker w writes
// only the keys of keys[w], one write at a time.
type keyStates [][]keyState

func newKeyStates(workers, perWorker int) keyStates {
	ks := make(keyStates, workers)
	for w := range ks {
		ks[w] = make([]keyState, perWorker)
	}
	return ks
}

func loadKey(w, i int) string { return fmt.Sprintf("w%d/k%02d", w, i) }

// loadUntilKilled writes with one goroutine per worker until the server is
// killed at a random moment, and returns the number of acknowledged writes.
func loadUntilKilled(t *testing.T, rng *rand.Rand, c *ks3.Client, keys keyStates, srv *serveProc) int {
	t.Helper()
	var wg sync.WaitGroup
	counts := make([]int, len(keys))
	for w := range keys {
		seed := rng.Uint64()
		wg.Go(func() { counts[w] = writeUntilError(c, rand.New(rand.NewPCG(seed, uint64(w))), w, keys[w]) })
	}
	time.Sleep(300*time.Millisecond + time.Duration(rng.Int64N(int64(1200*time.Millisecond))))
	srv.kill()
	wg.Wait()
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

// writeUntilError puts and deletes w's keys until a request fails, which
// leaves that write in flight. Some puts are multipart.
func writeUntilError(c *ks3.Client, rng *rand.Rand, w int, keys []keyState) int {
	ctx := context.Background()
	for n := 0; ; n++ {
		i := rng.IntN(len(keys))
		key := loadKey(w, i)
		var want string
		var err error
		switch op := rng.IntN(10); {
		case op == 0:
			err = c.DeleteObject(ctx, "load", key)
		default:
			size := 1 + rng.IntN(200<<10)
			if op == 1 {
				size = 600<<10 + rng.IntN(900<<10)
			}
			data := pseudoRandom(rng.Uint64(), size)
			want = md5hex(data)
			opts := ks3.UploadOptions{Threshold: 256 << 10, PartSize: 128 << 10, Concurrency: 2}
			_, err = c.Put(ctx, "load", key, bytes.NewReader(data), int64(size), opts)
		}
		if err != nil {
			keys[i].inFlight = &want
			return n
		}
		keys[i].acked = want
	}
}

// verify reads every key from the restarted server and returns how many
// were checked and how many held an allowed state; each key's state
// becomes what it holds now.
func (ks keyStates) verify(t *testing.T, c *ks3.Client, round int) (checked, intact int) {
	t.Helper()
	for w := range ks {
		for i := range ks[w] {
			st := &ks[w][i]
			got := readState(t, c, loadKey(w, i))
			checked++
			if got == st.acked || (st.inFlight != nil && got == *st.inFlight) {
				intact++
			} else {
				t.Errorf("round %d: %s holds %q; acknowledged %q, in flight %v", round, loadKey(w, i), got, st.acked, st.inFlight)
			}
			st.acked, st.inFlight = got, nil
		}
	}
	return checked, intact
}

// readState returns the MD5 of the object at key, "" when there is none.
func readState(t *testing.T, c *ks3.Client, key string) string {
	t.Helper()
	var obj *ks3.Object
	var err error
	for range 50 { // the server may still be starting
		if obj, err = c.GetObject(context.Background(), "load", key, ks3.GetOptions{}); err == nil || ks3.IsNotFound(err) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if ks3.IsNotFound(err) {
		return ""
	}
	if err != nil {
		t.Fatalf("get %s after the restart: %v", key, err)
	}
	defer obj.Body.Close()
	data, err := io.ReadAll(obj.Body)
	if err != nil {
		t.Fatalf("read %s after the restart: %v", key, err)
	}
	return md5hex(data)
}
