package daemon

import "regexp"

// secretParam matches the query parameters of presigned and signed URLs
// that carry credentials or signatures, with their values.
var secretParam = regexp.MustCompile(`(?i)\b(signature|kssaccesskeyid|accesskeyid|awsaccesskeyid|x-amz-signature|x-amz-credential|x-amz-security-token|x-kss-security-token|security-token)=[^&\s"']*`)

// redact removes signatures and credentials from a message before it
// enters the status, which is served to browsers: an error that quotes a
// signed URL must not hand the URL out.
func redact(msg string) string {
	return secretParam.ReplaceAllString(msg, "${1}=REDACTED")
}
