package ks3server

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

func (s *Server) initiateMultipartUpload(w http.ResponseWriter, r *http.Request, req *request) error {
	attrs, err := attrsFromRequest(r.Header)
	if err != nil {
		return err
	}
	now := s.now()
	u := uploadRecord{id: newUploadID(now), bucket: req.bucket, key: req.key, initiated: now, attrs: attrs}
	if err := s.store.createUpload(r.Context(), u); err != nil {
		return err
	}
	writeXML(w, http.StatusOK, initiateMultipartUploadResult{NS: s3Namespace, Bucket: u.bucket, Key: u.key, UploadID: u.id})
	return nil
}

// parsePartNumber reads partNumber: InvalidArgument if it is not a number,
// InvalidPartNum if it is outside 1..10000 (KS3's documented code).
func parsePartNumber(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, errInvalidArgument.withMessage("Part number must be an integer.")
	}
	if n < 1 || n > maxPartNumber {
		return 0, errInvalidPartNum
	}
	return n, nil
}

func (s *Server) uploadPart(w http.ResponseWriter, r *http.Request, req *request) error {
	ctx := r.Context()
	number, err := parsePartNumber(req.query.Get("partNumber"))
	if err != nil {
		return err
	}
	u, err := s.store.getUpload(ctx, req.bucket, req.key, req.query.Get("uploadId"))
	if err != nil {
		return err
	}
	digest, hasDigest, err := contentMD5(r.Header)
	if err != nil {
		return err
	}
	if r.ContentLength > maxPartSize {
		return errEntityTooLarge
	}
	blob, err := s.stageBody(r, maxPartSize)
	if err != nil {
		return err
	}
	if hasDigest && digest != blob.md5 {
		s.store.discard(blob)
		return errBadDigest
	}
	p := partRecord{number: number, etag: hex.EncodeToString(blob.md5[:]), modified: s.now()}
	if err := s.store.putPart(ctx, u, p, blob); err != nil {
		return err
	}
	w.Header().Set("ETag", quoteETag(p.etag))
	w.WriteHeader(http.StatusOK)
	return nil
}

// uploadPartCopy stores a part copied from (a byte range of) an object.
func (s *Server) uploadPartCopy(w http.ResponseWriter, r *http.Request, req *request) error {
	ctx := r.Context()
	number, err := parsePartNumber(req.query.Get("partNumber"))
	if err != nil {
		return err
	}
	u, err := s.store.getUpload(ctx, req.bucket, req.key, req.query.Get("uploadId"))
	if err != nil {
		return err
	}
	src, release, err := s.openCopySource(ctx, r, req)
	if err != nil {
		return err
	}
	defer release()
	br, err := copySourceRange(headerValue(r.Header, "copy-source-range"), src.size)
	if err != nil {
		return err
	}
	body := s.store.newSegmentReader(src.segments, br)
	defer body.Close()
	blob, err := s.store.stage(body, maxPartSize)
	if err != nil {
		return err
	}
	p := partRecord{number: number, etag: hex.EncodeToString(blob.md5[:]), modified: s.now()}
	if err := s.store.putPart(ctx, u, p, blob); err != nil {
		return err
	}
	writeXML(w, http.StatusOK, copyObjectResult{NS: s3Namespace, LastModified: isoTime(p.modified), ETag: quoteETag(p.etag)})
	return nil
}

// copySourceRange reads x-kss-copy-source-range: "bytes=first-last" within
// the source, or the whole source when absent.
func copySourceRange(v string, size int64) (byteRange, error) {
	if v == "" {
		return byteRange{length: size}, nil
	}
	spec, hasUnit := strings.CutPrefix(v, "bytes=")
	first, last, ok := strings.Cut(spec, "-")
	start, err1 := strconv.ParseInt(first, 10, 64)
	end, err2 := strconv.ParseInt(last, 10, 64)
	if !hasUnit || !ok || err1 != nil || err2 != nil || start < 0 || end < start || end >= size {
		return byteRange{}, errInvalidArgument.withMessage("The x-kss-copy-source-range %q is not valid for an object of %d bytes.", v, size)
	}
	return byteRange{start: start, length: end - start + 1}, nil
}

