package ks3

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// flakyObject serves one object: the first answer breaks off after cut
// bytes (dropping the connection, or, with stall, going silent); later
// answers serve the Range asked for, with etags[n] (the last one repeated)
// as the ETag of answer n.
type flakyObject struct {
	t     *testing.T
	data  []byte
	cut   int
	stall bool
	etags []string

	mu     sync.Mutex
	ranges []string // Range of every request
	ifs    []string // If-Match of every request
}

func (f *flakyObject) respond(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
	f.mu.Lock()
	f.ranges = append(f.ranges, r.Header.Get("Range"))
	f.ifs = append(f.ifs, r.Header.Get("If-Match"))
	f.mu.Unlock()
	etag := f.etags[min(n, len(f.etags))-1]
	w.Header().Set("ETag", `"`+etag+`"`)
	first, last := 0, len(f.data)-1
	if rg := r.Header.Get("Range"); rg != "" {
		a, z, _ := strings.Cut(strings.TrimPrefix(rg, "bytes="), "-")
		first, _ = strconv.Atoi(a)
		if z != "" {
			last, _ = strconv.Atoi(z)
		}
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", first, last, len(f.data)))
		w.Header().Set("Content-Length", strconv.Itoa(last-first+1))
		w.WriteHeader(http.StatusPartialContent)
	} else {
		w.Header().Set("Content-Length", strconv.Itoa(len(f.data)))
	}
	body := f.data[first : last+1]
	if n > 1 {
		w.Write(body)
		return
	}
	w.Write(body[:f.cut])
	w.(http.Flusher).Flush()
	if f.stall {
		hang(r)
		return
	}
	panic(http.ErrAbortHandler) // drop the connection mid-body
}

func (f *flakyObject) requests() ([]string, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.ranges...), append([]string(nil), f.ifs...)
}

func readObject(t *testing.T, c *Client, opts GetOptions) ([]byte, error) {
	t.Helper()
	obj, err := c.GetObject(t.Context(), "b", "k", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Body.Close()
	return io.ReadAll(obj.Body)
}

func TestGetObjectResumesAfterADroppedConnection(t *testing.T) {
	f := &flakyObject{t: t, data: randomBytes(t, 1<<20), cut: 300 << 10, etags: []string{"v1"}}
	c := newTestClient(t, newTestServer(t, f.respond))
	got, err := readObject(t, c, GetOptions{})
	if err != nil || !bytes.Equal(got, f.data) {
		t.Fatalf("read %d bytes, %v; want the whole object", len(got), err)
	}
	ranges, ifs := f.requests()
	if len(ranges) != 2 || !strings.HasPrefix(ranges[1], "bytes=") || !strings.HasSuffix(ranges[1], fmt.Sprintf("-%d", len(f.data)-1)) ||
		ifs[1] != `"v1"` {
		t.Errorf("requests: ranges %q, If-Match %q; want one resume of the rest of version v1", ranges, ifs)
	}
}

func TestGetObjectResumesAfterAStall(t *testing.T) {
	f := &flakyObject{t: t, data: randomBytes(t, 256<<10), cut: 100 << 10, stall: true, etags: []string{"v1"}}
	c := newTestClient(t, newTestServer(t, f.respond), func(o *Options) { o.Timeouts = quick })
	got, err := readObject(t, c, GetOptions{})
	if err != nil || !bytes.Equal(got, f.data) {
		t.Fatalf("read %d bytes, %v; want the whole object", len(got), err)
	}
	if ranges, _ := f.requests(); len(ranges) != 2 || ranges[1] != fmt.Sprintf("bytes=%d-%d", 100<<10, len(f.data)-1) {
		t.Errorf("ranges %q, want a resume at byte %d", ranges, 100<<10)
	}
}

func TestGetObjectResumesARange(t *testing.T) {
	f := &flakyObject{t: t, data: randomBytes(t, 1000), cut: 300, stall: true, etags: []string{"v1"}}
	c := newTestClient(t, newTestServer(t, f.respond), func(o *Options) { o.Timeouts = quick })
	got, err := readObject(t, c, GetOptions{Range: "bytes=100-899"})
	if err != nil || !bytes.Equal(got, f.data[100:900]) {
		t.Fatalf("read %d bytes, %v; want bytes 100-899", len(got), err)
	}
	if ranges, _ := f.requests(); len(ranges) != 2 || ranges[1] != "bytes=400-899" {
		t.Errorf("ranges %q, want the resume to ask for bytes=400-899", ranges)
	}
}

func TestGetObjectThatChangesIsNotSpliced(t *testing.T) {
	f := &flakyObject{t: t, data: randomBytes(t, 1000), cut: 300, stall: true, etags: []string{"v1", "v2"}}
	c := newTestClient(t, newTestServer(t, f.respond), func(o *Options) { o.Timeouts = quick })
	got, err := readObject(t, c, GetOptions{})
	if err == nil || !strings.Contains(err.Error(), "changed") || len(got) != 300 {
		t.Fatalf("read %d bytes, %v; want the first 300 and an error saying the object changed", len(got), err)
	}
}

func TestGetObjectResumeGivesUp(t *testing.T) {
	data := randomBytes(t, 1000)
	s := newTestServer(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
		if n > 1 {
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, internalErrorXML)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Content-Length", "1000")
		w.Write(data[:10])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	})
	c := newTestClient(t, s)
	_, err := readObject(t, c, GetOptions{})
	if ErrorCode(err) != "InternalError" || !strings.Contains(err.Error(), "resume reading at byte 10") {
		t.Fatalf("ReadAll = %v, want the resume's failure", err)
	}
}
