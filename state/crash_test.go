package state

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// crashWriterEnv, when set to a database path, turns the test binary into
// the writer that TestCrashConsistency kills.
const crashWriterEnv = "KS3SYNC_STATE_CRASH_WRITER"

func TestMain(m *testing.M) {
	if path := os.Getenv(crashWriterEnv); path != "" {
		if err := crashWriter(context.Background(), path, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

const (
	crashPair     = "crash"
	crashUpload   = "crash-upload"
	crashRows     = 200 // base rows per batch, plus one progress row
	crashProgress = "progress"
)

// crashBatchPath is the path of row j of batch i.
func crashBatchPath(i, j int) string { return fmt.Sprintf("b%06d/f%03d", i, j) }

// crashWriter writes batches until it is killed. Batch i is one transaction
// of crashRows new base rows and an update of the progress row to i; then
// part i+1 of an upload is checkpointed and path d<i> marked dirty, and only
// then is i printed. A restarted writer first redoes the part and the mark
// of the last committed batch, as a real restart would.
func crashWriter(ctx context.Context, path string, out io.Writer) error {
	db, err := Open(path)
	if err != nil {
		return err
	}
	defer db.Close()
	last, err := crashLastBatch(ctx, db)
	if err != nil {
		return err
	}
	u := sampleUpload(crashPair, "big", crashUpload)
	if err := db.SaveUpload(ctx, u); err != nil {
		return err
	}
	if last >= 0 {
		if err := crashAfterBatch(ctx, db, last); err != nil {
			return err
		}
	}
	for i := last + 1; i < 10000; i++ {
		b := db.NewBaseBatch(ctx, crashRows+1)
		for j := range crashRows {
			if err := b.Put(sampleBase(crashPair, crashBatchPath(i, j), j)); err != nil {
				return err
			}
		}
		progress := sampleBase(crashPair, crashProgress, 0)
		progress.LocalSize = int64(i)
		if err := b.Put(progress); err != nil {
			return err
		}
		if err := b.Flush(); err != nil { // a no-op: the last Put filled and wrote the buffer
			return err
		}
		if err := crashAfterBatch(ctx, db, i); err != nil {
			return err
		}
		fmt.Fprintln(out, i)
	}
	return nil
}

func crashAfterBatch(ctx context.Context, db *DB, i int) error {
	if err := db.AddPart(ctx, crashUpload, UploadPart{Number: i + 1, Size: 1, ETag: "e", Chain: block(byte(i))}); err != nil {
		return err
	}
	return db.MarkDirty(ctx, crashPair, t0, fmt.Sprintf("d%06d", i))
}

// crashLastBatch returns the number of the last committed batch, or -1.
func crashLastBatch(ctx context.Context, db *DB) (int, error) {
	e, ok, err := db.GetBase(ctx, crashPair, crashProgress)
	if err != nil || !ok {
		return -1, err
	}
	return int(e.LocalSize), nil
}

// TestCrashConsistency kills a writer process with SIGKILL at random moments
// and checks, after each kill, that the database is intact, that every batch
// is either fully present or absent, and that nothing the writer reported as
// committed was lost.
func TestCrashConsistency(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	last := -1
	for round := range 5 {
		reported := runAndKill(t, path, 2+rng.IntN(10), time.Duration(rng.IntN(3000))*time.Microsecond)
		got := checkCrashInvariants(t, path)
		if reported > got {
			t.Fatalf("round %d: the writer reported batch %d committed, the database has up to %d", round, reported, got)
		}
		if got <= last {
			t.Fatalf("round %d: no progress (last batch %d, before %d)", round, got, last)
		}
		last = got
	}
}

// runAndKill starts the writer on path, lets it report `reports` batches,
// waits `delay` more and kills it. It returns the last batch reported.
func runAndKill(t *testing.T, path string, reports int, delay time.Duration) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashWriterEnv+"="+path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan int)
	go func() {
		defer close(lines)
		for sc := bufio.NewScanner(stdout); sc.Scan(); {
			n, _ := strconv.Atoi(sc.Text())
			lines <- n
		}
	}()
	last := -1
	for seen := 0; seen < reports; seen++ {
		n, ok := <-lines
		if !ok {
			cmd.Wait()
			t.Fatalf("writer exited early: %s", stderr.String())
		}
		last = n
	}
	time.Sleep(delay)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	for n := range lines { // reports written before the kill
		last = n
	}
	cmd.Wait()
	return last
}

// checkCrashInvariants opens the database the killed writer left and
// returns its last committed batch.
func checkCrashInvariants(t *testing.T, path string) int {
	t.Helper()
	db, err := Open(path)
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer db.Close()
	ctx := t.Context()
	if res := integrityCheck(t, db); res != "ok" {
		t.Fatalf("integrity_check: %s", res)
	}
	last, err := crashLastBatch(ctx, db)
	if err != nil || last < 0 {
		t.Fatalf("no committed batch: %d, %v", last, err)
	}
	// Base, in path order: rows b000000/f000 ... b<last>/f199, then progress.
	i, j := 0, 0
	for e, err := range db.Base(ctx, crashPair) {
		if err != nil {
			t.Fatal(err)
		}
		if e.Path == crashProgress {
			continue
		}
		if want := crashBatchPath(i, j); e.Path != want {
			t.Fatalf("base row %q, want %q: a batch is partly stored", e.Path, want)
		}
		if j++; j == crashRows {
			i, j = i+1, 0
		}
	}
	if i != last+1 || j != 0 {
		t.Fatalf("base holds batches up to %d (+%d rows), progress says %d", i-1, j, last)
	}
	checkCrashParts(t, db, last)
	return last
}

// checkCrashParts checks that the upload has parts 1..n and the queue n
// marks, with n = last or last+1 (the kill may come between the batch and
// its part).
func checkCrashParts(t *testing.T, db *DB, last int) {
	t.Helper()
	u, err := db.UploadFor(t.Context(), crashPair, "big")
	if err != nil || u == nil {
		t.Fatalf("upload: %v, %v", u, err)
	}
	if _, ok := u.LastChain(); !ok || len(u.Parts) < last || len(u.Parts) > last+1 {
		t.Fatalf("upload has parts %v after batch %d", partNumbers(u), last)
	}
	n, _, err := db.DirtyStats(t.Context(), crashPair)
	if err != nil || n < len(u.Parts)-1 || n > len(u.Parts) {
		t.Fatalf("%d dirty paths for %d parts (%v)", n, len(u.Parts), err)
	}
}

func integrityCheck(t *testing.T, db *DB) string {
	t.Helper()
	rows, err := db.r.Query("PRAGMA integrity_check")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out += s
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
