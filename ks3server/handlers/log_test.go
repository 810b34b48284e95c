package handlers

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"
)

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRequestLog(t *testing.T) {
	var logs syncBuffer
	s := newTestServer(t, func(o *testOptions) { o.Logger = zerolog.New(&logs).Level(zerolog.DebugLevel) })
	createBucket(t, s, "bkt")
	r := call{method: "PUT", bucket: "bkt", rawKey: "k", body: []byte("12345")}.newRequest()
	auth := r.Header.Get("Authorization")
	w := httptestRecorder(s, r)
	presigned := rawRequest("GET", "127.0.0.1:9000", "/bkt/k?KSSAccessKeyId="+testAK+"&Expires=1700000000&Signature=c2VjcmV0", nil)
	httptestRecorder(s, presigned)

	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d log lines, want one per request:\n%s", len(lines), logs.String())
	}
	var entry map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &entry); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"level": "debug", "component": "ks3server", "method": "PUT", "op": OpPutObject,
		"bucket": "bkt", "key": "k", "status": float64(200), "bytes_in": float64(5), "request_id": w.Header().Get("X-Kss-Request-Id")}
	for k, v := range want {
		if entry[k] != v {
			t.Errorf("log field %s = %v, want %v", k, entry[k], v)
		}
	}
	if d, ok := entry["duration_seconds"].(float64); !ok || d < 0 || d > 60 {
		t.Errorf("duration_seconds = %v, want the request's time in seconds", entry["duration_seconds"])
	}
	if _, ok := entry["duration"]; ok {
		t.Error("the request log has a duration without its unit")
	}
	sig := auth[strings.IndexByte(auth, ':')+1:]
	for _, secret := range []string{sig, "c2VjcmV0", testSK, "Authorization", "Signature"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("log mentions %q:\n%s", secret, logs.String())
		}
	}
}
