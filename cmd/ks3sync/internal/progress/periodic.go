package progress

import (
	"context"
	"time"
)

// Periodic calls emit with the one-line form of t every interval until ctx
// is done: progress for logs and other non-terminals.
func Periodic(ctx context.Context, t *Tracker, every time.Duration, emit func(line string)) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			emit(Line(t.Snapshot()))
		}
	}
}
