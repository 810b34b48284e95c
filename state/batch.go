package state

import (
	"context"
	"fmt"
)

// DefaultBatchSize is the number of operations a BaseBatch commits at once
// when NewBaseBatch is given no size.
const DefaultBatchSize = 4096

// BaseBatch records many base upserts and deletions with few transactions:
// it buffers up to n operations in memory and writes them in one short
// transaction when the buffer is full or on Flush. Operations are applied in
// the order they were made; each transaction is atomic, so after a crash
// every batch is either fully stored or absent.
//
// A BaseBatch is for one goroutine. Since no transaction stays open between
// calls, other writers (upload checkpoints, the dirty queue) go on while a
// batch is being filled.
type BaseBatch struct {
	db *DB
	// ctx is kept because the batch writes from Put and Delete, whose
	// signatures have no context; it is the context NewBaseBatch received.
	ctx context.Context
	n   int
	ops []baseOp
}

// NewBaseBatch returns a batch that commits every n operations (every
// DefaultBatchSize if n < 1), using ctx for all of its writes.
func (db *DB) NewBaseBatch(ctx context.Context, n int) *BaseBatch {
	if n < 1 {
		n = DefaultBatchSize
	}
	return &BaseBatch{db: db, ctx: ctx, n: n, ops: make([]baseOp, 0, n)}
}

// Put queues an insert-or-replace of e, writing the buffer if it is full.
func (b *BaseBatch) Put(e BaseEntry) error {
	if err := e.validate(); err != nil {
		return fmt.Errorf("batch put base: %w", err)
	}
	return b.add(baseOp{entry: e})
}

// Delete queues the removal of the base entry of path, writing the buffer if
// it is full.
func (b *BaseBatch) Delete(pair, path string) error {
	op := baseOp{entry: BaseEntry{Pair: pair, Path: path}, delete: true}
	if err := op.entry.validate(); err != nil {
		return fmt.Errorf("batch delete base: %w", err)
	}
	return b.add(op)
}

func (b *BaseBatch) add(op baseOp) error {
	b.ops = append(b.ops, op)
	if len(b.ops) < b.n {
		return nil
	}
	return b.Flush()
}

// Flush writes the buffered operations in one transaction. Call it when done
// with the batch; operations still buffered are otherwise lost. If writing
// fails, the operations stay buffered and the next Flush (or the Put or
// Delete that fills the buffer) tries them again.
func (b *BaseBatch) Flush() error {
	if err := b.db.writeBase(b.ctx, b.ops); err != nil {
		return fmt.Errorf("flush base batch: %w", err)
	}
	clear(b.ops) // drop references to the entries' strings
	b.ops = b.ops[:0]
	return nil
}

// Pending returns the number of buffered operations not yet written.
func (b *BaseBatch) Pending() int { return len(b.ops) }
