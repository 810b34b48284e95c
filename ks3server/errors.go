package ks3server

import (
	"encoding/xml"
	"fmt"
	"net/http"
)

// apiError is a failure answered to the client as a KS3 error document:
//
//	<Error>
//	  <Code>NoSuchKey</Code>
//	  <Message>The specified key does not exist.</Message>
//	  <Resource>/bucket/key</Resource>
//	  <RequestId>7f3a…</RequestId>
//	</Error>
//
// Any other error returned by a handler is answered as 500 InternalError.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e apiError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message)
}

// withMessage returns a copy of e with a more specific message.
func (e apiError) withMessage(format string, args ...any) apiError {
	e.Message = fmt.Sprintf(format, args...)
	return e
}

// The errors the server answers with. Codes and statuses follow KS3's
// documented error table.
var (
	errAccessDenied          = apiError{http.StatusForbidden, "AccessDenied", "Access Denied."}
	errBadDigest             = apiError{http.StatusBadRequest, "BadDigest", "The Content-MD5 you specified did not match what we received."}
	errBucketAlreadyExists   = apiError{http.StatusConflict, "BucketAlreadyExists", "The requested bucket name is not available."}
	errBucketNotEmpty        = apiError{http.StatusConflict, "BucketNotEmpty", "The bucket you tried to delete is not empty."}
	errCallbackFail          = apiError{http.StatusBadRequest, "CallbackFail", "The callback server did not accept the upload."}
	errCallbackTimeout       = apiError{http.StatusBadRequest, "CallbackTimeout", "The callback server did not answer in time."}
	errEntityTooLarge        = apiError{http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size."}
	errEntityTooSmall        = apiError{http.StatusBadRequest, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size."}
	errIncompleteBody        = apiError{http.StatusBadRequest, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header."}
	errInternal              = apiError{http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again."}
	errInvalidAccessKeyID    = apiError{http.StatusForbidden, "InvalidAccessKeyId", "The access key Id you provided does not exist in our records."}
	errInvalidArgument       = apiError{http.StatusBadRequest, "InvalidArgument", "Invalid Argument."}
	errInvalidAuthorization  = apiError{http.StatusBadRequest, "InvalidAuthorizationString", "The authorization string is malformed."}
	errInvalidBucketName     = apiError{http.StatusBadRequest, "InvalidBucketName", "The specified bucket is not valid."}
	errInvalidDigest         = apiError{http.StatusBadRequest, "InvalidDigest", "The Content-MD5 you specified is not valid."}
	errInvalidKey            = apiError{http.StatusBadRequest, "InvalidKey", "The specified key is not valid."}
	errInvalidPart           = apiError{http.StatusBadRequest, "InvalidPart", "One or more of the specified parts could not be found or its entity tag did not match."}
	errInvalidPartNum        = apiError{http.StatusBadRequest, "InvalidPartNum", "Part number must be an integer between 1 and 10000, inclusive."}
	errInvalidPartOrder      = apiError{http.StatusBadRequest, "InvalidPartOrder", "The list of parts was not in ascending order and contiguous."}
	errInvalidRange          = apiError{http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range is not satisfiable."}
	errInvalidRequest        = apiError{http.StatusBadRequest, "InvalidRequest", "Invalid Request."}
	errInvalidStorageClass   = apiError{http.StatusBadRequest, "InvalidStorageClass", "The storage class you specified is not valid."}
	errInvalidURI            = apiError{http.StatusBadRequest, "InvalidURI", "Couldn't parse the specified URI."}
	errKeyTooLong            = apiError{http.StatusBadRequest, "KeyTooLong", "Your key is too long."}
	errMalformedXML          = apiError{http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema."}
	errMetadataTooLarge      = apiError{http.StatusBadRequest, "MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size."}
	errMethodNotAllowed      = apiError{http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource."}
	errNoSuchBucket          = apiError{http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist."}
	errNoSuchKey             = apiError{http.StatusNotFound, "NoSuchKey", "The specified key does not exist."}
	errNoSuchUpload          = apiError{http.StatusNotFound, "NoSuchUpload", "The specified multipart upload does not exist."}
	errNotImplemented        = apiError{http.StatusNotImplemented, "NotImplemented", "A header or query you provided implies functionality that is not implemented."}
	errRequestTimeTooSkewed  = apiError{http.StatusForbidden, "RequestTimeTooSkewed", "The difference between the request time and the server's time is too large."}
	errSignatureDoesNotMatch = apiError{http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."}
)

// errorDocument is the XML body of an error response.
type errorDocument struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	Resource  string   `xml:"Resource"`
	RequestID string   `xml:"RequestId"`
}

// writeError answers e; HEAD responses carry the status but no body.
func writeError(w http.ResponseWriter, r *http.Request, e apiError, resource, requestID string) {
	if r.Method == http.MethodHead {
		w.WriteHeader(e.Status)
		return
	}
	writeXML(w, e.Status, errorDocument{Code: e.Code, Message: e.Message, Resource: resource, RequestID: requestID})
}
