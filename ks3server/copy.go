package ks3server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
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
		return "", "", errInvalidArgument.withMessage("The copy source is not correctly encoded.")
	}
	bucket, key, _ = strings.Cut(strings.TrimPrefix(decoded, "/"), "/")
	if bucket == "" || key == "" {
		return "", "", errInvalidArgument.withMessage("The copy source must name a bucket and a key.")
	}
	return bucket, key, nil
}

// openCopySource opens the source object of a copy, checking that an
// anonymous caller may read it. The caller must call release.
func (s *Server) openCopySource(ctx context.Context, r *http.Request, req *request) (objectRecord, func(), error) {
	bucket, key, err := parseCopySource(headerValue(r.Header, "copy-source"))
	if err != nil {
		return objectRecord{}, nil, err
	}
	if req.accessKey == "" {
		b, err := s.store.getBucket(ctx, bucket)
		if err != nil {
			return objectRecord{}, nil, err
		}
		if err := s.authorizeObjectRead(ctx, b, key); err != nil {
			return objectRecord{}, nil, err
		}
	}
	return s.store.openObject(ctx, bucket, key)
}

func (s *Server) copyObject(w http.ResponseWriter, r *http.Request, req *request) error {
	ctx := r.Context()
	directive := strings.ToUpper(headerValue(r.Header, "metadata-directive"))
	if directive == "" {
		directive = directiveCopy
	}
	if directive != directiveCopy && directive != directiveReplace {
		return errInvalidArgument.withMessage("Unknown metadata directive %q.", directive)
	}
	src, release, err := s.openCopySource(ctx, r, req)
	if err != nil {
		return err
	}
	defer release()
	attrs, err := copyAttrs(r.Header, src, directive)
	if err != nil {
		return err
	}
	if src.bucket == req.bucket && src.key == req.key && directive == directiveCopy && headerValue(r.Header, "storage-class") == "" {
		return errInvalidRequest.withMessage("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata or storage class.")
	}
	blobs, err := s.linkSegments(src.segments)
	if err != nil {
		return err
	}
	o := objectRecord{bucket: req.bucket, key: req.key, size: src.size, etag: src.etag, modified: s.now(), attrs: attrs}
	if err := s.store.putObject(ctx, o, blobs); err != nil {
		return err
	}
	writeXML(w, http.StatusOK, copyObjectResult{NS: s3Namespace, LastModified: isoTime(o.modified), ETag: quoteETag(o.etag)})
	return nil
}

// copyAttrs returns the properties of a copy: the source's with COPY, the
// request's with REPLACE. A storage class or ACL header applies either way.
func copyAttrs(h http.Header, src objectRecord, directive string) (objectAttrs, error) {
	if directive == directiveReplace {
		return attrsFromRequest(h)
	}
	attrs := src.attrs
	var err error
	if headerValue(h, "storage-class") != "" {
		if attrs.storageClass, err = storageClassFromHeader(h); err != nil {
			return attrs, err
		}
	}
	if attrs.acl, err = parseCannedACL(headerValue(h, "acl"), true, ""); err != nil {
		return attrs, err
	}
	return attrs, nil
}

// linkSegments stages a copy of each segment.
func (s *Server) linkSegments(segs []segment) ([]stagedBlob, error) {
	blobs := make([]stagedBlob, 0, len(segs))
	for _, seg := range segs {
		b, err := s.store.stageLink(seg.blob)
		if err != nil {
			s.store.discard(blobs...)
			return nil, err
		}
		b.size = seg.size
		blobs = append(blobs, b)
	}
	return blobs, nil
}
