package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
)

// maxBatch bounds the writes committed by one transaction, so that one
// commit never holds readers back for long.
const maxBatch = 256

// txFunc is one write: it changes the database in tx and returns the file
// blobs its changes stopped referencing, to be trashed by the same commit.
// An error rolls back this write only.
type txFunc func(ctx context.Context, tx *sql.Tx) ([]string, error)

// job is a write waiting for its commit.
type job struct {
	fn     txFunc
	staged []*Staged // file blobs to place once committed, discarded otherwise
	done   chan error
}

// writer commits every write of the store on one connection, which commits
// synchronously unless the store does not sync. A single goroutine (run)
// owns the connection and the batch state: it takes the first waiting
// write, then every other write waiting at that moment, runs each in a
// savepoint of one transaction, commits once, and answers each write. A
// write whose own statements fail is rolled back alone; a failed commit
// fails the whole batch.
type writer struct {
	s    *Store
	conn *sql.Conn
	jobs chan *job // unbuffered: a write is either taken by run or refused

	started bool          // set by start, before any write
	stop    chan struct{} // closed by close
	done    chan struct{} // closed when run returns

	// waiting counts writes not yet taken into a batch; batches counts
	// the transactions committed or failed.
	waiting atomic.Int64
	batches atomic.Int64

	// cleared are trashed blobs whose files are gone; the next commit
	// removes them from the trash.
	clearedMu sync.Mutex
	cleared   []string
}

// newWriter takes the writer's connection and sets its durability.
func newWriter(ctx context.Context, s *Store) (*writer, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("open writer: %w", err)
	}
	mode := "FULL"
	if !s.sync {
		mode = "NORMAL"
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA synchronous = "+mode); err != nil {
		conn.Close()
		return nil, fmt.Errorf("open writer: %w", err)
	}
	return &writer{s: s, conn: conn, jobs: make(chan *job), stop: make(chan struct{}), done: make(chan struct{})}, nil
}

// start runs the writer goroutine.
func (w *writer) start() {
	w.started = true
	go w.run()
}

// close stops the writer after its current batch and closes its
// connection. It is called once.
func (w *writer) close() error {
	close(w.stop)
	if w.started {
		<-w.done
	}
	return w.conn.Close()
}

// write commits fn (with the file blobs it references) in the next batch
// and returns its outcome. It takes ownership of staged: they are placed
// if the write commits and discarded otherwise. Once handed over, a write
// is not cancelled: data that arrived whole is kept even if its client has
// gone.
func (w *writer) write(staged []*Staged, fn txFunc) error {
	j := &job{fn: fn, staged: staged, done: make(chan error, 1)}
	w.waiting.Add(1)
	select {
	case w.jobs <- j:
		return <-j.done
	case <-w.stop:
		w.waiting.Add(-1)
		w.s.discard(staged...)
		return ErrClosed
	}
}

// run is the writer goroutine.
func (w *writer) run() {
	defer close(w.done)
	for {
		select {
		case j := <-w.jobs:
			w.commit(w.collect(j))
		case <-w.stop:
			return
		}
	}
}

// collect returns first and every write waiting now, up to maxBatch.
func (w *writer) collect(first *job) []*job {
	batch := []*job{first}
	defer func() { w.waiting.Add(-int64(len(batch))) }()
	for len(batch) < maxBatch {
		select {
		case j := <-w.jobs:
			batch = append(batch, j)
		default:
			return batch
		}
	}
	return batch
}

// commit runs a batch in one transaction, places the blobs of the writes
// that committed, discards the others, answers every write and then
// deletes the files of blobs the batch stopped referencing.
func (w *writer) commit(batch []*job) {
	ctx := context.Background()
	w.batches.Add(1)
	errs := make([]error, len(batch))
	var obsolete []string
	err := w.syncStaged(batch)
	if err == nil {
		w.s.mu.Lock()
		obsolete, err = w.runBatch(ctx, batch, errs)
		if err == nil {
			w.placeCommitted(batch, errs)
		}
		w.s.mu.Unlock()
	}
	for i, j := range batch {
		if err != nil {
			errs[i] = err
		}
		if errs[i] != nil {
			w.s.discard(j.staged...)
		}
	}
	// The blobs the batch replaced go before anyone hears of it, so that a
	// caller sees no file of an object that is no longer there.
	w.s.removeBlobs(obsolete)
	for i, j := range batch {
		j.done <- errs[i]
	}
}

