package handlers

// Operation names, as Stats counts them and an Interceptor sees them.
const (
	OpListBuckets             = "ListBuckets"
	OpCreateBucket            = "CreateBucket"
	OpDeleteBucket            = "DeleteBucket"
	OpHeadBucket              = "HeadBucket"
	OpGetBucketLocation       = "GetBucketLocation"
	OpGetBucketACL            = "GetBucketACL"
	OpPutBucketACL            = "PutBucketACL"
	OpListObjects             = "ListObjects"
	OpListObjectsV2           = "ListObjectsV2"
	OpHeadObject              = "HeadObject"
	OpGetObject               = "GetObject"
	OpPutObject               = "PutObject"
	OpCopyObject              = "CopyObject"
	OpDeleteObject            = "DeleteObject"
	OpDeleteObjects           = "DeleteObjects"
	OpGetObjectACL            = "GetObjectACL"
	OpPutObjectACL            = "PutObjectACL"
	OpInitiateMultipartUpload = "InitiateMultipartUpload"
	OpUploadPart              = "UploadPart"
	OpUploadPartCopy          = "UploadPartCopy"
	OpCompleteMultipartUpload = "CompleteMultipartUpload"
	OpAbortMultipartUpload    = "AbortMultipartUpload"
	OpListParts               = "ListParts"
	OpListMultipartUploads    = "ListMultipartUploads"
	// OpUnsupported names requests for features this server does not have
	// (lifecycle, CORS, policies, …); they are answered 501 NotImplemented.
	OpUnsupported = "Unsupported"
	// OpInvalid names requests that could not be parsed at all.
	OpInvalid = "Invalid"
)

// Operations returns every operation name a request can be routed to,
// OpUnsupported and OpInvalid included.
func Operations() []string {
	return []string{
		OpListBuckets, OpCreateBucket, OpDeleteBucket, OpHeadBucket, OpGetBucketLocation,
		OpGetBucketACL, OpPutBucketACL, OpListObjects, OpListObjectsV2, OpHeadObject,
		OpGetObject, OpPutObject, OpCopyObject, OpDeleteObject, OpDeleteObjects,
		OpGetObjectACL, OpPutObjectACL, OpInitiateMultipartUpload, OpUploadPart,
		OpUploadPartCopy, OpCompleteMultipartUpload, OpAbortMultipartUpload, OpListParts,
		OpListMultipartUploads, OpUnsupported, OpInvalid,
	}
}
