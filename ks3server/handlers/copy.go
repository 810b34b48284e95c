package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/ks3sync/ks3sync/ks3server/apierr"
	"github.com/ks3sync/ks3sync/ks3server/store"
)

// Metadata directives of CopyObject.
const (
	directiveCopy    = "COPY"
	directiveReplace = "REPLACE"
)

// parseCopySource reads x-kss-copy-source (or x-amz-copy-source):
// "/bucket/key", form-decoded so that both the Python SDK's quote_plus and
// path encoding work, with an optional "?versionId=…" suffix that is
// ignored (this server keeps no versions).
func parseCopySource(value string) (bucket, key string, err error) {
	raw, _, _ := strings.Cut(value, "?")
	decoded, err := url.QueryUnescape(raw)
	if err != nil {
		return "", "", apierr.InvalidArgument.WithMessage("The copy source is not correctly encoded.")
	}
	bucket, key, _ = strings.Cut(strings.TrimPrefix(decoded, "/"), "/")
	if bucket == "" || key == "" {
		return "", "", apierr.InvalidArgument.WithMessage("The copy source must name a bucket and a key.")
	}
	return bucket, key, nil
}

// openCopySource opens the source object of a copy, checking that an
// anonymous caller may read it. The caller must Close it.
func (h *Handler) openCopySource(ctx context.Context, r *http.Request, req *request) (*store.Handle, error) {
	bucket, key, err := parseCopySource(headerValue(r.Header, "copy-source"))
	if err != nil {
		return nil, err
	}
	if req.accessKey == "" {
		b, err := h.store.Bucket(ctx, bucket)
		if err != nil {
			return nil, err
		}
		if err := h.authorizeObjectRead(ctx, b, key); err != nil {
			return nil, err
		}
	}
	return h.store.OpenObject(ctx, bucket, key)
}

func (h *Handler) copyObject(w http.ResponseWriter, r *http.Request, req *request) error {
	ctx := r.Context()
	directive := strings.ToUpper(headerValue(r.Header, "metadata-directive"))
	if directive == "" {
		directive = directiveCopy
	}
	if directive != directiveCopy && directive != directiveReplace {
		return apierr.InvalidArgument.WithMessage("Unknown metadata directive %q.", directive)
	}
	src, err := h.openCopySource(ctx, r, req)
	if err != nil {
		return err
	}
	defer src.Close()
	attrs, err := copyAttrs(r.Header, src.Object, directive)
	if err != nil {
		return err
	}
	if src.Bucket == req.bucket && src.Key == req.key && directive == directiveCopy && headerValue(r.Header, "storage-class") == "" {
		return apierr.InvalidRequest.WithMessage("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata or storage class.")
	}
	o := store.Object{Bucket: req.bucket, Key: req.key, Size: src.Size, ETag: src.ETag, Modified: h.now(), Attrs: attrs}
	if err := h.store.CopyObject(ctx, src, o); err != nil {
		return err
	}
	writeXML(w, http.StatusOK, copyObjectResult{NS: s3Namespace, LastModified: isoTime(o.Modified), ETag: quoteETag(o.ETag)})
	return nil
}

// copyAttrs returns the properties of a copy: the source's with COPY, the
// request's with REPLACE. A storage class or ACL header applies either way.
func copyAttrs(hdr http.Header, src store.Object, directive string) (store.Attrs, error) {
	if directive == directiveReplace {
		return attrsFromRequest(hdr)
	}
	attrs := src.Attrs
	var err error
	if headerValue(hdr, "storage-class") != "" {
		if attrs.StorageClass, err = storageClassFromHeader(hdr); err != nil {
			return attrs, err
		}
	}
	if attrs.ACL, err = parseCannedACL(headerValue(hdr, "acl"), true, ""); err != nil {
		return attrs, err
	}
	return attrs, nil
}