// syncStaged makes the directory entries of the batch's temporary blob
// files durable, once for the batch, before metadata references them.
func (w *writer) syncStaged(batch []*job) error {
	if !w.s.sync {
		return nil
	}
	for _, j := range batch {
		for _, b := range j.staged {
			if !b.inline {
				return syncDir(filepath.Join(w.s.root, tmpDir))
			}
		}
	}
	return nil
}

// runBatch runs each write of batch in its own savepoint of one
// transaction, recording per-write failures in errs, and commits. It
// returns the blobs the committed writes stopped referencing, or the error
// that failed the whole batch.
func (w *writer) runBatch(ctx context.Context, batch []*job, errs []error) ([]string, error) {
	var obsolete []string
	cleared := w.takeCleared()
	err := w.inTx(ctx, func(tx *sql.Tx) error {
		if err := w.deleteTrashRows(ctx, tx, cleared); err != nil {
			return err
		}
		for i, j := range batch {
			obs, err := runSavepoint(ctx, tx, j.fn)
			var fatal *fatalError
			if errors.As(err, &fatal) {
				return fatal.err
			}
			errs[i] = err
			obsolete = append(obsolete, obs...)
		}
		return nil
	})
	if err != nil {
		w.giveBackCleared(cleared)
		return nil, fmt.Errorf("commit: %w", err)
	}
	return obsolete, nil
}

// fatalError is a failure of the transaction itself (not of one write),
// which fails the whole batch.
type fatalError struct{ err error }

func (e *fatalError) Error() string { return e.err.Error() }

// runSavepoint runs fn in a savepoint of tx and trashes the blobs it
// obsoletes; if fn fails, its changes are rolled back and its error
// returned.
func runSavepoint(ctx context.Context, tx *sql.Tx, fn txFunc) ([]string, error) {
	if _, err := tx.ExecContext(ctx, "SAVEPOINT write"); err != nil {
		return nil, &fatalError{err}
	}
	obsolete, err := fn(ctx, tx)
	if err == nil {
		err = trashBlobs(ctx, tx, obsolete)
	}
	if err != nil {
		obsolete = nil
		if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO write"); rerr != nil {
			return nil, &fatalError{rerr}
		}
	}
	if _, rerr := tx.ExecContext(ctx, "RELEASE write"); rerr != nil {
		return nil, &fatalError{rerr}
	}
	return obsolete, err
}

// placeCommitted moves the committed writes' blobs into place.
func (w *writer) placeCommitted(batch []*job, errs []error) {
	for i, j := range batch {
		if errs[i] != nil {
			continue
		}
		for _, b := range j.staged {
			if b.inline {
				continue
			}
			if err := w.s.placeBlob(b.id); err != nil {
				// The metadata is committed; opening the root again
				// moves the file into place.
				w.s.log.Error().Err(err).Str("blob", b.id).Msg("cannot move a committed blob into place")
			}
		}
	}
}

// inTx runs fn in a transaction on the writer's connection. Only the
// writer goroutine, or Open before it starts, may call it.
func (w *writer) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := w.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// trashBlobs records blobs whose files are to be deleted.
func trashBlobs(ctx context.Context, tx *sql.Tx, blobs []string) error {
	for _, id := range blobs {
		if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO trash (blob) VALUES (?)", id); err != nil {
			return fmt.Errorf("trash blob %s: %w", id, err)
		}
	}
	return nil
}

// addCleared notes trashed blobs whose files are gone.
func (w *writer) addCleared(blobs []string) {
	w.clearedMu.Lock()
	defer w.clearedMu.Unlock()
	w.cleared = append(w.cleared, blobs...)
}

func (w *writer) takeCleared() []string {
	w.clearedMu.Lock()
	defer w.clearedMu.Unlock()
	out := w.cleared
	w.cleared = nil
	return out
}

func (w *writer) giveBackCleared(blobs []string) { w.addCleared(blobs) }

// clearTrash removes the trash rows of every blob noted as gone.
func (w *writer) clearTrash(ctx context.Context, tx *sql.Tx) error {
	cleared := w.takeCleared()
	if err := w.deleteTrashRows(ctx, tx, cleared); err != nil {
		w.giveBackCleared(cleared)
		return err
	}
	return nil
}

func (w *writer) deleteTrashRows(ctx context.Context, tx *sql.Tx, blobs []string) error {
	for _, id := range blobs {
		if _, err := tx.ExecContext(ctx, "DELETE FROM trash WHERE blob = ?", id); err != nil {
			return fmt.Errorf("clear trash: %w", err)
		}
	}
	return nil
}

// syncDir makes the entries of a directory durable.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
