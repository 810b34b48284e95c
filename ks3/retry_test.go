package ks3

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const internalErrorXML = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code>` +
	`<Message>We encountered an internal error. Please try again.</Message><Resource>/b/k</Resource><RequestId>r1</RequestId></Error>`

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// tickingClock returns a Now that advances one second per call, so every
// attempt carries a different Date.
func tickingClock() func() time.Time {
	var n atomic.Int64
	return func() time.Time { return vecTime.Add(time.Duration(n.Add(1)) * time.Second) }
}

func TestRetriedPutIsByteIdentical(t *testing.T) {
	data := randomBytes(t, 256<<10)
	s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request, n int, _ []byte) {
		if n == 1 {
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, internalErrorXML)
			return
		}
		w.Header().Set("ETag", `"etag"`)
	})
	c := newTestClient(t, s, func(o *Options) { o.Now = tickingClock() })
	sum := md5Sum(string(data))
	res, err := c.PutObject(t.Context(), "b", "k", bytes.NewReader(data), int64(len(data)), PutOptions{ContentMD5: sum[:]})
	if err != nil {
		t.Fatal(err)
	}
	if res.ETag != "etag" {
		t.Errorf("ETag = %q", res.ETag)
	}
	reqs := s.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	for i, rec := range reqs {
		if !bytes.Equal(rec.Body, data) {
			t.Errorf("attempt %d: body differs from the upload (%d bytes)", i+1, len(rec.Body))
		}
		if got := rec.Header.Get("Content-MD5"); got != md5B64(string(data)) {
			t.Errorf("attempt %d: Content-MD5 = %q", i+1, got)
		}
		date := rec.Header.Get("Date")
		wantAuth(t, rec, "PUT\n"+md5B64(string(data))+"\n\n"+date+"\n/b/k")
	}
	if reqs[0].Header.Get("Date") == reqs[1].Header.Get("Date") {
		t.Error("both attempts carry the same Date")
	}
}

func TestRetryAfterConnectionResetMidBody(t *testing.T) {
	data := randomBytes(t, 1<<20)
	var attempts atomic.Int32
	var got []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if attempts.Add(1) == 1 {
			io.ReadFull(r.Body, make([]byte, 64<<10))
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			conn.(*net.TCPConn).SetLinger(0) // reset, not an orderly close
			conn.Close()
			return
		}
		got, _ = io.ReadAll(r.Body)
		w.Header().Set("ETag", `"ok"`)
	}))
	defer srv.Close()
	c := newTestClient(t, &testServer{Server: srv})
	if _, err := c.PutObject(t.Context(), "b", "k", bytes.NewReader(data), int64(len(data)), PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := attempts.Load(); n != 2 {
		t.Errorf("%d attempts, want 2", n)
	}
	if !bytes.Equal(got, data) {
		t.Errorf("retried body differs (%d bytes)", len(got))
	}
}

func TestRetryAfterTruncatedResponse(t *testing.T) {
	full := `<ListBucketResult><Name>b</Name><IsTruncated>false</IsTruncated>` +
		`<Contents><Key>k</Key><Size>1</Size></Contents></ListBucketResult>`
	var attempts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if attempts.Add(1) == 1 {
			w.Header().Set("Content-Length", "1000")
			io.WriteString(w, full[:40])
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler) // drop the connection mid-body
		}
		io.WriteString(w, full)
	}))
	defer srv.Close()
	c := newTestClient(t, &testServer{Server: srv})
	res, err := c.ListObjects(t.Context(), "b", ListObjectsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Objects) != 1 || res.Objects[0].Key != "k" {
		t.Errorf("ListObjects = %+v", res)
	}
	if n := attempts.Load(); n != 2 {
		t.Errorf("%d attempts, want 2", n)
	}
}

func TestSlowDownBacksOff(t *testing.T) {
	const slowDown = `<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`
	s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request, n int, _ []byte) {
		if n <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, slowDown)
		}
	})
	policy := RetryPolicy{MaxAttempts: 5, BaseDelay: 100 * time.Millisecond, MaxDelay: 150 * time.Millisecond}
	c := newTestClient(t, s, func(o *Options) { o.Retry = policy })
	var mu sync.Mutex
	var delays []time.Duration
	c.sleep = func(_ context.Context, d time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		delays = append(delays, d)
		return nil
	}
	if err := c.DeleteObject(t.Context(), "b", "k"); err != nil {
		t.Fatal(err)
	}
	if n := len(s.requests()); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
	caps := []time.Duration{100 * time.Millisecond, 150 * time.Millisecond}
	if len(delays) != len(caps) {
		t.Fatalf("slept %v, want %d delays", delays, len(caps))
	}
	for i, d := range delays {
		if d < 0 || d >= caps[i] {
			t.Errorf("delay %d = %v, want in [0, %v)", i+1, d, caps[i])
		}
	}
}

func TestRetriesGiveUp(t *testing.T) {
	s := newTestServer(t, answer(http.StatusServiceUnavailable, nil, `<Error><Code>ServiceUnavailable</Code></Error>`))
	c := newTestClient(t, s)
	err := c.DeleteObject(t.Context(), "b", "k")
	if ErrorCode(err) != "ServiceUnavailable" || !IsRetryable(err) {
		t.Errorf("DeleteObject = %v, want ServiceUnavailable", err)
	}
	if n := len(s.requests()); n != fastRetry.MaxAttempts {
		t.Errorf("%d requests, want %d", n, fastRetry.MaxAttempts)
	}
}

func TestClientErrorsAreNotRetried(t *testing.T) {
	for _, status := range []int{http.StatusForbidden, http.StatusNotFound, http.StatusBadRequest, http.StatusConflict} {
		s := newTestServer(t, answer(status, nil, `<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`))
		c := newTestClient(t, s)
		_, err := c.GetObject(t.Context(), "b", "k", GetOptions{})
		var e *Error
		if !errors.As(err, &e) || e.StatusCode != status || e.Code != "AccessDenied" {
			t.Errorf("status %d: GetObject = %v", status, err)
		}
		if n := len(s.requests()); n != 1 {
			t.Errorf("status %d: %d requests, want 1", status, n)
		}
	}
}

func TestOKWithErrorBodyIsRetriedByCode(t *testing.T) {
	s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request, n int, _ []byte) {
		if n == 1 {
			io.WriteString(w, internalErrorXML) // 200 with an <Error> document
			return
		}
		io.WriteString(w, `<CopyObjectResult><LastModified>2019-10-15T08:30:00Z</LastModified><ETag>"e"</ETag></CopyObjectResult>`)
	})
	c := newTestClient(t, s)
	res, err := c.CopyObject(t.Context(), "b", "src", "b", "dst", CopyOptions{})
	if err != nil || res.ETag != "e" {
		t.Fatalf("CopyObject = %+v, %v", res, err)
	}
	if n := len(s.requests()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}

	s = newTestServer(t, answer(200, nil, `<Error><Code>InvalidArgument</Code><Message>bad</Message></Error>`))
	c = newTestClient(t, s)
	_, err = c.CompleteMultipartUpload(t.Context(), "b", "k", "id", []CompletedPart{{1, "e"}}, CompleteOptions{})
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != 200 || e.Code != "InvalidArgument" {
		t.Errorf("CompleteMultipartUpload = %v, want InvalidArgument in a 200", err)
	}
}

func TestCancelDuringBackoffStopsAtOnce(t *testing.T) {
	s := newTestServer(t, answer(http.StatusInternalServerError, nil, internalErrorXML))
	c := newTestClient(t, s, func(o *Options) { o.Retry = RetryPolicy{MaxAttempts: 10} })
	inBackoff := make(chan struct{})
	var once sync.Once
	c.sleep = func(ctx context.Context, _ time.Duration) error {
		once.Do(func() { close(inBackoff) })
		return sleepContext(ctx, time.Hour)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- c.DeleteObject(ctx, "b", "k") }()
	<-inBackoff
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) || IsRetryable(err) {
			t.Errorf("DeleteObject = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("DeleteObject did not return after cancel")
	}
	if n := len(s.requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestCancelDuringRequestIsNotRetried(t *testing.T) {
	arrived := make(chan struct{}, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-r.Context().Done()
	}))
	defer srv.Close()
	c := newTestClient(t, &testServer{Server: srv})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := c.HeadObject(ctx, "b", "k")
		done <- err
	}()
	<-arrived
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("HeadObject = %v, want context.Canceled", err)
	}
	if len(arrived) != 0 {
		t.Errorf("request was retried after cancel")
	}

	if _, err := c.HeadObject(ctx, "b", "k"); !errors.Is(err, context.Canceled) || len(arrived) != 0 {
		t.Errorf("HeadObject with a done context = %v, sent %d", err, len(arrived))
	}
}

func TestShortBodyIsNotRetried(t *testing.T) {
	s := newTestServer(t, answer(200, nil, ""))
	c := newTestClient(t, s)
	_, err := c.PutObject(t.Context(), "b", "k", bytes.NewReader([]byte("12345")), 10, PutOptions{})
	if err == nil || IsRetryable(err) {
		t.Fatalf("PutObject with a short body = %v, want a local error", err)
	}
	if n := len(s.requests()); n > 1 {
		t.Errorf("%d requests, want at most 1", n)
	}
}

func TestBackoffCap(t *testing.T) {
	p := RetryPolicy{BaseDelay: 200 * time.Millisecond, MaxDelay: 20 * time.Second}
	want := []time.Duration{200, 400, 800, 1600, 3200, 6400, 12800, 20000, 20000}
	for i, w := range want {
		if got := p.backoffCap(i + 1); got != w*time.Millisecond {
			t.Errorf("backoffCap(%d) = %v, want %v", i+1, got, w*time.Millisecond)
		}
	}
	if got := p.backoffCap(1000); got != p.MaxDelay {
		t.Errorf("backoffCap(1000) = %v, want %v", got, p.MaxDelay)
	}
	for range 1000 {
		if d := p.backoff(3); d < 0 || d >= 800*time.Millisecond {
			t.Fatalf("backoff(3) = %v, want in [0, 800ms)", d)
		}
	}
	def, err := RetryPolicy{}.withDefaults()
	if err != nil || def != (RetryPolicy{MaxAttempts: 5, BaseDelay: 200 * time.Millisecond, MaxDelay: 20 * time.Second, Budget: 30 * time.Second}) {
		t.Errorf("defaults = %+v, %v", def, err)
	}
}
