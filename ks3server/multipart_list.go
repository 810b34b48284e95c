package ks3server

import (
	"net/http"
	"strconv"
)

func (s *Server) listParts(w http.ResponseWriter, r *http.Request, req *request) error {
	ctx := r.Context()
	q := req.query
	u, err := s.store.getUpload(ctx, req.bucket, req.key, q.Get("uploadId"))
	if err != nil {
		return err
	}
	max, err := parseMax(q, "max-parts", defaultListLimit)
	if err != nil {
		return err
	}
	marker := 0
	if v := q.Get("part-number-marker"); v != "" {
		if marker, err = strconv.Atoi(v); err != nil || marker < 0 {
			return errInvalidArgument.withMessage("part-number-marker must be a non-negative integer.")
		}
	}
	parts, truncated, err := s.store.listParts(ctx, u.id, marker, max)
	if err != nil {
		return err
	}
	initiator := ns2Owner{ID: serverOwner.ID, DisplayName: serverOwner.DisplayName}
	res := listPartsResult{
		NS: s3Namespace, Bucket: u.bucket, Key: u.key, UploadID: u.id, Initiator: initiator, Owner: initiator,
		StorageClass: u.attrs.storageClass, PartNumberMarker: marker, MaxParts: max, IsTruncated: truncated,
	}
	for _, p := range parts {
		res.Parts = append(res.Parts, partEntry{
			PartNumber: p.number, LastModified: isoTime(p.modified), ETag: quoteETag(p.etag), Size: p.size,
		})
		res.NextPartNumberMarker = p.number
	}
	writeXML(w, http.StatusOK, res)
	return nil
}

func (s *Server) listMultipartUploads(w http.ResponseWriter, r *http.Request, req *request) error {
	q := req.query
	prefix, delim := q.Get("prefix"), q.Get("delimiter")
	keyMarker, idMarker := q.Get("key-marker"), q.Get("upload-id-marker")
	max, err := parseMax(q, "max-uploads", defaultListLimit)
	if err != nil {
		return err
	}
	if err := checkEncodingType(q); err != nil {
		return err
	}
	page, err := s.store.listUploads(r.Context(), req.bucket, prefix, delim, keyMarker, idMarker, max)
	if err != nil {
		return err
	}
	enc := listEncoder(q)
	res := listMultipartUploadsResult{
		NS: s3Namespace, Bucket: req.bucket, KeyMarker: enc(keyMarker), UploadIDMarker: idMarker,
		Prefix: enc(prefix), Delimiter: enc(delim), MaxUploads: max, EncodingType: q.Get("encoding-type"),
		IsTruncated: page.truncated,
	}
	if page.truncated {
		res.NextKeyMarker = enc(page.next)
		if !page.nextIsPrefix {
			res.NextUploadIDMarker = page.entries[len(page.entries)-1].id
		}
	}
	for _, u := range page.entries {
		res.Uploads = append(res.Uploads, uploadEntry{
			Key: enc(u.key), UploadID: u.id, Initiator: serverOwner, Owner: serverOwner,
			StorageClass: u.storageClass, Initiated: isoTime(u.initiated),
		})
	}
	res.CommonPrefixes = commonPrefixes(page.prefixes, enc)
	writeXML(w, http.StatusOK, res)
	return nil
}
