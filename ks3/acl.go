package ks3

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// Grantee types and the group of all users.
const (
	GranteeCanonicalUser = "CanonicalUser"
	GranteeGroup         = "Group"
	AllUsersURI          = "http://acs.ksyun.com/groups/global/AllUsers"
)

// Grant gives a grantee a permission: "FULL_CONTROL", "READ" or "WRITE".
type Grant struct {
	// GranteeType is GranteeCanonicalUser (ID and DisplayName are set) or
	// GranteeGroup (URI is set).
	GranteeType string
	ID          string
	DisplayName string
	URI         string
	Permission  string
}

// AccessControlPolicy is the ACL of a bucket or object.
type AccessControlPolicy struct {
	Owner  Owner
	Grants []Grant
}

const xsiNamespace = "http://www.w3.org/2001/XMLSchema-instance"

type xmlACL struct {
	XMLName xml.Name   `xml:"AccessControlPolicy"`
	Owner   Owner      `xml:"Owner"`
	Grants  []xmlGrant `xml:"AccessControlList>Grant"`
}

type xmlGrant struct {
	Grantee    xmlGrantee `xml:"Grantee"`
	Permission string     `xml:"Permission"`
}

type xmlGrantee struct {
	Type        string `xml:"type,attr"` // xsi:type; matched by local name
	ID          string `xml:"ID,omitempty"`
	DisplayName string `xml:"DisplayName,omitempty"`
	URI         string `xml:"URI,omitempty"`
}

// MarshalXML writes the grantee with a literal "xsi:type" attribute and its
// namespace declaration, the form KS3 clients look for.
func (g xmlGrantee) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	start.Attr = []xml.Attr{
		{Name: xml.Name{Local: "xmlns:xsi"}, Value: xsiNamespace},
		{Name: xml.Name{Local: "xsi:type"}, Value: g.Type},
	}
	type plain struct {
		ID          string `xml:"ID,omitempty"`
		DisplayName string `xml:"DisplayName,omitempty"`
		URI         string `xml:"URI,omitempty"`
	}
	return e.EncodeElement(plain{ID: g.ID, DisplayName: g.DisplayName, URI: g.URI}, start)
}

func (x *xmlACL) policy() *AccessControlPolicy {
	p := &AccessControlPolicy{Owner: x.Owner, Grants: make([]Grant, len(x.Grants))}
	for i, g := range x.Grants {
		p.Grants[i] = Grant{GranteeType: g.Grantee.Type, ID: g.Grantee.ID, DisplayName: g.Grantee.DisplayName,
			URI: g.Grantee.URI, Permission: g.Permission}
	}
	return p
}

func aclXML(p *AccessControlPolicy) (*xmlACL, error) {
	if p == nil {
		return nil, errors.New("nil policy")
	}
	x := &xmlACL{Owner: p.Owner, Grants: make([]xmlGrant, len(p.Grants))}
	for i, g := range p.Grants {
		if g.GranteeType != GranteeCanonicalUser && g.GranteeType != GranteeGroup {
			return nil, fmt.Errorf("grant %d: GranteeType %q is not %s or %s", i, g.GranteeType, GranteeCanonicalUser, GranteeGroup)
		}
		x.Grants[i] = xmlGrant{Permission: g.Permission,
			Grantee: xmlGrantee{Type: g.GranteeType, ID: g.ID, DisplayName: g.DisplayName, URI: g.URI}}
	}
	return x, nil
}

// Permissions a grant can give. READ_ACP and WRITE_ACP appear in SDK
// documents; KS3 itself reports the first three.
const (
	PermissionFullControl = "FULL_CONTROL"
	PermissionRead        = "READ"
	PermissionWrite       = "WRITE"
	PermissionReadACP     = "READ_ACP"
	PermissionWriteACP    = "WRITE_ACP"
)

// ParseAccessControlPolicy reads an AccessControlPolicy XML document, the
// body GET ?acl returns and PUT ?acl takes (the SDK's set_xml_acl). Every
// grantee needs xsi:type CanonicalUser with an ID, or Group with a URI,
// and every grant a known permission; the error names the grant at fault.
func ParseAccessControlPolicy(r io.Reader) (*AccessControlPolicy, error) {
	var x xmlACL
	if err := xml.NewDecoder(r).Decode(&x); err != nil {
		return nil, fmt.Errorf("parse access control policy: %w", err)
	}
	p := x.policy()
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("parse access control policy: %w", err)
	}
	return p, nil
}

