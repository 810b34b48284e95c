package tool

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/ks3sync/ks3sync/ks3"
)

// fakeMultiDelete answers Delete Multiple Objects requests: keys under
// "locked/" are refused with AccessDenied, the bucket "denied" refuses the
// whole request, and every other key is deleted. It records the batch sizes.
type fakeMultiDelete struct {
	mu      sync.Mutex
	batches []int
}

func (f *fakeMultiDelete) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !r.URL.Query().Has("delete") {
		http.Error(w, "unexpected request", http.StatusBadRequest)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/denied/") {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`)
		return
	}
	var req struct {
		Objects []struct{ Key string } `xml:"Object"`
	}
	if err := xml.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.batches = append(f.batches, len(req.Objects))
	f.mu.Unlock()
	var b bytes.Buffer
	b.WriteString("<DeleteResult>")
	for _, o := range req.Objects {
		var key bytes.Buffer
		xml.EscapeText(&key, []byte(o.Key))
		if strings.HasPrefix(o.Key, "locked/") {
			fmt.Fprintf(&b, "<Error><Key>%s</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>", key.String())
		} else {
			fmt.Fprintf(&b, "<Deleted><Key>%s</Key></Deleted>", key.String())
		}
	}
	b.WriteString("</DeleteResult>")
	w.Write(b.Bytes())
}

func newFakeClient(t *testing.T, h http.Handler) *ks3.Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cl, err := ks3.New(ks3.Options{Endpoint: srv.URL, AccessKey: "AKLTFAKE", SecretKey: "fake-secret",
		Retry: ks3.RetryPolicy{MaxAttempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

func TestObjectDeleterBatchesAndReports(t *testing.T) {
	fake := &fakeMultiDelete{}
	cl := newFakeClient(t, fake)
	ctx := context.Background()
	var out, errw bytes.Buffer
	log := newItemLog(&out, &errw, false)
	d := newObjectDeleter(cl, "bkt", log)
	for i := range 2500 {
		key := fmt.Sprintf("k/%04d", i)
		if i%1000 == 7 {
			key = fmt.Sprintf("locked/%d <&>", i)
		}
		if err := d.add(ctx, key); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.flush(ctx); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(fake.batches) != "[1000 1000 500]" {
		t.Errorf("batches %v, want [1000 1000 500]", fake.batches)
	}
	err := log.result("objects")
	if err == nil || err.Error() != "3 of 2500 objects failed" {
		t.Errorf("result = %v", err)
	}
	if n := strings.Count(out.String(), "delete: ks3://bkt/k/"); n != 2497 {
		t.Errorf("%d deletions printed, want 2497", n)
	}
	for _, want := range []string{"failed: ks3://bkt/locked/1007 <&>: AccessDenied: Access Denied", "hint:"} {
		if !strings.Contains(errw.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errw.String())
		}
	}
}

func TestObjectDeleterRequestFailure(t *testing.T) {
	cl := newFakeClient(t, &fakeMultiDelete{})
	log := newItemLog(&bytes.Buffer{}, &bytes.Buffer{}, true)
	d := newObjectDeleter(cl, "denied", log)
	if err := d.add(context.Background(), "a"); err != nil {
		t.Fatal(err)
	}
	err := d.flush(context.Background())
	if ks3.ErrorCode(err) != "AccessDenied" {
		t.Errorf("flush = %v, want AccessDenied", err)
	}
	if d.flush(context.Background()) != nil {
		t.Error("a failed batch stayed queued")
	}
}

func TestDeleteKeyError(t *testing.T) {
	for _, tc := range []struct {
		e    ks3.DeleteError
		want string
	}{
		{ks3.DeleteError{Code: "AccessDenied", Message: "no"}, "AccessDenied: no (hint: "},
		{ks3.DeleteError{Code: "InternalError"}, "InternalError"},
		{ks3.DeleteError{Message: "odd"}, "odd"},
	} {
		if got := deleteKeyError(tc.e).Error(); !strings.HasPrefix(got, tc.want) {
			t.Errorf("deleteKeyError(%+v) = %q, want prefix %q", tc.e, got, tc.want)
		}
	}
}
