package handlers

import (
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"

	"github.com/ks3sync/ks3sync/ks3server/apierr"
	"github.com/ks3sync/ks3sync/ks3server/callback"
	"github.com/ks3sync/ks3sync/ks3server/store"
)

// copyBufferSize is the buffer that streams object bodies.
const copyBufferSize = 256 << 10

func (h *Handler) putObject(w http.ResponseWriter, r *http.Request, req *request) error {
	attrs, err := attrsFromRequest(r.Header)
	if err != nil {
		return err
	}
	digest, hasDigest, err := contentMD5(r.Header)
	if err != nil {
		return err
	}
	cb, err := callbackFor(r, req)
	if err != nil {
		return err
	}
	if r.ContentLength > maxObjectSize {
		return apierr.EntityTooLarge
	}
	blob, err := h.store.Stage(r.Body, maxObjectSize)
	if err != nil {
		return err
	}
	sum := blob.MD5()
	if hasDigest && digest != sum {
		h.store.Discard(blob)
		return apierr.BadDigest
	}
	o := store.Object{
		Bucket: req.bucket, Key: req.key, Size: blob.Size(),
		ETag: hex.EncodeToString(sum[:]), Modified: h.now(), Attrs: attrs,
	}
	if cb != nil {
		err := h.callbacks.Run(r.Context(), cb, callback.Vars{
			Bucket: o.Bucket, Key: o.Key, ETag: base64.StdEncoding.EncodeToString(sum[:]),
			MIMEType: attrs.ContentType, Size: o.Size, Created: o.Modified,
		})
		if err != nil {
			h.store.Discard(blob)
			return err
		}
	}
	if err := h.store.PutObject(r.Context(), o, blob); err != nil {
		return err
	}
	w.Header().Set("ETag", quoteETag(o.ETag))
	w.WriteHeader(http.StatusOK)
	return nil
}

// callbackFor returns the upload callback a request asks for, or nil.
// Only a signed request may make the server call out.
func callbackFor(r *http.Request, req *request) (*callback.Spec, error) {
	cb, err := callback.FromHeader(r.Header)
	if err != nil || cb == nil {
		return nil, err
	}
	if req.accessKey == "" {
		return nil, apierr.AccessDenied.WithMessage("Upload callbacks need a signed request.")
	}
	return cb, nil
}

func (h *Handler) headObject(w http.ResponseWriter, r *http.Request, req *request) error {
	o, err := h.store.Object(r.Context(), req.bucket, req.key)
	if err != nil {
		return err
	}
	br, err := parseRange(r.Header.Get("Range"), o.Size)
	if err != nil {
		return err
	}
	writeObjectHead(w, o, br, req)
	return nil
}

func (h *Handler) getObject(w http.ResponseWriter, r *http.Request, req *request) error {
	obj, err := h.store.OpenObject(r.Context(), req.bucket, req.key)
	if err != nil {
		return err
	}
	defer obj.Close()
	br, err := parseRange(r.Header.Get("Range"), obj.Size)
	if err != nil {
		w.Header().Set("Content-Range", "bytes */"+strconv.FormatInt(obj.Size, 10))
		return err
	}
	body := obj.NewReader(br.start, br.length)
	defer body.Close()
	writeObjectHead(w, obj.Object, br, req)
	if _, err := io.CopyBuffer(w, readerOnly{body}, make([]byte, copyBufferSize)); err != nil {
		return err
	}
	return nil
}

// writeObjectHead sends the status line and headers of a HEAD or GET.
func writeObjectHead(w http.ResponseWriter, o store.Object, br byteRange, req *request) {
	hdr := w.Header()
	setObjectHeaders(hdr, o, req.query)
	setContentLength(hdr, br.length)
	if br.partial {
		hdr.Set("Content-Range", br.contentRange(o.Size))
		w.WriteHeader(http.StatusPartialContent)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (h *Handler) deleteObject(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := h.store.DeleteObjects(r.Context(), req.bucket, []string{req.key}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// readerOnly hides WriterTo/ReaderFrom so that io.CopyBuffer uses its buffer.
type readerOnly struct{ io.Reader }
