package handlers

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/ks3sync/ks3sync/ks3server/apierr"
	"github.com/ks3sync/ks3sync/ks3server/callback"
	"github.com/ks3sync/ks3sync/ks3server/store"
)

func (h *Handler) initiateMultipartUpload(w http.ResponseWriter, r *http.Request, req *request) error {
	attrs, err := attrsFromRequest(r.Header)
	if err != nil {
		return err
	}
	now := h.now()
	u := store.Upload{ID: store.NewUploadID(now), Bucket: req.bucket, Key: req.key, Initiated: now, Attrs: attrs}
	if err := h.store.CreateUpload(r.Context(), u); err != nil {
		return err
	}
	writeXML(w, http.StatusOK, initiateMultipartUploadResult{NS: s3Namespace, Bucket: u.Bucket, Key: u.Key, UploadID: u.ID})
	return nil
}

// parsePartNumber reads partNumber: InvalidArgument if it is not a number,
// InvalidPartNum if it is outside 1..10000 (KS3's documented code).
func parsePartNumber(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, apierr.InvalidArgument.WithMessage("Part number must be an integer.")
	}
	if n < 1 || n > maxPartNumber {
		return 0, apierr.InvalidPartNum
	}
	return n, nil
}

func (h *Handler) uploadPart(w http.ResponseWriter, r *http.Request, req *request) error {
	ctx := r.Context()
	number, err := parsePartNumber(req.query.Get("partNumber"))
	if err != nil {
		return err
	}
	u, err := h.store.Upload(ctx, req.bucket, req.key, req.query.Get("uploadId"))
	if err != nil {
		return err
	}
	digest, hasDigest, err := contentMD5(r.Header)
	if err != nil {
		return err
	}
	if r.ContentLength > maxPartSize {
		return apierr.EntityTooLarge
	}
	blob, err := h.store.Stage(r.Body, maxPartSize)
	if err != nil {
		return err
	}
	sum := blob.MD5()
	if hasDigest && digest != sum {
		h.store.Discard(blob)
		return apierr.BadDigest
	}
	p := store.Part{Number: number, ETag: hex.EncodeToString(sum[:]), Modified: h.now()}
	if err := h.store.PutPart(ctx, u, p, blob); err != nil {
		return err
	}
	w.Header().Set("ETag", quoteETag(p.ETag))
	w.WriteHeader(http.StatusOK)
	return nil
}

// uploadPartCopy stores a part copied from (a byte range of) an object.
func (h *Handler) uploadPartCopy(w http.ResponseWriter, r *http.Request, req *request) error {
	ctx := r.Context()
	number, err := parsePartNumber(req.query.Get("partNumber"))
	if err != nil {
		return err
	}
	u, err := h.store.Upload(ctx, req.bucket, req.key, req.query.Get("uploadId"))
	if err != nil {
		return err
	}
	src, err := h.openCopySource(ctx, r, req)
	if err != nil {
		return err
	}
	defer src.Close()
	br, err := copySourceRange(headerValue(r.Header, "copy-source-range"), src.Size)
	if err != nil {
		return err
	}
	body := src.NewReader(br.start, br.length)
	defer body.Close()
	blob, err := h.store.Stage(body, maxPartSize)
	if err != nil {
		return err
	}
	sum := blob.MD5()
	p := store.Part{Number: number, ETag: hex.EncodeToString(sum[:]), Modified: h.now()}
	if err := h.store.PutPart(ctx, u, p, blob); err != nil {
		return err
	}
	writeXML(w, http.StatusOK, copyObjectResult{NS: s3Namespace, LastModified: isoTime(p.Modified), ETag: quoteETag(p.ETag)})
	return nil
}

func (h *Handler) completeMultipartUpload(w http.ResponseWriter, r *http.Request, req *request) error {
	ctx := r.Context()
	u, err := h.store.Upload(ctx, req.bucket, req.key, req.query.Get("uploadId"))
	if err != nil {
		return err
	}
	cb, err := callbackFor(r, req)
	if err != nil {
		return err
	}
	var body completeMultipartUpload
	if err := readXMLBody(r, maxLargeBody, &body); err != nil {
		return err
	}
	existing, err := h.store.AllParts(ctx, u.ID)
	if err != nil {
		return err
	}
	chosen, err := chooseParts(body, existing)
	if err != nil {
		return err
	}
	o := store.Object{Bucket: u.Bucket, Key: u.Key, ETag: multipartETag(chosen), Modified: h.now(), Attrs: u.Attrs}
	for _, p := range chosen {
		o.Size += p.Size
	}
	if cb != nil {
		err := h.callbacks.Run(ctx, cb, callback.Vars{
			Bucket: o.Bucket, Key: o.Key, ETag: o.ETag, MIMEType: o.Attrs.ContentType, Size: o.Size, Created: o.Modified,
		})
		if err != nil {
			return err
		}
	}
	if err := h.store.CompleteUpload(ctx, u, o, chosen); err != nil {
		return err
	}
	writeXML(w, http.StatusOK, completeMultipartUploadResult{
		NS: s3Namespace, Location: objectLocation(r, req), Bucket: o.Bucket, Key: o.Key, ETag: quoteETag(o.ETag),
	})
	return nil
}

// chooseParts checks the part list of a Complete request against the
// uploaded parts: ascending and contiguous (InvalidPartOrder), each uploaded
// with the given ETag (InvalidPart), each but the last at least 100 KiB
// (EntityTooSmall).
func chooseParts(body completeMultipartUpload, existing map[int]store.Part) ([]store.Part, error) {
	if len(body.Parts) == 0 {
		return nil, apierr.MalformedXML.WithMessage("The part list is empty.")
	}
	chosen := make([]store.Part, 0, len(body.Parts))
	for i, want := range body.Parts {
		if i > 0 && want.PartNumber != body.Parts[i-1].PartNumber+1 {
			return nil, apierr.InvalidPartOrder
		}
		p, ok := existing[want.PartNumber]
		if !ok || !sameETag(p.ETag, want.ETag) {
			return nil, apierr.InvalidPart.WithMessage("Part %d was not uploaded or its ETag does not match.", want.PartNumber)
		}
		chosen = append(chosen, p)
	}
	for _, p := range chosen[:len(chosen)-1] {
		if p.Size < minPartSize {
			return nil, apierr.EntityTooSmall.WithMessage("Part %d is %d bytes; every part but the last needs at least %d.", p.Number, p.Size, minPartSize)
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
func multipartETag(parts []store.Part) string {
	h := md5.New()
	for _, p := range parts {
		raw, _ := hex.DecodeString(p.ETag) // stored by this server as hex
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

func (h *Handler) abortMultipartUpload(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := h.store.AbortUpload(r.Context(), req.bucket, req.key, req.query.Get("uploadId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
