package handlers

import (
	"net/http"
	"net/netip"
	"strings"

	"github.com/ks3sync/ks3sync/ks3server/apierr"
	"github.com/ks3sync/ks3sync/ks3server/store"
)

// bucketTypes are the values of x-kss-bucket-type.
var bucketTypes = map[string]bool{
	"NORMAL": true, "IA": true, "DEEP_IA": true, "ARCHIVE": true,
	"COLD_ARCHIVE": true, "DEEP_COLD_ARCHIVE": true,
}

// ValidBucketName reports whether name is 3 to 63 characters of a-z, 0-9,
// '-', '_' and '.', neither starting nor ending with '-' or '.', without
// two adjacent dots, and not an IPv4 address.
func ValidBucketName(name string) bool {
	if len(name) < 3 || len(name) > 63 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	edge := func(c byte) bool { return c == '-' || c == '.' }
	if edge(name[0]) || edge(name[len(name)-1]) || strings.Contains(name, "..") {
		return false
	}
	_, err := netip.ParseAddr(name)
	return err != nil
}

func (h *Handler) listBuckets(w http.ResponseWriter, r *http.Request, req *request) error {
	buckets, err := h.store.Buckets(r.Context())
	if err != nil {
		return err
	}
	res := listAllMyBucketsResult{NS: s3Namespace, Owner: serverOwner}
	for _, b := range buckets {
		res.Buckets = append(res.Buckets, bucketEntry{
			Name: b.Name, CreationDate: isoTime(b.Created), Region: b.Location, Type: b.Type,
		})
	}
	writeXML(w, http.StatusOK, res)
	return nil
}

func (h *Handler) createBucket(w http.ResponseWriter, r *http.Request, req *request) error {
	if !ValidBucketName(req.bucket) {
		return apierr.InvalidBucketName.WithMessage("The specified bucket %q is not valid.", req.bucket)
	}
	acl, err := parseCannedACL(headerValue(r.Header, "acl"), false, aclPrivate)
	if err != nil {
		return err
	}
	typ := r.Header.Get("x-kss-bucket-type")
	if typ == "" {
		typ = "NORMAL"
	}
	if !bucketTypes[typ] {
		return apierr.InvalidArgument.WithMessage("The bucket type %q is not valid.", typ)
	}
	data, err := readBody(r, maxSmallBody)
	if err != nil {
		return err
	}
	var conf createBucketConfiguration
	if len(data) > 0 {
		if err := unmarshalXML(data, &conf); err != nil {
			return err
		}
	}
	b := store.Bucket{Name: req.bucket, Created: h.now(), ACL: acl, Location: conf.LocationConstraint, Type: typ}
	if err := h.store.CreateBucket(r.Context(), b); err != nil {
		return err
	}
	w.Header().Set("Location", "/"+req.bucket)
	w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Handler) deleteBucket(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := h.store.DeleteBucket(r.Context(), req.bucket); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// headBucket answers 200 for an existing bucket; authorize has answered 404
// already for a missing one.
func (h *Handler) headBucket(w http.ResponseWriter, r *http.Request, req *request) error {
	w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Handler) getBucketLocation(w http.ResponseWriter, r *http.Request, req *request) error {
	writeXML(w, http.StatusOK, locationConstraint{NS: s3Namespace, Location: req.bkt.Location})
	return nil
}
