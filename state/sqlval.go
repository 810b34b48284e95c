package state

import (
	"context"
	"database/sql"
	"fmt"
	"iter"
	"time"
)

// Conversions between Go values and the column types of the schema. Times
// are Unix nanoseconds with 0 for the zero time; uint64 inode numbers are
// stored as the int64 with the same bits, because SQLite integers are signed.

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

func inodeValue(ino uint64) int64 { return int64(ino) }

func inodeFromValue(v int64) uint64 { return uint64(v) }

// blobValue stores an empty byte slice as NULL, the same way with every
// driver.
func blobValue(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// limitValue maps "no limit" (n < 1) to SQLite's LIMIT -1.
func limitValue(n int) int {
	if n < 1 {
		return -1
	}
	return n
}

// rowScanner is the part of *sql.Row and *sql.Rows that scan functions need.
type rowScanner interface {
	Scan(dest ...any) error
}

// queryIter runs query on db and yields each row converted by scan, one at a
// time, so that memory does not grow with the result. The first error is
// yielded, wrapped with op, and ends the sequence. Breaking out of the loop
// releases the connection.
func queryIter[T any](ctx context.Context, db *sql.DB, op string, scan func(rowScanner) (T, error), query string, args ...any) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		rows, err := db.QueryContext(ctx, query, args...)
		if err != nil {
			yield(zero, fmt.Errorf("%s: %w", op, err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			// database/sql notices a cancelled context asynchronously;
			// checking here makes the sequence stop at the next row.
			if err := ctx.Err(); err != nil {
				yield(zero, fmt.Errorf("%s: %w", op, err))
				return
			}
			v, err := scan(rows)
			if err != nil {
				yield(zero, fmt.Errorf("%s: %w", op, err))
				return
			}
			if !yield(v, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(zero, fmt.Errorf("%s: %w", op, err))
		}
	}
}