// Validate checks that every grant names its grantee as its type requires
// and gives a known permission.
func (p *AccessControlPolicy) Validate() error {
	for i, g := range p.Grants {
		n := i + 1
		switch {
		case g.GranteeType == GranteeCanonicalUser && g.ID == "":
			return fmt.Errorf("grant %d: a %s grantee needs an ID", n, GranteeCanonicalUser)
		case g.GranteeType == GranteeGroup && g.URI == "":
			return fmt.Errorf("grant %d: a %s grantee needs a URI", n, GranteeGroup)
		case g.GranteeType != GranteeCanonicalUser && g.GranteeType != GranteeGroup:
			return fmt.Errorf("grant %d: grantee type %q is not %s or %s", n, g.GranteeType, GranteeCanonicalUser, GranteeGroup)
		}
		switch g.Permission {
		case PermissionFullControl, PermissionRead, PermissionWrite, PermissionReadACP, PermissionWriteACP:
		default:
			return fmt.Errorf("grant %d: permission %q is not FULL_CONTROL, READ, WRITE, READ_ACP or WRITE_ACP", n, g.Permission)
		}
	}
	return nil
}

// GetBucketACL returns the ACL of a bucket.
func (c *Client) GetBucketACL(ctx context.Context, bucket string) (*AccessControlPolicy, error) {
	p, err := c.getACL(ctx, bucket, "")
	if err != nil {
		return nil, fmt.Errorf("get bucket acl %q: %w", bucket, err)
	}
	return p, nil
}

// SetBucketACL sets a canned ACL ("private", "public-read",
// "public-read-write") on a bucket.
func (c *Client) SetBucketACL(ctx context.Context, bucket, canned string) error {
	if err := c.setCannedACL(ctx, bucket, "", canned); err != nil {
		return fmt.Errorf("set bucket acl %q: %w", bucket, err)
	}
	return nil
}

// PutBucketACLPolicy replaces the ACL of a bucket with p.
func (c *Client) PutBucketACLPolicy(ctx context.Context, bucket string, p *AccessControlPolicy) error {
	if err := c.putACLPolicy(ctx, bucket, "", p); err != nil {
		return fmt.Errorf("put bucket acl %q: %w", bucket, err)
	}
	return nil
}

// GetObjectACL returns the ACL of an object.
func (c *Client) GetObjectACL(ctx context.Context, bucket, key string) (*AccessControlPolicy, error) {
	p, err := c.getACL(ctx, bucket, key)
	if err != nil {
		return nil, fmt.Errorf("get object acl %q: %w", objectName(bucket, key), err)
	}
	return p, nil
}

// SetObjectACL sets a canned ACL ("private", "public-read", ...) on an
// object.
func (c *Client) SetObjectACL(ctx context.Context, bucket, key, canned string) error {
	if err := c.setCannedACL(ctx, bucket, key, canned); err != nil {
		return fmt.Errorf("set object acl %q: %w", objectName(bucket, key), err)
	}
	return nil
}

// PutObjectACLPolicy replaces the ACL of an object with p.
func (c *Client) PutObjectACLPolicy(ctx context.Context, bucket, key string, p *AccessControlPolicy) error {
	if err := c.putACLPolicy(ctx, bucket, key, p); err != nil {
		return fmt.Errorf("put object acl %q: %w", objectName(bucket, key), err)
	}
	return nil
}

// aclRequest is a request on the ?acl sub-resource of a bucket (key "") or
// object.
func aclRequest(method, bucket, key string) *request {
	code := "NoSuchKey"
	if key == "" {
		code = "NoSuchBucket"
	}
	return &request{method: method, bucket: bucket, key: key, query: url.Values{"acl": {""}},
		header: http.Header{}, notFoundCode: code}
}

func (c *Client) getACL(ctx context.Context, bucket, key string) (*AccessControlPolicy, error) {
	var out xmlACL
	if err := c.do(ctx, aclRequest(http.MethodGet, bucket, key), decodeInto(&out)); err != nil {
		return nil, err
	}
	return out.policy(), nil
}

func (c *Client) setCannedACL(ctx context.Context, bucket, key, canned string) error {
	if canned == "" {
		return errors.New("empty canned ACL")
	}
	r := aclRequest(http.MethodPut, bucket, key)
	if err := setRaw(r.header, headerACL, canned); err != nil {
		return err
	}
	return c.do(ctx, r, discard)
}

func (c *Client) putACLPolicy(ctx context.Context, bucket, key string, p *AccessControlPolicy) error {
	x, err := aclXML(p)
	if err != nil {
		return err
	}
	r := aclRequest(http.MethodPut, bucket, key)
	if r.body, r.size, err = xmlBody(r.header, x); err != nil {
		return err
	}
	return c.do(ctx, r, discard)
}
