package syncer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"strconv"

	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/planner"
)

// Outcome is how a pass ended. Every pass ends as exactly one of them.
type Outcome string

// The outcomes of a pass, from best to worst for a person reading them.
const (
	OutcomeOK          Outcome = "ok"          // everything planned was done
	OutcomePartial     Outcome = "partial"     // some items failed, the rest was done
	OutcomeFailed      Outcome = "failed"      // the pass as a whole could not be carried out
	OutcomeRefused     Outcome = "refused"     // a guard held the pass back; nothing was changed
	OutcomeInterrupted Outcome = "interrupted" // stopped before the end
)

// Succeeded reports whether the pass ran to its end: ok or partial.
func (o Outcome) Succeeded() bool { return o == OutcomeOK || o == OutcomePartial }

// OutcomeOf classifies a pass from its context, the items that failed and
// the error of the pass as a whole.
func OutcomeOf(ctx context.Context, failed int, err error) Outcome {
	var ge *planner.GuardError
	switch {
	case ctx.Err() != nil:
		return OutcomeInterrupted
	case errors.As(err, &ge):
		return OutcomeRefused
	case err != nil:
		return OutcomeFailed
	case failed > 0:
		return OutcomePartial
	}
	return OutcomeOK
}

// Kinds of error that ErrorKind tells apart.
const (
	KindNetwork  = "network"   // the endpoint could not be reached or the connection broke
	KindAuth     = "auth"      // the credentials were refused (401, 403)
	KindNotFound = "not_found" // the bucket, object or upload does not exist
	KindServer   = "server"    // the service failed or throttled (5xx, 429)
	KindRequest  = "request"   // the service refused the request (other 4xx)
	KindLocal    = "local"     // the local file system
	KindChanged  = "changed"   // the file changed while it was read; retried later
	KindGuard    = "guard"     // a safety guard refused the pass
	KindNoFolder = "no_folder" // the pair's local folder does not exist (a disk not mounted?)
	KindOther    = "other"
)

// ErrorKind classifies err for metrics, health and notifications: one of
// the Kind constants.
func ErrorKind(err error) string {
	var (
		ke *ks3.Error
		ne net.Error
		oe *net.OpError
		pe *fs.PathError
		ge *planner.GuardError
	)
	switch {
	case errors.As(err, &ge):
		return KindGuard
	case errors.Is(err, ErrLocalRootMissing), errors.Is(err, ErrFolderReplaced):
		return KindNoFolder
	case errors.As(err, &ke):
		return serviceKind(ke)
	case errors.Is(err, errRetryLater):
		return KindChanged
	case errors.As(err, &oe), errors.As(err, &ne), errors.Is(err, context.DeadlineExceeded):
		return KindNetwork
	case errors.As(err, &pe):
		return KindLocal
	}
	return KindOther
}

// serviceKind classifies an error the service answered.
func serviceKind(e *ks3.Error) string {
	switch {
	case e.StatusCode == 401 || e.StatusCode == 403:
		return KindAuth
	case ks3.IsNotFound(e):
		return KindNotFound
	case e.StatusCode >= 500 || e.StatusCode == 429 || e.Code == "SlowDown":
		return KindServer
	}
	return KindRequest
}

// RefusedError is the error of a pass a guard refused: the guard's own
// error, and the command that lets the pass proceed once.
type RefusedError struct {
	Guard   *planner.GuardError
	Proceed string // e.g. "ks3sync run --pair docs --max-delete 40"
}

// Error says what was refused and how to proceed.
func (e *RefusedError) Error() string {
	return fmt.Sprintf("%v; to proceed once, run: %s", e.Guard, e.Proceed)
}

// Unwrap returns the guard's error, for errors.As(err, *planner.GuardError).
func (e *RefusedError) Unwrap() error { return e.Guard }

// refusal wraps a guard's refusal with the command that overrides it once,
// and describes it for the refused event.
func (s *Syncer) refusal(ge *planner.GuardError) (*RefusedError, *GuardInfo) {
	cmd := s.opts.RunCommand
	if cmd == "" {
		cmd = "ks3sync run --pair " + s.opts.Pair
	}
	// The exact count lets this pass through and refuses anything larger.
	info := &GuardInfo{
		Name: planner.GuardMaxDelete, Side: ge.Side, Deletes: ge.Deletes, Files: ge.Files,
		Limit: ge.Limit.String(), Proceed: cmd + " --max-delete " + strconv.Itoa(ge.Deletes),
	}
	if ge.Guard == planner.GuardMaxOverwrite {
		info.Name, info.Deletes, info.Overwrites = ge.Guard, 0, ge.Overwrites
		info.Proceed = cmd + " --max-overwrite " + strconv.Itoa(ge.Overwrites)
	}
	return &RefusedError{Guard: ge, Proceed: info.Proceed}, info
}
