package ks3server

import (
	"log"
	"strings"

	"github.com/rs/zerolog"
)

// newHTTPErrorLog routes net/http's own messages to the server's logger:
// panics at error level (handlers recover their own, so this is a last
// line), the rest (TLS handshake errors, aborted connections) at debug
// level.
func newHTTPErrorLog(l zerolog.Logger) *log.Logger {
	return log.New(httpLogWriter{l}, "", 0)
}

type httpLogWriter struct{ l zerolog.Logger }

func (w httpLogWriter) Write(p []byte) (int, error) {
	msg := strings.TrimSpace(string(p))
	level := zerolog.DebugLevel
	if strings.Contains(msg, "panic") {
		level = zerolog.ErrorLevel
	}
	w.l.WithLevel(level).Str("source", "net/http").Msg(msg)
	return len(p), nil
}
