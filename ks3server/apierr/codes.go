package apierr

import "net/http"

// The errors the server answers with. Codes and statuses follow KS3's
// documented error table, and S3's for the SigV4 and checksum errors that
// only S3 clients meet.
var (
	AccessDenied          = Error{http.StatusForbidden, "AccessDenied", "Access Denied."}
	BadDigest             = Error{http.StatusBadRequest, "BadDigest", "The Content-MD5 you specified did not match what we received."}
	BucketAlreadyExists   = Error{http.StatusConflict, "BucketAlreadyExists", "The requested bucket name is not available."}
	BucketNotEmpty        = Error{http.StatusConflict, "BucketNotEmpty", "The bucket you tried to delete is not empty."}
	CallbackFail          = Error{http.StatusBadRequest, "CallbackFail", "The callback server did not accept the upload."}
	CallbackTimeout       = Error{http.StatusBadRequest, "CallbackTimeout", "The callback server did not answer in time."}
	EntityTooLarge        = Error{http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size."}
	EntityTooSmall        = Error{http.StatusBadRequest, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size."}
	IncompleteBody        = Error{http.StatusBadRequest, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header."}
	Internal              = Error{http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again."}
	InvalidAccessKeyID    = Error{http.StatusForbidden, "InvalidAccessKeyId", "The access key Id you provided does not exist in our records."}
	InvalidArgument       = Error{http.StatusBadRequest, "InvalidArgument", "Invalid Argument."}
	InvalidAuthorization  = Error{http.StatusBadRequest, "InvalidAuthorizationString", "The authorization string is malformed."}
	InvalidBucketName     = Error{http.StatusBadRequest, "InvalidBucketName", "The specified bucket is not valid."}
	InvalidDigest         = Error{http.StatusBadRequest, "InvalidDigest", "The Content-MD5 you specified is not valid."}
	InvalidKey            = Error{http.StatusBadRequest, "InvalidKey", "The specified key is not valid."}
	InvalidPart           = Error{http.StatusBadRequest, "InvalidPart", "One or more of the specified parts could not be found or its entity tag did not match."}
	InvalidPartNum        = Error{http.StatusBadRequest, "InvalidPartNum", "Part number must be an integer between 1 and 10000, inclusive."}
	InvalidPartOrder      = Error{http.StatusBadRequest, "InvalidPartOrder", "The list of parts was not in ascending order and contiguous."}
	InvalidRange          = Error{http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range is not satisfiable."}
	InvalidRequest        = Error{http.StatusBadRequest, "InvalidRequest", "Invalid Request."}
	InvalidStorageClass   = Error{http.StatusBadRequest, "InvalidStorageClass", "The storage class you specified is not valid."}
	InvalidURI            = Error{http.StatusBadRequest, "InvalidURI", "Couldn't parse the specified URI."}
	KeyTooLong            = Error{http.StatusBadRequest, "KeyTooLong", "Your key is too long."}
	MalformedXML          = Error{http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema."}
	MetadataTooLarge      = Error{http.StatusBadRequest, "MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size."}
	MethodNotAllowed      = Error{http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource."}
	NoSuchBucket          = Error{http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist."}
	NoSuchKey             = Error{http.StatusNotFound, "NoSuchKey", "The specified key does not exist."}
	NoSuchUpload          = Error{http.StatusNotFound, "NoSuchUpload", "The specified multipart upload does not exist."}
	NotImplemented        = Error{http.StatusNotImplemented, "NotImplemented", "A header or query you provided implies functionality that is not implemented."}
	RequestTimeTooSkewed  = Error{http.StatusForbidden, "RequestTimeTooSkewed", "The difference between the request time and the server's time is too large."}
	SignatureDoesNotMatch = Error{http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."}
	SlowDown              = Error{http.StatusServiceUnavailable, "SlowDown", "Please reduce your request rate."}

	AuthorizationHeaderMalformed = Error{http.StatusBadRequest, "AuthorizationHeaderMalformed", "The authorization header is malformed."}
	AuthorizationQueryParameters = Error{http.StatusBadRequest, "AuthorizationQueryParametersError", "The presigned URL's X-Amz-* parameters are malformed."}
	ContentSHA256Mismatch        = Error{http.StatusBadRequest, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed."}
	MissingContentLength         = Error{http.StatusLengthRequired, "MissingContentLength", "You must provide the Content-Length HTTP header."}
)
