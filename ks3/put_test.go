package ks3

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// fakeMultipart stores single PUTs and multipart uploads of one key in
// memory, checking Content-MD5 and the part list the way KS3 does.
type fakeMultipart struct {
	t        *testing.T
	failPart int // answer 403 for this part number
	gate     int // see putPart
	release  chan struct{}

	mu       sync.Mutex
	object   []byte
	parts    map[int][]byte
	puts     int // single PUTs
	inits    int
	aborted  bool
	complete bool
	inFlight int
	maxPar   int
	initHdr  http.Header
}

func (f *fakeMultipart) serve(w http.ResponseWriter, r *http.Request, _ int, body []byte) {
	q := r.URL.Query()
	if md := r.Header.Get("Content-MD5"); md != "" {
		if sum := md5.Sum(body); md != base64.StdEncoding.EncodeToString(sum[:]) {
			w.WriteHeader(400)
			io.WriteString(w, "<Error><Code>BadDigest</Code></Error>")
			return
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.Method == "PUT" && q.Has("partNumber"):
		f.putPart(w, q.Get("partNumber"), body)
	case r.Method == "PUT":
		f.puts++
		f.object = body
		w.Header().Set("ETag", fmt.Sprintf(`"%x"`, md5.Sum(body)))
	case r.Method == "POST" && q.Has("uploads"):
		f.inits++
		f.initHdr = r.Header.Clone()
		f.parts = map[int][]byte{}
		io.WriteString(w, `<InitiateMultipartUploadResult><UploadId>up1</UploadId></InitiateMultipartUploadResult>`)
	case r.Method == "POST" && q.Get("uploadId") == "up1":
		f.completeUpload(w, body)
	case r.Method == "DELETE" && q.Get("uploadId") == "up1":
		f.aborted = true
		w.WriteHeader(204)
	default:
		f.t.Errorf("unexpected request %s %s", r.Method, r.RequestURI)
		w.WriteHeader(400)
	}
}

// putPart stores a part. When gate is set, parts wait (unlocked) until gate
// of them are in flight together, which proves the client's parallelism.
func (f *fakeMultipart) putPart(w http.ResponseWriter, num string, body []byte) {
	n, _ := strconv.Atoi(num)
	if n == f.failPart {
		w.WriteHeader(403)
		io.WriteString(w, "<Error><Code>AccessDenied</Code></Error>")
		return
	}
	f.inFlight++
	f.maxPar = max(f.maxPar, f.inFlight)
	if f.gate > 0 && f.inFlight == f.gate {
		close(f.release)
	}
	if f.gate > 0 {
		f.mu.Unlock()
		select {
		case <-f.release:
		case <-time.After(5 * time.Second):
			f.t.Errorf("part %d: never %d parts in flight together", n, f.gate)
		}
		f.mu.Lock()
	}
	f.inFlight--
	f.parts[n] = body
	w.Header().Set("ETag", fmt.Sprintf(`"%x"`, md5.Sum(body)))
}

func (f *fakeMultipart) completeUpload(w http.ResponseWriter, body []byte) {
	var req struct {
		Parts []struct {
			PartNumber int
			ETag       string
		} `xml:"Part"`
	}
	if err := xml.Unmarshal(body, &req); err != nil {
		f.t.Errorf("complete body: %v", err)
	}
	var obj []byte
	for i, p := range req.Parts {
		data, ok := f.parts[p.PartNumber]
		if sum := md5.Sum(data); !ok || p.PartNumber != i+1 || p.ETag != `"`+hex.EncodeToString(sum[:])+`"` {
			w.WriteHeader(400)
			io.WriteString(w, "<Error><Code>InvalidPartOrder</Code></Error>")
			return
		}
		if i < len(req.Parts)-1 && len(data) < MinPartSize {
			w.WriteHeader(400)
			io.WriteString(w, "<Error><Code>EntityTooSmall</Code></Error>")
			return
		}
		obj = append(obj, data...)
	}
	f.object, f.complete = obj, true
	w.Header().Set("x-kss-request-id", "rc")
	io.WriteString(w, `<CompleteMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><ETag>"multi-4"</ETag></CompleteMultipartUploadResult>`)
}

func TestPutChoosesSinglePutUpToThreshold(t *testing.T) {
	f := &fakeMultipart{t: t}
	s := newTestServer(t, f.serve)
	c := newTestClient(t, s)
	data := randomBytes(t, 300<<10)
	res, err := c.Put(t.Context(), "b", "k", bytes.NewReader(data), int64(len(data)), UploadOptions{Threshold: int64(len(data))})
	if err != nil {
		t.Fatal(err)
	}
	if f.puts != 1 || f.inits != 0 || !bytes.Equal(f.object, data) {
		t.Errorf("puts %d, inits %d, stored %d bytes", f.puts, f.inits, len(f.object))
	}
	if want := fmt.Sprintf("%x", md5.Sum(data)); res.ETag != want {
		t.Errorf("ETag = %s, want %s", res.ETag, want)
	}
	if got := s.requests()[0].Header.Get("Content-MD5"); got != md5B64(string(data)) {
		t.Errorf("Content-MD5 = %q, want computed digest", got)
	}
}

func TestPutMultipart(t *testing.T) {
	f := &fakeMultipart{t: t, gate: 3, release: make(chan struct{})}
	s := newTestServer(t, f.serve)
	c := newTestClient(t, s)
	data := randomBytes(t, 350<<10+17)
	res, err := c.Put(t.Context(), "b", "k", bytes.NewReader(data), int64(len(data)), UploadOptions{
		Threshold: MinPartSize, PartSize: MinPartSize, Concurrency: 3,
		PutOptions: PutOptions{ContentType: "application/x-test", Metadata: map[string]string{"md5": "x"}, ContentMD5: make([]byte, 16),
			CallbackURL: "http://app.example/cb"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if f.maxPar != 3 {
		t.Errorf("%d parts in flight at most, want 3", f.maxPar)
	}
	if *res != (PutResult{ETag: "multi-4", RequestID: "rc"}) {
		t.Errorf("Put = %+v", res)
	}
	if !f.complete || !bytes.Equal(f.object, data) || len(f.parts) != 4 || f.aborted {
		t.Errorf("complete %v, aborted %v, %d parts, object %d bytes", f.complete, f.aborted, len(f.parts), len(f.object))
	}
	if f.initHdr.Get("Content-Type") != "application/x-test" || f.initHdr.Get("X-Kss-Meta-Md5") != "x" ||
		f.initHdr.Get("Content-MD5") != "" || f.initHdr.Get("X-Kss-Callbackurl") != "" {
		t.Errorf("initiate headers = %v", f.initHdr)
	}
	var completeReq recorded
	for _, rec := range s.requests() {
		if rec.Method == "POST" && !bytes.Contains([]byte(rec.RequestURI), []byte("uploads")) {
			completeReq = rec
		}
	}
	if completeReq.Header.Get("X-Kss-Callbackurl") != "http://app.example/cb" {
		t.Errorf("complete request lacks the callback: %v", completeReq.Header)
	}
}

func TestPutMultipartAbortsOnFailure(t *testing.T) {
	f := &fakeMultipart{t: t, failPart: 2}
	s := newTestServer(t, f.serve)
	c := newTestClient(t, s)
	data := randomBytes(t, 350<<10)
	_, err := c.Put(t.Context(), "b", "k", bytes.NewReader(data), int64(len(data)), UploadOptions{Threshold: MinPartSize, PartSize: MinPartSize})
	if ErrorCode(err) != "AccessDenied" {
		t.Fatalf("Put = %v, want AccessDenied", err)
	}
	if !f.aborted || f.complete {
		t.Errorf("aborted %v, complete %v; want an aborted upload", f.aborted, f.complete)
	}
	if n := slices.IndexFunc(s.requests(), func(r recorded) bool { return r.Method == "DELETE" }); n < 0 {
		t.Error("no abort request")
	}
}

func TestListPartsPages(t *testing.T) {
	s := newTestServer(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
		if n == 1 {
			io.WriteString(w, `<ListPartsResult xmlns:ns2="x"><ns2:IsTruncated>true</ns2:IsTruncated><ns2:NextPartNumberMarker>2</ns2:NextPartNumberMarker>`+
				`<ns2:Part><ns2:PartNumber>1</ns2:PartNumber><ns2:ETag>a</ns2:ETag><ns2:Size>1</ns2:Size></ns2:Part>`+
				`<ns2:Part><ns2:PartNumber>2</ns2:PartNumber><ns2:ETag>b</ns2:ETag><ns2:Size>2</ns2:Size></ns2:Part></ListPartsResult>`)
			return
		}
		io.WriteString(w, `<ListPartsResult xmlns:ns2="x"><ns2:IsTruncated>false</ns2:IsTruncated>`+
			`<ns2:Part><ns2:PartNumber>3</ns2:PartNumber><ns2:ETag>"c"</ns2:ETag><ns2:Size>3</ns2:Size></ns2:Part></ListPartsResult>`)
	})
	c := newTestClient(t, s)
	var got []string
	for p, err := range c.ListParts(t.Context(), "b", "k", "id") {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%d:%s:%d", p.PartNumber, p.ETag, p.Size))
	}
	if want := []string{"1:a:1", "2:b:2", "3:c:3"}; !slices.Equal(got, want) {
		t.Errorf("ListParts = %v, want %v", got, want)
	}
	reqs := s.requests()
	if len(reqs) != 2 || reqs[1].RequestURI != "/b/k?max-parts=1000&part-number-marker=2&uploadId=id" {
		t.Errorf("requests = %+v", reqs)
	}
	wantAuth(t, reqs[1], "GET\n\n\n"+vecDate+"\n/b/k?uploadId=id")
}

func TestListMultipartUploadsPages(t *testing.T) {
	s := newTestServer(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
		if n == 1 {
			io.WriteString(w, `<ListMultipartUploadsResult><IsTruncated>true</IsTruncated><NextKeyMarker>a b</NextKeyMarker>`+
				`<NextUploadIdMarker>u1</NextUploadIdMarker><Upload><Key>a b</Key><UploadId>u1</UploadId></Upload></ListMultipartUploadsResult>`)
			return
		}
		io.WriteString(w, `<ListMultipartUploadsResult><IsTruncated>false</IsTruncated>`+
			`<Upload><Key>c</Key><UploadId>u2</UploadId></Upload></ListMultipartUploadsResult>`)
	})
	c := newTestClient(t, s)
	var got []string
	for u, err := range c.ListMultipartUploads(t.Context(), "b", ListUploadsOptions{MaxUploads: 1}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, u.Key+"/"+u.UploadID+"/"+u.StorageClass)
	}
	if want := []string{"a b/u1/STANDARD", "c/u2/STANDARD"}; !slices.Equal(got, want) {
		t.Errorf("ListMultipartUploads = %v, want %v", got, want)
	}
	reqs := s.requests()
	if len(reqs) != 2 || reqs[1].RequestURI != "/b/?encoding-type=url&key-marker=a%20b&max-uploads=1&upload-id-marker=u1&uploads" {
		t.Errorf("requests = %+v", reqs)
	}
}
