package handlers

import (
	"crypto/md5"
	"net/http"

	"github.com/ks3sync/ks3sync/ks3server/apierr"
	"github.com/ks3sync/ks3sync/ks3server/auth"
)

// maxDeleteKeys is the most keys one multi-object delete may name.
const maxDeleteKeys = 1000

func (h *Handler) deleteObjects(w http.ResponseWriter, r *http.Request, req *request) error {
	digest, hasMD5, err := contentMD5(r.Header)
	if err != nil {
		return err
	}
	// S3 clients may send an x-amz-checksum-* header instead of Content-MD5.
	sum := auth.ChecksumFromHeader(r.Header)
	if !hasMD5 && sum == nil {
		return apierr.InvalidRequest.WithMessage("Missing required header for this request: Content-MD5.")
	}
	data, err := readBody(r, maxLargeBody)
	if err != nil {
		return err
	}
	if hasMD5 && md5.Sum(data) != digest {
		return apierr.BadDigest
	}
	if sum != nil {
		sum.Write(data)
		if err := sum.Check(); err != nil {
			return err
		}
	}
	var body deleteRequest
	if err := unmarshalXML(data, &body); err != nil {
		return err
	}
	if len(body.Objects) == 0 || len(body.Objects) > maxDeleteKeys {
		return apierr.MalformedXML.WithMessage("A multi-object delete names between 1 and %d keys.", maxDeleteKeys)
	}
	keys := make([]string, 0, len(body.Objects))
	for _, o := range body.Objects {
		keys = append(keys, o.Key)
	}
	if err := h.store.DeleteObjects(r.Context(), req.bucket, keys); err != nil {
		return err
	}
	res := deleteResult{NS: s3Namespace}
	if !body.Quiet {
		enc := listEncoder(req.query)
		for _, k := range keys {
			res.Deleted = append(res.Deleted, deletedEntry{Key: enc(k)})
		}
	}
	writeXML(w, http.StatusOK, res)
	return nil
}
