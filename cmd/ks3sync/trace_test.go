package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

// A traced request logs method, path, status, duration in seconds and
// request id, and neither the Authorization header nor signed query values.
func TestTraceTransportRedacts(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Kss-Request-Id", "req-42")
		w.WriteHeader(http.StatusNotFound)
	}))
	defer srv.Close()
	var logs bytes.Buffer
	c := &http.Client{Transport: newTraceTransport(http.DefaultTransport, zerolog.New(&logs).Level(zerolog.TraceLevel))}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/bkt/a%20b?Signature=s3cr3t&KSSAccessKeyId=AKLTkey&Expires=9&X-Amz-Credential=AKID%2F2026", nil)
	req.Header.Set("Authorization", "KSS AKLTkey:s3cr3tsig")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	line := logs.String()
	for _, want := range []string{`"method":"GET"`, `"path":"/bkt/a%20b"`, `"status":404`, `"request_id":"req-42"`, `"duration_seconds":`, `Expires=9`, `Signature=REDACTED`} {
		if !strings.Contains(line, want) {
			t.Errorf("log %s lacks %s", line, want)
		}
	}
	if strings.Contains(line, `"duration":`) {
		t.Errorf("log %s has a duration without its unit", line)
	}
	for _, secret := range []string{"s3cr3t", "AKLTkey", "AKID"} {
		if strings.Contains(line, secret) {
			t.Errorf("log %s leaks %s", line, secret)
		}
	}
}
