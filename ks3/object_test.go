package ks3

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestGetObjectStreamsTheBody(t *testing.T) {
	readFirst := make(chan struct{})
	s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request, _ int, _ []byte) {
		w.Header().Set("Content-Length", "10")
		io.WriteString(w, "first")
		w.(http.Flusher).Flush()
		select {
		case <-readFirst: // the client has the first bytes before the rest exist
		case <-time.After(5 * time.Second):
			t.Error("client did not read the first bytes while the body was still open")
		}
		io.WriteString(w, "-rest")
	})
	c := newTestClient(t, s)
	obj, err := c.GetObject(t.Context(), "b", "k", GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Body.Close()
	buf := make([]byte, 5)
	if _, err := io.ReadFull(obj.Body, buf); err != nil || string(buf) != "first" {
		t.Fatalf("first read = %q, %v", buf, err)
	}
	close(readFirst)
	rest, err := io.ReadAll(obj.Body)
	if err != nil || string(rest) != "-rest" || obj.Size != 10 {
		t.Errorf("rest = %q, %v, size %d", rest, err, obj.Size)
	}
}

func TestInvalidOptionsAreRejectedBeforeSending(t *testing.T) {
	s := newTestServer(t, answer(200, nil, ""))
	c := newTestClient(t, s)
	put := func(o PutOptions) error {
		_, err := c.PutObject(t.Context(), "b", "k", strings.NewReader("x"), 1, o)
		return err
	}
	copyWith := func(o CopyOptions) error {
		_, err := c.CopyObject(t.Context(), "b", "src", "b", "dst", o)
		return err
	}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"short MD5", put(PutOptions{ContentMD5: []byte{1, 2}}), "ContentMD5"},
		{"metadata name with space", put(PutOptions{Metadata: map[string]string{"a b": "v"}}), "Metadata name"},
		{"duplicate metadata name", put(PutOptions{Metadata: map[string]string{"A": "1", "a": "2"}}), "twice"},
		{"metadata value with newline", put(PutOptions{Metadata: map[string]string{"a": "1\n2"}}), "control character"},
		{"metadata value with trailing space", put(PutOptions{Metadata: map[string]string{"a": "v "}}), "white space"},
		{"ACL with leading space", put(PutOptions{ACL: " private"}), "white space"},
		{"callback var name", put(PutOptions{CallbackVars: map[string]string{"x:y": "1"}}), "CallbackVars"},
		{"bad directive", copyWith(CopyOptions{MetadataDirective: "MERGE"}), "MetadataDirective"},
		{"metadata with COPY", copyWith(CopyOptions{PutOptions: PutOptions{Metadata: map[string]string{"a": "1"}}}), "REPLACE"},
		{"callback on copy", copyWith(CopyOptions{PutOptions: PutOptions{CallbackURL: "http://x"}}), "callbacks"},
		{"negative size", func() error { _, err := c.PutObject(t.Context(), "b", "k", nil, -1, PutOptions{}); return err }(), "negative"},
		{"part number 0", func() error {
			_, err := c.UploadPart(t.Context(), "b", "k", "id", 0, strings.NewReader("x"), 1, nil)
			return err
		}(), "part number"},
		{"part number 10001", func() error {
			_, err := c.UploadPart(t.Context(), "b", "k", "id", 10001, strings.NewReader("x"), 1, nil)
			return err
		}(), "part number"},
		{"delete key XML cannot carry", func() error { _, err := c.DeleteObjects(t.Context(), "b", []string{"a\x01"}); return err }(), "XML"},
		{"range with CRLF", func() error {
			_, err := c.GetObject(t.Context(), "b", "k", GetOptions{Range: "bytes=0-1\r\nX: y"})
			return err
		}(), "control"},
		{"override not response-*", func() error {
			_, err := c.GetObject(t.Context(), "b", "k", GetOptions{ResponseHeaders: map[string]string{"content-type": "x"}})
			return err
		}(), "response-"},
	}
	for _, tt := range tests {
		if tt.err == nil || !strings.Contains(tt.err.Error(), tt.want) {
			t.Errorf("%s: error = %v, want one mentioning %q", tt.name, tt.err, tt.want)
		}
	}
	if n := len(s.requests()); n != 0 {
		t.Errorf("%d requests sent for invalid options", n)
	}
}

func TestDeleteObjectsBatchesOf1000(t *testing.T) {
	var batches []int
	s := newTestServer(t, func(w http.ResponseWriter, r *http.Request, _ int, body []byte) {
		n := strings.Count(string(body), "<Object>")
		batches = append(batches, n)
		var b strings.Builder
		b.WriteString("<DeleteResult>")
		for range n {
			b.WriteString("<Deleted><Key>k</Key></Deleted>")
		}
		b.WriteString("</DeleteResult>")
		io.WriteString(w, b.String())
	})
	c := newTestClient(t, s)
	keys := make([]string, 2500)
	for i := range keys {
		keys[i] = "k"
	}
	res, err := c.DeleteObjects(t.Context(), "b", keys)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Deleted) != 2500 || len(batches) != 3 || batches[0] != 1000 || batches[1] != 1000 || batches[2] != 500 {
		t.Errorf("deleted %d in batches %v", len(res.Deleted), batches)
	}
	for _, rec := range s.requests() {
		if rec.Header.Get("Content-MD5") != md5B64(string(rec.Body)) {
			t.Errorf("batch Content-MD5 = %q does not match its body", rec.Header.Get("Content-MD5"))
		}
	}
	if res, err := c.DeleteObjects(t.Context(), "b", nil); err != nil || len(res.Deleted) != 0 || len(s.requests()) != 3 {
		t.Errorf("DeleteObjects(nil) = %+v, %v", res, err)
	}
}
