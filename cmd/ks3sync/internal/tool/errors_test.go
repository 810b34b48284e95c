package tool

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"testing"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/cli"
	ks3crypto "github.com/ks3sync/ks3sync/crypto"
	"github.com/ks3sync/ks3sync/ks3"
)

func TestExplainError(t *testing.T) {
	svc := func(status int, code, msg string) error {
		return fmt.Errorf("head object %q: %w", "ks3://b/k", &ks3.Error{StatusCode: status, Code: code, Message: msg, RequestID: "req-1"})
	}
	for _, tc := range []struct {
		name string
		err  error
		want []string
	}{
		{"region endpoint", fmt.Errorf("list: %w", &ks3.Error{StatusCode: 400, Code: "InvalidRequest",
			Endpoint: "ks3-cn-shanghai.ksyuncs.com"}), []string{"region endpoint", "--endpoint ks3-cn-shanghai.ksyuncs.com"}},
		{"301", svc(301, "", ""), []string{"status 301", "region endpoint"}},
		{"307", svc(307, "TemporaryRedirect", "moved"), []string{"TemporaryRedirect", "region endpoint"}},
		{"clock", svc(403, "RequestTimeTooSkewed", "skewed"), []string{"RequestTimeTooSkewed: skewed", "request id req-1", "check the system clock"}},
		{"secret", svc(403, "SignatureDoesNotMatch", "bad"), []string{"SignatureDoesNotMatch", "check the secret key"}},
		{"access key", svc(403, "InvalidAccessKeyId", ""), []string{"InvalidAccessKeyId", "access key"}},
		{"bucket", svc(404, "NoSuchBucket", ""), []string{"NoSuchBucket", "create it with ks3sync mb"}},
		{"denied", svc(403, "AccessDenied", ""), []string{"AccessDenied", "ACL"}},
		{"global names", svc(409, "BucketAlreadyExists", ""), []string{"global"}},
		{"not empty", svc(409, "BucketNotEmpty", ""), []string{"rb --force"}},
		{"wrong key", fmt.Errorf("object x: %w", ks3crypto.ErrWrongKey), []string{"wrong encryption key", "--encrypt-key"}},
		{"bad key file", fmt.Errorf("k: %w", ks3crypto.ErrInvalidKey), []string{"keygen"}},
		{"refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, []string{"check --endpoint"}},
		{"dns", fmt.Errorf("get: %w", &net.DNSError{Err: "no such host", Name: "nowhere.invalid"}), []string{"does not resolve"}},
		{"multi-line", svc(500, "InternalError", "line one\nline two\r\n"), []string{"line one line two"}},
	} {
		got := explainError(tc.err)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", tc.name, got, w)
			}
		}
		if strings.ContainsAny(got, "\r\n") {
			t.Errorf("%s: %q spans lines", tc.name, got)
		}
	}
}

func TestExplainErrorWithoutHint(t *testing.T) {
	for _, err := range []error{
		errors.New("plain failure"),
		&ks3.Error{StatusCode: 404, Code: "NoSuchKey", Message: "gone"},
		context.Canceled,
	} {
		if got := explainError(err); got != err.Error() {
			t.Errorf("explainError(%v) = %q, want the message unchanged", err, got)
		}
	}
	if explainError(nil) != "" {
		t.Error("explainError(nil) is not empty")
	}
}

func TestToolErrorKeepsCodeAndCause(t *testing.T) {
	cause := &ks3.Error{StatusCode: 404, Code: "NoSuchBucket"}
	for _, tc := range []struct {
		err  error
		code int
	}{
		{fmt.Errorf("ls: %w", cause), cli.ExitPartial},
		{cli.UsageError("bad %s", "uri"), cli.ExitUsage},
		{cli.PartialError(fmt.Errorf("2 failed: %w", cause)), cli.ExitPartial},
	} {
		err := toolError(tc.err)
		var ee *cli.ExitError
		if !errors.As(err, &ee) || ee.Code != tc.code {
			t.Errorf("toolError(%v): code %v, want %d", tc.err, err, tc.code)
		}
		if err.Error() != explainError(tc.err) {
			t.Errorf("toolError(%v) says %q", tc.err, err)
		}
	}
	if !errors.Is(toolError(fmt.Errorf("x: %w", cause)), cause) {
		t.Error("toolError hides the cause from errors.Is")
	}
	if toolError(nil) != nil {
		t.Error("toolError(nil) is not nil")
	}
}
