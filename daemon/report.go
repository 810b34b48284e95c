package daemon

import (
	"errors"

	"github.com/rs/zerolog"

	"github.com/ks3sync/ks3sync/planner"
	"github.com/ks3sync/ks3sync/syncer"
)

// failure starts the log line of a pass that could not be carried out, at
// level, or at error level with the guard's figures when the max_delete
// guard refused it: retrying cannot fix a refusal, a person must look.
func (l *loop) failure(err error, level zerolog.Level) *zerolog.Event {
	var ge *planner.GuardError
	if !errors.As(err, &ge) {
		return l.log.WithLevel(level).Err(err)
	}
	return l.log.Error().Err(err).Str("guard", "max_delete").Str("side", ge.Side).
		Int("deletes", ge.Deletes).Int("files", ge.Files)
}

// observe logs the items of a pass that failed; they are retried.
func (l *loop) observe(res *syncer.Result) {
	if res == nil || res.Counts.Failed == 0 {
		return
	}
	l.log.Warn().Int("failed", res.Counts.Failed).Strs("errors", first(res.Errors, 5)).
		Msg("some items failed; they will be retried")
}

func first(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
