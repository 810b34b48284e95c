package handlers

import (
	"context"
	"encoding/xml"
	"errors"
	"net/http"

	"github.com/ks3sync/ks3sync/ks3server/apierr"
	"github.com/ks3sync/ks3sync/ks3server/store"
)

// Canned ACLs. Buckets and objects store one of them; "" on an object means
// it inherits its bucket's ACL (KS3's "default").
const (
	aclPrivate         = "private"
	aclPublicRead      = "public-read"
	aclPublicReadWrite = "public-read-write"
	aclDefault         = "default"
)

// allUsersURI is the grantee URI of KS3's everyone group.
const allUsersURI = "http://acs.ksyun.com/groups/global/AllUsers"

// Grant permissions.
const (
	permFullControl = "FULL_CONTROL"
	permRead        = "READ"
	permWrite       = "WRITE"
)

// access is what an operation needs from an anonymous caller.
type access int

const (
	accessOwner      access = iota // never anonymous
	accessBucketRead               // list the bucket
	accessObjectRead               // read an object
	accessWrite                    // write into the bucket
)

// opAccess says what each operation needs; operations not listed need the
// owner.
var opAccess = map[string]access{
	OpHeadBucket:              accessBucketRead,
	OpListObjects:             accessBucketRead,
	OpListObjectsV2:           accessBucketRead,
	OpHeadObject:              accessObjectRead,
	OpGetObject:               accessObjectRead,
	OpPutObject:               accessWrite,
	OpCopyObject:              accessWrite,
	OpDeleteObject:            accessWrite,
	OpDeleteObjects:           accessWrite,
	OpInitiateMultipartUpload: accessWrite,
	OpUploadPart:              accessWrite,
	OpUploadPartCopy:          accessWrite,
	OpCompleteMultipartUpload: accessWrite,
	OpAbortMultipartUpload:    accessWrite,
	OpListParts:               accessWrite,
	OpListMultipartUploads:    accessWrite,
}

// parseCannedACL validates a canned ACL header value; objects also accept
// "default". An absent header gives def.
func parseCannedACL(value string, forObject bool, def string) (string, error) {
	switch value {
	case "":
		return def, nil
	case aclPrivate, aclPublicRead, aclPublicReadWrite:
		return value, nil
	case aclDefault:
		if forObject {
			return "", nil
		}
	}
	return "", apierr.InvalidArgument.WithMessage("The canned ACL %q is not valid.", value)
}

// aclAllows reports whether a canned ACL lets everyone read or write.
func aclAllows(acl string, write bool) bool {
	if write {
		return acl == aclPublicReadWrite
	}
	return acl == aclPublicRead || acl == aclPublicReadWrite
}

// authorize loads the addressed bucket and, for anonymous requests, checks
// that the ACLs allow the operation.
func (h *Handler) authorize(ctx context.Context, req *request) error {
	if req.bucket != "" && req.op != OpCreateBucket && req.op != OpUnsupported && req.op != OpInvalid {
		b, err := h.store.Bucket(ctx, req.bucket)
		if err != nil {
			return err
		}
		req.bkt = b
	}
	if req.accessKey != "" {
		return nil
	}
	need, ok := opAccess[req.op]
	if !ok {
		return apierr.AccessDenied
	}
	switch need {
	case accessBucketRead:
		if aclAllows(req.bkt.ACL, false) {
			return nil
		}
	case accessWrite:
		if aclAllows(req.bkt.ACL, true) {
			return nil
		}
	case accessObjectRead:
		return h.authorizeObjectRead(ctx, req.bkt, req.key)
	}
	return apierr.AccessDenied
}

// authorizeObjectRead checks that everyone may read bucket/key: the object's
// own ACL decides, or the bucket's when the object inherits it. A missing
// object in a readable bucket is left to the handler to answer NoSuchKey.
func (h *Handler) authorizeObjectRead(ctx context.Context, b store.Bucket, key string) error {
	o, err := h.store.Object(ctx, b.Name, key)
	if errors.Is(err, store.ErrNoSuchKey) {
		if aclAllows(b.ACL, false) {
			return nil
		}
		return apierr.AccessDenied
	}
	if err != nil {
		return err
	}
	acl := o.Attrs.ACL
	if acl == "" {
		acl = b.ACL
	}
	if aclAllows(acl, false) {
		return nil
	}
	return apierr.AccessDenied
}

