package tool

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/cli"
	"github.com/ks3sync/ks3sync/ks3"
)

func TestByteProgress(t *testing.T) {
	bar := newMeter(1000, "x", nil, progressbar.OptionSetWriter(io.Discard))
	p := newByteProgress(bar, 100, 2)
	current := func() int64 { return bar.bar.State().CurrentNum }
	p.add(50) // the first of two passes, half done
	if got := current(); got != 25 {
		t.Errorf("after 50 of 200 bytes read: %d, want 25", got)
	}
	p.add(200) // retries may read more than expected: capped at the size
	if got := current(); got != 100 {
		t.Errorf("after reading too much: %d, want 100", got)
	}
	q := newByteProgress(bar, 40, 1)
	q.add(10)
	q.finish()
	if got := current(); got != 140 {
		t.Errorf("finish: %d, want 140", got)
	}
	var none *byteProgress
	none.add(5)
	none.finish()
	if newByteProgress(nil, 10, 1) != nil {
		t.Error("a progress without a bar is not nil")
	}
	r := countingReaderAt{r: strings.NewReader("0123456789"), p: newByteProgress(bar, -1, 1)}
	buf := make([]byte, 4)
	if n, err := r.ReadAt(buf, 8); n != 2 || err != io.EOF || current() != 142 {
		t.Errorf("ReadAt: %d, %v, bar %d", n, err, current())
	}
}

func TestNewBarNeedsTerminal(t *testing.T) {
	if newBar(&bytes.Buffer{}, true, 10, "x") != nil {
		t.Error("a bar on a buffer")
	}
	if isTTY(&bytes.Buffer{}) {
		t.Error("a buffer is a terminal")
	}
}

func TestConfirm(t *testing.T) {
	for in, want := range map[string]bool{
		"y\n": true, "YES\n": true, " yes \r\n": true, "y": true,
		"n\n": false, "\n": false, "": false, "yesplease\n": false,
	} {
		var out bytes.Buffer
		got, err := confirm(strings.NewReader(in), &out, "Really?")
		if err != nil || got != want || out.String() != "Really? [y/N] " {
			t.Errorf("confirm(%q) = %v, %v, asked %q", in, got, err, out.String())
		}
	}
	if _, err := confirm(iotest.ErrReader(errors.New("tty gone")), io.Discard, "?"); err == nil {
		t.Error("a read error was taken as an answer")
	}
}

