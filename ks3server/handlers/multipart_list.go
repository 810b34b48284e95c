package handlers

import (
	"net/http"
	"strconv"

	"github.com/ks3sync/ks3sync/ks3server/apierr"
	"github.com/ks3sync/ks3sync/ks3server/store"
)

func (h *Handler) listParts(w http.ResponseWriter, r *http.Request, req *request) error {
	ctx := r.Context()
	q := req.query
	u, err := h.store.Upload(ctx, req.bucket, req.key, q.Get("uploadId"))
	if err != nil {
		return err
	}
	max, err := parseMax(q, "max-parts", defaultListLimit)
	if err != nil {
		return err
	}
	if err := checkEncodingType(q); err != nil {
		return err
	}
	marker := 0
	if v := q.Get("part-number-marker"); v != "" {
		if marker, err = strconv.Atoi(v); err != nil || marker < 0 {
			return apierr.InvalidArgument.WithMessage("part-number-marker must be a non-negative integer.")
		}
	}
	parts, truncated, err := h.store.ListParts(ctx, u.ID, marker, max)
	if err != nil {
		return err
	}
	initiator := ns2Owner(serverOwner)
	res := listPartsResult{
		NS: s3Namespace, Bucket: u.Bucket, Key: listEncoder(q)(u.Key), UploadID: u.ID, Initiator: initiator, Owner: initiator,
		StorageClass: u.Attrs.StorageClass, PartNumberMarker: marker, MaxParts: max, EncodingType: q.Get("encoding-type"),
		IsTruncated: truncated,
	}
	for _, p := range parts {
		res.Parts = append(res.Parts, partEntry{
			PartNumber: p.Number, LastModified: isoTime(p.Modified), ETag: quoteETag(p.ETag), Size: p.Size,
		})
		res.NextPartNumberMarker = p.Number
	}
	writeXML(w, http.StatusOK, res)
	return nil
}

func (h *Handler) listMultipartUploads(w http.ResponseWriter, r *http.Request, req *request) error {
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
	page, err := h.store.ListUploads(r.Context(), req.bucket, store.ListQuery{Prefix: prefix, Delimiter: delim, Marker: keyMarker, UploadIDMarker: idMarker, Max: max})
	if err != nil {
		return err
	}
	enc := listEncoder(q)
	res := listMultipartUploadsResult{
		NS: s3Namespace, Bucket: req.bucket, KeyMarker: enc(keyMarker), UploadIDMarker: idMarker,
		Prefix: enc(prefix), Delimiter: enc(delim), MaxUploads: max, EncodingType: q.Get("encoding-type"),
		IsTruncated: page.Truncated,
	}
	if page.Truncated {
		res.NextKeyMarker = enc(page.Next)
		if !page.NextIsPrefix {
			res.NextUploadIDMarker = page.Entries[len(page.Entries)-1].ID
		}
	}
	for _, u := range page.Entries {
		res.Uploads = append(res.Uploads, uploadEntry{
			Key: enc(u.Key), UploadID: u.ID, Initiator: serverOwner, Owner: serverOwner,
			StorageClass: u.StorageClass, Initiated: isoTime(u.Initiated),
		})
	}
	res.CommonPrefixes = commonPrefixes(page.Prefixes, enc)
	writeXML(w, http.StatusOK, res)
	return nil
}
