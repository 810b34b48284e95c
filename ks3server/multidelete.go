package ks3server

import (
	"crypto/md5"
	"net/http"
)

// maxDeleteKeys is the most keys one multi-object delete may name.
const maxDeleteKeys = 1000

func (s *Server) deleteObjects(w http.ResponseWriter, r *http.Request, req *request) error {
	digest, hasMD5, err := contentMD5(r.Header)
	if err != nil {
		return err
	}
	// S3 clients may send an x-amz-checksum-* header instead of Content-MD5.
	sum := checksumFromHeader(r.Header)
	if !hasMD5 && sum == nil {
		return errInvalidRequest.withMessage("Missing required header for this request: Content-MD5.")
	}
	data, err := readBody(r, maxLargeBody)
	if err != nil {
		return err
	}
	if hasMD5 && md5.Sum(data) != digest {
		return errBadDigest
	}
	if sum != nil {
		sum.Write(data)
		if err := sum.check(); err != nil {
			return err
		}
	}
	var body deleteRequest
	if err := unmarshalXML(data, &body); err != nil {
		return err
	}
	if len(body.Objects) == 0 || len(body.Objects) > maxDeleteKeys {
		return errMalformedXML.withMessage("A multi-object delete names between 1 and %d keys.", maxDeleteKeys)
	}
	keys := make([]string, 0, len(body.Objects))
	for _, o := range body.Objects {
		keys = append(keys, o.Key)
	}
	if err := s.store.deleteObjects(r.Context(), req.bucket, keys); err != nil {
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