func TestItemLog(t *testing.T) {
	var out, errw bytes.Buffer
	log := newItemLog(&out, &errw, false)
	log.ok("delete: ks3://b/a")
	log.warn("skipped a link")
	if err := log.result("objects"); err != nil {
		t.Errorf("no failures: %v", err)
	}
	log.fail("delete: ks3://b/c", &ks3.Error{StatusCode: 403, Code: "AccessDenied"})
	err := log.result("objects")
	var ee *cli.ExitError
	if !errors.As(err, &ee) || ee.Code != cli.ExitPartial || err.Error() != "1 of 2 objects failed" {
		t.Errorf("result = %v", err)
	}
	if out.String() != "delete: ks3://b/a\n" {
		t.Errorf("stdout %q", out.String())
	}
	for _, want := range []string{"warning: skipped a link", "failed: delete: ks3://b/c: AccessDenied", "hint:"} {
		if !strings.Contains(errw.String(), want) {
			t.Errorf("stderr lacks %q: %q", want, errw.String())
		}
	}
	out.Reset()
	quiet := newItemLog(&out, &errw, true)
	quiet.ok("delete: x")
	if out.Len() != 0 {
		t.Errorf("quiet log printed %q", out.String())
	}
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{"plain key.txt": "plain key.txt", "ünï 😀": "ünï 😀", "a\nb": `"a\nb"`, "tab\t": `"tab\t"`} {
		if got := printable(in); got != want {
			t.Errorf("printable(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestURLExpiry(t *testing.T) {
	now := time.Unix(1700000000, 0)
	for _, tc := range []struct {
		name     string
		c        urlCmd
		rel, abs bool
		want     time.Time
	}{
		{"relative", urlCmd{expires: time.Hour}, true, false, now.Add(time.Hour)},
		{"absolute", urlCmd{expiresAt: 1800000000}, false, true, time.Unix(1800000000, 0)},
	} {
		if got, err := tc.c.expiry(tc.rel, tc.abs, now); err != nil || !got.Equal(tc.want) {
			t.Errorf("%s: %v, %v", tc.name, got, err)
		}
	}
	for _, tc := range []struct {
		c        urlCmd
		rel, abs bool
	}{
		{urlCmd{}, false, false},
		{urlCmd{expires: time.Hour, expiresAt: 1}, true, true},
		{urlCmd{expires: -time.Hour}, true, false},
		{urlCmd{expiresAt: 0}, false, true},
		{urlCmd{expiresAt: 1600000000}, false, true}, // in the past
		{urlCmd{expiresAt: 1700000000}, false, true}, // now
	} {
		if _, err := tc.c.expiry(tc.rel, tc.abs, now); !isUsageErr(err) {
			t.Errorf("expiry(%+v, %v, %v) = %v, want a usage error", tc.c, tc.rel, tc.abs, err)
		}
	}
}

func TestURLPresignOptions(t *testing.T) {
	c := urlCmd{method: "put", contentType: "text/csv"}
	opts, err := c.presignOptions()
	if err != nil || c.method != "PUT" || opts.Headers["Content-Type"] != "text/csv" {
		t.Errorf("PUT: %+v, %v", opts, err)
	}
	c = urlCmd{method: "GET", responseType: "text/plain", contentDisposition: "attachment"}
	opts, err = c.presignOptions()
	if err != nil || opts.ResponseHeaders["response-content-type"] != "text/plain" ||
		opts.ResponseHeaders["response-content-disposition"] != "attachment" {
		t.Errorf("GET: %+v, %v", opts, err)
	}
	for _, bad := range []urlCmd{
		{method: "POST"}, {method: "GET", contentType: "x"}, {method: "PUT", responseType: "x"},
		{method: "DELETE", contentDisposition: "x"},
	} {
		if _, err := bad.presignOptions(); !isUsageErr(err) {
			t.Errorf("presignOptions(%+v) = %v, want a usage error", bad, err)
		}
	}
}

func TestUploadsSelection(t *testing.T) {
	now := time.Unix(1700000000, 0)
	obj, bucket := ks3URI{"b", "k"}, ks3URI{"b", ""}
	keep, err := (&uploadsAbortCmd{olderThan: time.Hour}).selection(bucket, true, now)
	if err != nil {
		t.Fatal(err)
	}
	if keep(ks3.Upload{Initiated: now.Add(-2 * time.Hour)}) || !keep(ks3.Upload{Initiated: now.Add(-time.Minute)}) {
		t.Error("--older-than 1h keeps the wrong uploads")
	}
	if keep, err := (&uploadsAbortCmd{all: true}).selection(bucket, false, now); keep != nil || err != nil {
		t.Errorf("--all: %v", err)
	}
	if _, err := (&uploadsAbortCmd{uploadID: "id"}).selection(obj, false, now); err != nil {
		t.Errorf("--upload-id: %v", err)
	}
	for _, tc := range []struct {
		c         uploadsAbortCmd
		u         ks3URI
		olderThan bool
	}{
		{uploadsAbortCmd{}, bucket, false},
		{uploadsAbortCmd{all: true}, bucket, true},
		{uploadsAbortCmd{uploadID: "id", all: true}, obj, false},
		{uploadsAbortCmd{uploadID: "id"}, bucket, false},
		{uploadsAbortCmd{olderThan: -time.Hour}, bucket, true},
	} {
		if _, err := tc.c.selection(tc.u, tc.olderThan, now); !isUsageErr(err) {
			t.Errorf("selection(%+v, %v) = %v, want a usage error", tc.c, tc.olderThan, err)
		}
	}
}

func TestCheckCannedACL(t *testing.T) {
	for _, acl := range []string{"", "private", "public-read", "public-read-write"} {
		if err := checkCannedACL("--acl", acl); err != nil {
			t.Errorf("%q: %v", acl, err)
		}
	}
	for _, acl := range []string{"Private", "authenticated-read", "public"} {
		if err := checkCannedACL("--acl", acl); !isUsageErr(err) {
			t.Errorf("%q accepted", acl)
		}
	}
}
