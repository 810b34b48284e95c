package ks3server

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
)

func (s *Server) putObject(w http.ResponseWriter, r *http.Request, req *request) error {
	attrs, err := attrsFromRequest(r.Header)
	if err != nil {
		return err
	}
	digest, hasDigest, err := contentMD5(r.Header)
	if err != nil {
		return err
	}
	cb, err := callbackFromRequest(r.Header)
	if err != nil {
		return err
	}
	if r.ContentLength > maxObjectSize {
		return errEntityTooLarge
	}
	blob, err := s.stageBody(r, maxObjectSize)
	if err != nil {
		return err
	}
	if hasDigest && digest != blob.md5 {
		s.store.discard(blob)
		return errBadDigest
	}
	o := objectRecord{
		bucket: req.bucket, key: req.key, size: blob.size,
		etag: hex.EncodeToString(blob.md5[:]), modified: s.now(), attrs: attrs,
	}
	if cb != nil {
		err := s.callbacks.run(r.Context(), cb, callbackVars{
			bucket: o.bucket, key: o.key, etag: base64.StdEncoding.EncodeToString(blob.md5[:]),
			mimeType: attrs.contentType, size: o.size, created: o.modified,
		})
		if err != nil {
			s.store.discard(blob)
			return err
		}
	}
	if err := s.store.putObject(r.Context(), o, []stagedBlob{blob}); err != nil {
		return err
	}
	w.Header().Set("ETag", quoteETag(o.etag))
	w.WriteHeader(http.StatusOK)
	return nil
}

// stageBody streams the request body into a staged blob.
func (s *Server) stageBody(r *http.Request, limit int64) (stagedBlob, error) {
	blob, err := s.store.stage(r.Body, limit)
	var be bodyError
	if errors.As(err, &be) {
		return blob, errIncompleteBody
	}
	return blob, err
}

func (s *Server) headObject(w http.ResponseWriter, r *http.Request, req *request) error {
	o, err := s.store.getObject(r.Context(), req.bucket, req.key)
	if err != nil {
		return err
	}
	br, err := parseRange(r.Header.Get("Range"), o.size)
	if err != nil {
		return err
	}
	s.writeObjectHead(w, o, br, req)
	return nil
}

func (s *Server) getObject(w http.ResponseWriter, r *http.Request, req *request) error {
	o, release, err := s.store.openObject(r.Context(), req.bucket, req.key)
	if err != nil {
		return err
	}
	defer release()
	br, err := parseRange(r.Header.Get("Range"), o.size)
	if err != nil {
		w.Header().Set("Content-Range", "bytes */"+strconv.FormatInt(o.size, 10))
		return err
	}
	body := s.store.newSegmentReader(o.segments, br)
	defer body.Close()
	s.writeObjectHead(w, o, br, req)
	if _, err := io.CopyBuffer(w, readerOnly{body}, make([]byte, copyBufferSize)); err != nil {
		return err
	}
	return nil
}

// writeObjectHead sends the status line and headers of a HEAD or GET.
func (s *Server) writeObjectHead(w http.ResponseWriter, o objectRecord, br byteRange, req *request) {
	h := w.Header()
	setObjectHeaders(h, o, req.query)
	setContentLength(h, br.length)
	if br.partial {
		h.Set("Content-Range", br.contentRange(o.size))
		w.WriteHeader(http.StatusPartialContent)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (s *Server) deleteObject(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := s.store.deleteObjects(r.Context(), req.bucket, []string{req.key}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
