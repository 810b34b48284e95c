package apierr

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	w := httptest.NewRecorder()
	Write(w, httptest.NewRequest("GET", "/b/k", nil), NoSuchKey.WithMessage("No %s here.", "k"), "/b/k", "r1")
	want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<Error><Code>NoSuchKey</Code><Message>No k here.</Message><Resource>/b/k</Resource><RequestId>r1</RequestId></Error>`
	if w.Code != http.StatusNotFound || w.Body.String() != want || w.Header().Get("Content-Type") != "application/xml" ||
		w.Header().Get("Content-Length") != strconv.Itoa(len(want)) {
		t.Errorf("answer %d %v\n%s", w.Code, w.Header(), w.Body)
	}
	if NoSuchKey.Message != "The specified key does not exist." {
		t.Error("WithMessage changed the shared value")
	}
	w = httptest.NewRecorder()
	Write(w, httptest.NewRequest("HEAD", "/b/k", nil), AccessDenied, "/b/k", "r2")
	if w.Code != http.StatusForbidden || w.Body.Len() != 0 {
		t.Errorf("HEAD answer %d with %d bytes", w.Code, w.Body.Len())
	}
	if got := BadDigest.Error(); !strings.HasPrefix(got, "400 BadDigest: ") {
		t.Errorf("Error() = %q", got)
	}
}
