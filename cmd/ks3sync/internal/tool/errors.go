package tool

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"syscall"
	"unicode"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
	"github.com/ks3sync/ks3sync/ks3"
)

// explainError turns err into the one line the tool commands print: the
// failed operation, the service's code, message and request id as the ks3
// client reports them, and for the common mistakes a hint on what to do,
// for example
//
//	head object "ks3://b/k": NoSuchBucket: The specified bucket does not exist. (status 404, request id 42) (hint: create it with ks3sync mb ks3://BUCKET)
func explainError(err error) string {
	if err == nil {
		return ""
	}
	msg := oneLine(err.Error())
	if hint := errorHint(err); hint != "" {
		msg += " (hint: " + hint + ")"
	}
	return msg
}

// errorHint suggests a fix for err, or returns "".
func errorHint(err error) string {
	var se *ks3.Error
	if errors.As(err, &se) {
		return serviceHint(se)
	}
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, ks3crypto.ErrWrongKey):
		return "pass the key file the object was encrypted with (--encrypt-key FILE)"
	case errors.Is(err, ks3crypto.ErrInvalidKey):
		return "a key file holds 16 bytes; create one with ks3sync keygen FILE"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "nothing answers at the endpoint: check --endpoint or the endpoint in the config"
	case errors.As(err, &dnsErr):
		return "the endpoint's host name does not resolve: check --endpoint or the endpoint in the config"
	}
	return ""
}

// serviceHint suggests a fix for an error answered by the service.
func serviceHint(e *ks3.Error) string {
	switch {
	case e.Endpoint != "" || e.StatusCode == http.StatusMovedPermanently ||
		e.StatusCode == http.StatusTemporaryRedirect ||
		e.Code == "PermanentRedirect" || e.Code == "TemporaryRedirect":
		h := "the bucket lives in another region: use the bucket's region endpoint"
		if e.Endpoint != "" {
			h += " (--endpoint " + e.Endpoint + ")"
		}
		return h
	}
	switch e.Code {
	case "RequestTimeTooSkewed":
		return "the request time differs from the service's by more than 15 minutes: check the system clock"
	case "SignatureDoesNotMatch":
		return "check the secret key (--secret-key, KS3_SECRET_KEY or secret_key in the config)"
	case "InvalidAccessKeyId":
		return "the service does not know this access key: check --access-key, KS3_ACCESS_KEY or access_key in the config"
	case "NoSuchBucket":
		return "create it with ks3sync mb ks3://BUCKET, or check the bucket name and the endpoint"
	case "AccessDenied":
		return "the credentials may not do this: check the keys, the bucket's owner and the ACL (ks3sync acl get)"
	case "BucketAlreadyExists":
		return "bucket names are global across all KS3 accounts: choose another name"
	case "BucketAlreadyOwnedByYou":
		return "you already own this bucket"
	case "BucketNotEmpty":
		return "delete its objects and unfinished uploads first, or use ks3sync rb --force"
	case "NoSuchUpload":
		return "the upload was completed or aborted already (ks3sync uploads ls lists the open ones)"
	case "InvalidStorageClass":
		return "use a storage class such as STANDARD or STANDARD_IA"
	case "SlowDown", "ServiceUnavailable":
		return "the service is busy: try again later or lower transfers in the config"
	}
	return ""
}

// oneLine replaces line breaks and other control characters in s with
// spaces, so a message never spans lines, and trims the ends.
func oneLine(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s))
}