func (s *Server) completeMultipartUpload(w http.ResponseWriter, r *http.Request, req *request) error {
	ctx := r.Context()
	u, err := s.store.getUpload(ctx, req.bucket, req.key, req.query.Get("uploadId"))
	if err != nil {
		return err
	}
	cb, err := callbackFromRequest(r.Header)
	if err != nil {
		return err
	}
	var body completeMultipartUpload
	if err := readXMLBody(r, maxLargeBody, &body); err != nil {
		return err
	}
	existing, err := s.store.allParts(ctx, u.id)
	if err != nil {
		return err
	}
	chosen, err := chooseParts(body, existing)
	if err != nil {
		return err
	}
	o := objectRecord{bucket: u.bucket, key: u.key, etag: multipartETag(chosen), modified: s.now(), attrs: u.attrs}
	for _, p := range chosen {
		o.size += p.size
	}
	if cb != nil {
		err := s.callbacks.run(ctx, cb, callbackVars{
			bucket: o.bucket, key: o.key, etag: o.etag, mimeType: o.attrs.contentType, size: o.size, created: o.modified,
		})
		if err != nil {
			return err
		}
	}
	if err := s.store.completeUpload(ctx, u, o, chosen); err != nil {
		return err
	}
	writeXML(w, http.StatusOK, completeMultipartUploadResult{
		NS: s3Namespace, Location: objectLocation(r, req), Bucket: o.bucket, Key: o.key, ETag: quoteETag(o.etag),
	})
	return nil
}

// chooseParts checks the part list of a Complete request against the
// uploaded parts: ascending and contiguous (InvalidPartOrder), each uploaded
// with the given ETag (InvalidPart), each but the last at least 100 KiB
// (EntityTooSmall).
func chooseParts(body completeMultipartUpload, existing map[int]partRecord) ([]partRecord, error) {
	if len(body.Parts) == 0 {
		return nil, errMalformedXML.withMessage("The part list is empty.")
	}
	chosen := make([]partRecord, 0, len(body.Parts))
	for i, want := range body.Parts {
		if i > 0 && want.PartNumber != body.Parts[i-1].PartNumber+1 {
			return nil, errInvalidPartOrder
		}
		p, ok := existing[want.PartNumber]
		if !ok || !sameETag(p.etag, want.ETag) {
			return nil, errInvalidPart.withMessage("Part %d was not uploaded or its ETag does not match.", want.PartNumber)
		}
		chosen = append(chosen, p)
	}
	for _, p := range chosen[:len(chosen)-1] {
		if p.size < minPartSize {
			return nil, errEntityTooSmall.withMessage("Part %d is %d bytes; every part but the last needs at least %d.", p.number, p.size, minPartSize)
		}
	}
	return chosen, nil
}

// sameETag compares a stored hex ETag with one from a request, which may be
// quoted and in either case.
func sameETag(stored, given string) bool {
	return strings.EqualFold(stored, strings.Trim(strings.TrimSpace(given), `"`))
}

// multipartETag is the hex MD5 of the parts' binary MD5s joined, then "-N".
func multipartETag(parts []partRecord) string {
	h := md5.New()
	for _, p := range parts {
		raw, _ := hex.DecodeString(p.etag) // stored by this server as hex
		h.Write(raw)
	}
	return fmt.Sprintf("%x-%d", h.Sum(nil), len(parts))
}

// objectLocation is the URL of the object a request addressed.
func objectLocation(r *http.Request, req *request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if req.virtualHost {
		return scheme + "://" + r.Host + "/" + urlEncodeKey(req.key)
	}
	return scheme + "://" + r.Host + "/" + req.bucket + "/" + urlEncodeKey(req.key)
}

func (s *Server) abortMultipartUpload(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := s.store.abortUpload(r.Context(), req.bucket, req.key, req.query.Get("uploadId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
