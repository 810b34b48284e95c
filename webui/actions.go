package webui

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/rs/zerolog"

	"github.com/ks3sync/ks3sync/daemon"
)

// actions serves POST /api/pairs/{pair}/{action}.
type actions struct {
	control Controller
	token   string
	log     zerolog.Logger
}

// pairAction is an action on a pair: the Controller method that carries
// it out and the status of its success.
type pairAction struct {
	call   func(Controller, string) error
	status int
}

// pairActions are the actions by the name in their path.
var pairActions = map[string]pairAction{
	"sync":   {Controller.SyncNow, http.StatusAccepted}, // the reconcile runs later
	"pause":  {Controller.Pause, http.StatusOK},
	"resume": {Controller.Resume, http.StatusOK},
}

// actionResult is the body of an action's success.
type actionResult struct {
	Pair   string `json:"pair"`
	Action string `json:"action"`
}

func (a *actions) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !a.authorised(r) {
		a.log.Warn().Str("remote", r.RemoteAddr).Str("path", r.URL.Path).Msg("action refused: no valid token")
		writeError(w, http.StatusForbidden, "the action needs the daemon's token: open the address that `ks3sync status --url` prints")
		return
	}
	pair, name := r.PathValue("pair"), r.PathValue("action")
	act, ok := pairActions[name]
	if !ok {
		writeError(w, http.StatusNotFound, "no such action: "+name+" (sync, pause or resume)")
		return
	}
	if err := act.call(a.control, pair); err != nil {
		writeError(w, errorStatus(err), err.Error())
		return
	}
	a.log.Info().Str("pair", pair).Str("action", name).Str("remote", r.RemoteAddr).Msg("action")
	writeJSON(w, act.status, actionResult{Pair: pair, Action: name})
}

// authorised reports whether the request carries the token as a bearer
// credential; the comparison takes the same time whatever the guess.
func (a *actions) authorised(r *http.Request) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(got), []byte(a.token)) == 1
}

// errorStatus maps a Controller error to an HTTP status.
func errorStatus(err error) int {
	switch {
	case errors.Is(err, daemon.ErrUnknownPair):
		return http.StatusNotFound
	case errors.Is(err, daemon.ErrPaused):
		return http.StatusConflict
	case errors.Is(err, daemon.ErrNotRunning):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// errorBody is the body of an error answer.
type errorBody struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{Error: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
