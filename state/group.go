package state

import (
	"context"
	"database/sql"
	"errors"
	"sync"

	"github.com/ks3sync/ks3sync/internal/sqlitex"
)

// Writes are group-committed. Every write of the state database goes
// through update, one function per write; the writes that callers make
// while a transaction is being committed wait, and then go into the next
// transaction together. A sync pass of many
// small files, whose workers each record an intent and a base entry per
// file, then pays for a few transactions instead of two per file. Each
// write still sees the writes before it and is atomic on its own: one that
// fails is rolled back alone, and the others commit (see commitGroup).
// update returns once the transaction holding its write has committed.

// writeOp is one caller's write waiting for a transaction.
type writeOp struct {
	ctx  context.Context
	fn   func(*sql.Tx) error
	err  error
	done chan struct{} // closed once err is set
	lead chan struct{} // the previous leader hands the commits over
}

// committer queues the writes and elects the caller that commits them.
type committer struct {
	mu      sync.Mutex
	queue   []*writeOp
	leading bool // a caller is committing a batch
}

// maxGroup bounds the writes in one transaction, so that a caller's wait is
// bounded too.
const maxGroup = 512

// update runs fn in a write transaction, with the writes of other callers
// made meanwhile, and returns fn's error, or the commit's.
func (db *DB) update(ctx context.Context, fn func(*sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	op := &writeOp{ctx: ctx, fn: fn, done: make(chan struct{}), lead: make(chan struct{}, 1)}
	c := &db.commits
	c.mu.Lock()
	c.queue = append(c.queue, op)
	if c.leading {
		c.mu.Unlock()
		select {
		case <-op.done:
			return op.err
		case <-op.lead: // the previous leader left the queue to this caller
		}
		c.mu.Lock()
	}
	c.leading = true
	for {
		n := min(len(c.queue), maxGroup)
		batch := c.queue[:n:n]
		c.queue = c.queue[n:]
		c.mu.Unlock()
		db.commitGroup(batch)
		c.mu.Lock()
		select {
		case <-op.done:
		default:
			continue // this caller's write was not in the batch yet
		}
		if len(c.queue) == 0 {
			c.leading = false
		} else {
			c.queue[0].lead <- struct{}{}
		}
		c.mu.Unlock()
		return op.err
	}
}

// commitGroup writes batch in one transaction and tells each caller how its
// write went. The writes run one after the other with no savepoint between
// them (two statements per write saved); if one fails, the whole
// transaction is rolled back and each write is made again in a transaction
// of its own, so that the failing one fails alone and the others commit.
// Writes only touch their transaction, so making one again is safe.
func (db *DB) commitGroup(batch []*writeOp) {
	defer func() {
		for _, op := range batch {
			close(op.done)
		}
	}()
	if len(batch) == 1 {
		op := batch[0]
		op.err = sqlitex.InTx(op.ctx, db.w, op.fn)
		return
	}
	err := sqlitex.InTx(context.Background(), db.w, func(tx *sql.Tx) error {
		for _, op := range batch {
			if op.err = op.ctx.Err(); op.err != nil {
				continue // never ran: nothing to undo
			}
			if err := op.fn(tx); err != nil {
				return errWriteFailed
			}
		}
		return nil
	})
	switch {
	case errors.Is(err, errWriteFailed):
		for _, op := range batch {
			if op.err == nil {
				op.err = sqlitex.InTx(op.ctx, db.w, op.fn)
			}
		}
	case err != nil:
		for _, op := range batch {
			if op.err == nil {
				op.err = err
			}
		}
	}
}

// errWriteFailed rolls back a group whose writes are then made one by one.
var errWriteFailed = errors.New("a write of the group failed")
