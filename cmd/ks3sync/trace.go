package main

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rs/zerolog"
)

// traceTransport logs every HTTP request at trace level: method, host,
// path, the query with signatures and credentials redacted, status,
// duration_seconds and the service's request id. Headers are never logged:
// they carry the Authorization signature.
type traceTransport struct {
	next http.RoundTripper
	log  zerolog.Logger
}

var _ http.RoundTripper = (*traceTransport)(nil)

func newTraceTransport(next http.RoundTripper, log zerolog.Logger) *traceTransport {
	return &traceTransport{next: next, log: log.With().Str("component", "http").Logger()}
}

// RoundTrip implements http.RoundTripper.
func (t *traceTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	ev := t.log.Trace().Str("method", req.Method).Str("host", req.URL.Host).Str("path", req.URL.EscapedPath())
	if q := redactQuery(req.URL.Query()); q != "" {
		ev = ev.Str("query", q)
	}
	ev = ev.Float64("duration_seconds", time.Since(start).Seconds())
	if err != nil {
		ev.Err(err).Msg("http request failed")
		return resp, err
	}
	ev.Int("status", resp.StatusCode).Str("request_id", requestID(resp.Header)).Msg("http request")
	return resp, nil
}

// secretParams are query parameters of presigned and SigV4 URLs that carry
// credentials or signatures.
var secretParams = []string{"signature", "kssaccesskeyid", "accesskeyid", "awsaccesskeyid", "x-amz-signature",
	"x-amz-credential", "x-amz-security-token", "x-kss-security-token", "security-token"}

// redactQuery encodes q with the values of secret parameters replaced.
func redactQuery(q url.Values) string {
	for k := range q {
		for _, s := range secretParams {
			if strings.EqualFold(k, s) {
				q[k] = []string{"REDACTED"}
			}
		}
	}
	return q.Encode()
}

func requestID(h http.Header) string {
	for _, k := range []string{"X-Kss-Request-Id", "X-Amz-Request-Id"} {
		if v := h.Get(k); v != "" {
			return v
		}
	}
	return ""
}