// policyFor returns the AccessControlPolicy document of a canned ACL.
func policyFor(acl string) accessControlPolicy {
	p := accessControlPolicy{NS: s3Namespace, Owner: serverOwner}
	p.Grants = append(p.Grants, grant{
		Grantee:    grantee{XSI: xsiNamespace, Type: "CanonicalUser", ID: serverOwner.ID, DisplayName: serverOwner.DisplayName},
		Permission: permFullControl,
	})
	everyone := grantee{XSI: xsiNamespace, Type: "Group", URI: allUsersURI}
	if aclAllows(acl, false) {
		p.Grants = append(p.Grants, grant{Grantee: everyone, Permission: permRead})
	}
	if aclAllows(acl, true) {
		p.Grants = append(p.Grants, grant{Grantee: everyone, Permission: permWrite})
	}
	return p
}

// policyRequest is the AccessControlPolicy body of PUT ?acl. Grantee types
// are read by local name, whatever prefix the xsi namespace has.
type policyRequest struct {
	XMLName xml.Name `xml:"AccessControlPolicy"`
	Grants  []struct {
		Grantee struct {
			Type string `xml:"type,attr"`
			ID   string `xml:"ID"`
			URI  string `xml:"URI"`
		} `xml:"Grantee"`
		Permission string `xml:"Permission"`
	} `xml:"AccessControlList>Grant"`
}

// cannedFromPolicy maps a policy document to the canned ACL it expresses.
// Only the owner and the everyone group can be granted permissions: this
// server has a single account.
func cannedFromPolicy(p policyRequest) (string, error) {
	var read, write bool
	for _, g := range p.Grants {
		switch {
		case g.Grantee.URI == allUsersURI:
			switch g.Permission {
			case permRead:
				read = true
			case permWrite:
				write = true
			case permFullControl:
				read, write = true, true
			default:
				return "", apierr.InvalidArgument.WithMessage("Permission %q cannot be granted to everyone here.", g.Permission)
			}
		case g.Grantee.ID == serverOwner.ID && g.Grantee.URI == "":
			// The owner always has full control.
		default:
			return "", apierr.InvalidArgument.WithMessage("Grants to other accounts or groups are not supported.")
		}
	}
	switch {
	case read && write:
		return aclPublicReadWrite, nil
	case read:
		return aclPublicRead, nil
	case write:
		return "", apierr.InvalidArgument.WithMessage("Write access for everyone needs read access too.")
	}
	return aclPrivate, nil
}

// aclFromRequest reads the canned ACL of a PUT ?acl request, from the
// x-kss-acl header or from an AccessControlPolicy body.
func aclFromRequest(r *http.Request, forObject bool) (string, error) {
	if v := headerValue(r.Header, "acl"); v != "" {
		return parseCannedACL(v, forObject, "")
	}
	var p policyRequest
	if err := readXMLBody(r, maxSmallBody, &p); err != nil {
		return "", err
	}
	return cannedFromPolicy(p)
}

func (h *Handler) getBucketACL(w http.ResponseWriter, r *http.Request, req *request) error {
	writeXML(w, http.StatusOK, policyFor(req.bkt.ACL))
	return nil
}

func (h *Handler) putBucketACL(w http.ResponseWriter, r *http.Request, req *request) error {
	acl, err := aclFromRequest(r, false)
	if err != nil {
		return err
	}
	if err := h.store.SetBucketACL(r.Context(), req.bucket, acl); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Handler) getObjectACL(w http.ResponseWriter, r *http.Request, req *request) error {
	o, err := h.store.Object(r.Context(), req.bucket, req.key)
	if err != nil {
		return err
	}
	acl := o.Attrs.ACL
	if acl == "" {
		acl = req.bkt.ACL
	}
	writeXML(w, http.StatusOK, policyFor(acl))
	return nil
}

func (h *Handler) putObjectACL(w http.ResponseWriter, r *http.Request, req *request) error {
	acl, err := aclFromRequest(r, true)
	if err != nil {
		return err
	}
	if err := h.store.SetObjectACL(r.Context(), req.bucket, req.key, acl); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}
