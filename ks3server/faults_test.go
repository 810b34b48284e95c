package ks3server

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"testing"
	"time"
)

// startTestServer runs a server on a loopback port for the test.
func startTestServer(t *testing.T) *Running {
	t.Helper()
	r, err := Start(Options{
		Root:        t.TempDir(),
		Credentials: map[string]string{testAK: testSK},
		Now:         func() time.Time { return testNow },
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Error(err)
		}
	})
	return r
}

// send makes c over the network to r. Keys in these tests need no escaping.
func send(t *testing.T, r *Running, c call) (*http.Response, []byte, error) {
	t.Helper()
	signed := c.newRequest()
	req, err := http.NewRequest(c.method, r.URL+signed.RequestURI, bytes.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = signed.Header
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

// mustSend makes c and fails unless it is answered with status.
func mustSend(t *testing.T, r *Running, c call, status int) []byte {
	t.Helper()
	resp, body, err := send(t, r, c)
	if err != nil {
		t.Fatalf("%s %s: %v", c.method, c.rawKey, err)
	}
	if resp.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d: %s", c.method, c.rawKey, resp.StatusCode, status, body)
	}
	return body
}

func errorCode(t *testing.T, body []byte) string {
	t.Helper()
	var e errorDocument
	if err := xml.Unmarshal(body, &e); err != nil {
		t.Fatalf("not an error document: %s", body)
	}
	return e.Code
}

func TestFaultCount(t *testing.T) {
	r := startTestServer(t)
	mustSend(t, r, call{method: "PUT", bucket: "bkt"}, http.StatusOK)
	put := call{method: "PUT", bucket: "bkt", rawKey: "k", body: []byte("data")}

	r.InjectFault(Fault{Op: OpPutObject, Count: 1, Status: http.StatusServiceUnavailable})
	mustSend(t, r, call{method: "GET", bucket: "bkt"}, http.StatusOK) // another operation is not affected
	if code := errorCode(t, mustSend(t, r, put, http.StatusServiceUnavailable)); code != "SlowDown" {
		t.Errorf("code %q, want SlowDown", code)
	}
	mustSend(t, r, put, http.StatusOK)
	mustSend(t, r, put, http.StatusOK)

	r.InjectFault(Fault{Count: 2, Status: http.StatusInternalServerError})
	r.InjectFault(Fault{Op: OpGetObject, Count: 1, Status: http.StatusBadGateway, Code: "Custom"})
	if code := errorCode(t, mustSend(t, r, put, http.StatusInternalServerError)); code != "InternalError" {
		t.Errorf("code %q, want InternalError", code)
	}
	mustSend(t, r, call{method: "GET", bucket: "bkt"}, http.StatusInternalServerError)
	if code := errorCode(t, mustSend(t, r, call{method: "GET", bucket: "bkt", rawKey: "k"}, http.StatusBadGateway)); code != "Custom" {
		t.Errorf("code %q, want Custom", code)
	}
	mustSend(t, r, call{method: "GET", bucket: "bkt", rawKey: "k"}, http.StatusOK)
}

func TestFaultFraction(t *testing.T) {
	r := startTestServer(t)
	mustSend(t, r, call{method: "PUT", bucket: "bkt"}, http.StatusOK)
	r.InjectFault(Fault{Op: OpListObjects, Fraction: 0.5, Status: http.StatusServiceUnavailable})
	failed := 0
	for range 100 {
		resp, _, err := send(t, r, call{method: "GET", bucket: "bkt"})
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode == http.StatusServiceUnavailable {
			failed++
		}
	}
	if failed < 25 || failed > 75 {
		t.Errorf("%d of 100 requests failed with Fraction 0.5", failed)
	}
	r.ClearFaults()
	for range 10 {
		mustSend(t, r, call{method: "GET", bucket: "bkt"}, http.StatusOK)
	}
}

func TestFaultResetAfter(t *testing.T) {
	r := startTestServer(t)
	mustSend(t, r, call{method: "PUT", bucket: "bkt"}, http.StatusOK)
	r.InjectFault(Fault{Op: OpPutObject, Count: 1, ResetAfter: 4096})
	body := bytes.Repeat([]byte("x"), 1<<20)
	resp, _, err := send(t, r, call{method: "PUT", bucket: "bkt", rawKey: "k", body: body})
	if err == nil {
		t.Fatalf("request answered with %d despite a dropped connection", resp.StatusCode)
	}
	mustSend(t, r, call{method: "GET", bucket: "bkt", rawKey: "k"}, http.StatusNotFound)
	mustSend(t, r, call{method: "PUT", bucket: "bkt", rawKey: "k", body: body}, http.StatusOK)
	if got := mustSend(t, r, call{method: "GET", bucket: "bkt", rawKey: "k"}, http.StatusOK); !bytes.Equal(got, body) {
		t.Error("object differs after a retried PUT")
	}
}

func TestFaultSlowBody(t *testing.T) {
	r := startTestServer(t)
	mustSend(t, r, call{method: "PUT", bucket: "bkt"}, http.StatusOK)
	data := bytes.Repeat([]byte("s"), 20000)
	mustSend(t, r, call{method: "PUT", bucket: "bkt", rawKey: "k", body: data}, http.StatusOK)
	r.InjectFault(Fault{Op: OpGetObject, Count: 1, SlowBytesPerSec: 100000})
	start := time.Now()
	got := mustSend(t, r, call{method: "GET", bucket: "bkt", rawKey: "k"}, http.StatusOK)
	if elapsed := time.Since(start); elapsed < 150*time.Millisecond {
		t.Errorf("20000 bytes at 100000 B/s took only %v", elapsed)
	}
	if !bytes.Equal(got, data) {
		t.Error("throttled body differs")
	}
}

func TestStats(t *testing.T) {
	r := startTestServer(t)
	mustSend(t, r, call{method: "PUT", bucket: "bkt"}, http.StatusOK)
	r.ResetStats()
	data := bytes.Repeat([]byte("d"), 1000)
	mustSend(t, r, call{method: "PUT", bucket: "bkt", rawKey: "a", body: data}, http.StatusOK)
	mustSend(t, r, call{method: "PUT", bucket: "bkt", rawKey: "b", body: data}, http.StatusOK)
	mustSend(t, r, call{method: "GET", bucket: "bkt", rawKey: "a"}, http.StatusOK)
	mustSend(t, r, call{method: "GET", bucket: "bkt", rawKey: "missing"}, http.StatusNotFound)
	st := r.Stats()
	if st.Requests[OpPutObject] != 2 || st.Requests[OpGetObject] != 2 || len(st.Requests) != 2 {
		t.Errorf("requests %v", st.Requests)
	}
	if st.BytesIn != 2000 || st.BytesOut < 1000 {
		t.Errorf("bytes in %d, out %d", st.BytesIn, st.BytesOut)
	}
	st.Requests[OpPutObject] = 99
	if r.Stats().Requests[OpPutObject] != 2 {
		t.Error("Stats returned its own map, not a copy")
	}
	r.ResetStats()
	if st := r.Stats(); len(st.Requests) != 0 || st.BytesIn != 0 || st.BytesOut != 0 {
		t.Errorf("after ResetStats: %+v", st)
	}
}
