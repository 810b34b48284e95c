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

// actionResult is the body of an action's answer.
type actionResult struct {
	Pair   string `json:"pair"`
	Action string `json:"action"`
	Paused bool   `json:"paused"`
}

func (a *actions) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !a.authorised(r) {
		a.log.Warn().Str("remote", r.RemoteAddr).Str("path", r.URL.Path).Msg("action refused: no valid token")
		writeError(w, http.StatusForbidden, "the action needs the daemon's token: open the address that `ks3sync status --url` prints")
		return
	}
	pair, action := r.PathValue("pair"), r.PathValue("action")
	var err error
	res := actionResult{Pair: pair, Action: action}
	status := http.StatusOK
	switch action {
	case "sync":
		err, status = a.control.SyncNow(pair), http.StatusAccepted
	case "pause":
		err, res.Paused = a.control.Pause(pair), true
	case "resume":
		err = a.control.Resume(pair)
	default:
		writeError(w, http.StatusNotFound, "no such action: "+action+" (sync, pause or resume)")
		return
	}
	if err != nil {
		writeError(w, errorStatus(err), err.Error())
		return
	}
	a.log.Info().Str("pair", pair).Str("action", action).Str("remote", r.RemoteAddr).Msg("action")
	writeJSON(w, status, res)
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
