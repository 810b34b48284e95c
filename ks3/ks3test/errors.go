package ks3test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/ks3sync/ks3sync/ks3"
)

func (s *suite) testErrors(t *testing.T) {
	const missing = "conf-errors/does not exist"
	_, err := s.c.GetObject(t.Context(), s.bucket, missing, ks3.GetOptions{})
	wantError(t, "GetObject of a missing key", err, http.StatusNotFound, "NoSuchKey")
	_, err = s.c.HeadObject(t.Context(), s.bucket, missing)
	wantError(t, "HeadObject of a missing key", err, http.StatusNotFound, "")
	if !ks3.IsNotFound(err) {
		t.Errorf("HeadObject of a missing key: IsNotFound(%v) = false", err)
	}
	_, err = s.c.GetObjectACL(t.Context(), s.bucket, missing)
	wantError(t, "GetObjectACL of a missing key", err, http.StatusNotFound, "NoSuchKey")
	_, err = s.c.CopyObject(t.Context(), s.bucket, missing, s.bucket, "conf-errors/copy", ks3.CopyOptions{})
	wantError(t, "CopyObject of a missing key", err, http.StatusNotFound, "NoSuchKey")

	nb := tempBucketName(s.bucket)
	_, err = s.c.ListObjects(t.Context(), nb, ks3.ListObjectsOptions{})
	wantError(t, "ListObjects of a missing bucket", err, http.StatusNotFound, "NoSuchBucket")
	_, err = s.c.GetObject(t.Context(), nb, "k", ks3.GetOptions{})
	wantError(t, "GetObject in a missing bucket", err, http.StatusNotFound, "NoSuchBucket")
	_, err = s.c.PutObject(t.Context(), nb, "k", nil, 0, ks3.PutOptions{})
	wantError(t, "PutObject in a missing bucket", err, http.StatusNotFound, "NoSuchBucket")

	_, err = s.c.UploadPart(t.Context(), s.bucket, "conf-errors/k", "no-such-upload-id", 1, nil, 0, nil)
	if err == nil {
		t.Error("UploadPart with an unknown upload id succeeded")
	}
	for _, err := range s.c.ListParts(t.Context(), s.bucket, "conf-errors/k", "no-such-upload-id") {
		if err == nil {
			t.Error("ListParts with an unknown upload id succeeded")
		}
		break
	}
}

// wantError checks that err is an *ks3.Error with status and, unless code
// is "", code, and that it is not retryable.
func wantError(t *testing.T, what string, err error, status int, code string) {
	t.Helper()
	var e *ks3.Error
	switch {
	case !errors.As(err, &e):
		t.Errorf("%s: error %v, want a service error with status %d", what, err, status)
	case e.StatusCode != status || code != "" && e.Code != code:
		t.Errorf("%s: %v, want status %d %s", what, err, status, code)
	case ks3.IsRetryable(err):
		t.Errorf("%s: %v is retryable", what, err)
	}
}
