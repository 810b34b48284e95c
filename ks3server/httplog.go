package ks3server

import (
	"log"
	"strings"

	"github.com/rs/zerolog"
)

// newHTTPErrorLog routes net/http's own messages (TLS handshake errors,
// panics in handlers) to the server's logger at debug level.
func newHTTPErrorLog(l zerolog.Logger) *log.Logger {
	return log.New(httpLogWriter{l}, "", 0)
}

type httpLogWriter struct{ l zerolog.Logger }

func (w httpLogWriter) Write(p []byte) (int, error) {
	w.l.Debug().Str("source", "net/http").Msg(strings.TrimSpace(string(p)))
	return len(p), nil
}
