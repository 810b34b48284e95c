package ks3test

import (
	"testing"

	"github.com/ks3sync/ks3sync/ks3"
)

func (s *suite) testObjectACL(t *testing.T) {
	const key = "conf-acl/object"
	s.cleanupPrefix(t, "conf-acl/")
	s.put(t, key, []byte("acl"), ks3.PutOptions{ACL: "private"})
	private, err := s.c.GetObjectACL(t.Context(), s.bucket, key)
	if err != nil {
		t.Fatal(err)
	}
	if private.Owner.ID == "" || grants(private, s.opts.allUsersURI(), "READ") || !ownerHasFullControl(private) {
		t.Errorf("private object ACL = %+v, want the owner's FULL_CONTROL and no grant to all users", private)
	}
	s.setObjectACL(t, key, "public-read", true)
	s.setObjectACL(t, key, "private", false)

	if s.opts.Permissive {
		return // the endpoint ignores object ACL documents
	}
	public := &ks3.AccessControlPolicy{Owner: private.Owner, Grants: append(private.Grants[:len(private.Grants):len(private.Grants)],
		ks3.Grant{GranteeType: ks3.GranteeGroup, URI: s.opts.allUsersURI(), Permission: "READ"})}
	if err := s.c.PutObjectACLPolicy(t.Context(), s.bucket, key, public); err != nil {
		t.Fatal(err)
	}
	if got, err := s.c.GetObjectACL(t.Context(), s.bucket, key); err != nil || !grants(got, s.opts.allUsersURI(), "READ") {
		t.Errorf("after PutObjectACLPolicy with a READ grant for all users: %+v, %v", got, err)
	}
	if err := s.c.PutObjectACLPolicy(t.Context(), s.bucket, key, private); err != nil {
		t.Fatal(err)
	}
	if got, err := s.c.GetObjectACL(t.Context(), s.bucket, key); err != nil || grants(got, s.opts.allUsersURI(), "READ") {
		t.Errorf("after PutObjectACLPolicy with the private policy: %+v, %v", got, err)
	}
}

// setObjectACL sets a canned ACL and checks whether all users may read.
func (s *suite) setObjectACL(t *testing.T, key, canned string, publicRead bool) {
	t.Helper()
	if err := s.c.SetObjectACL(t.Context(), s.bucket, key, canned); err != nil {
		t.Fatal(err)
	}
	got, err := s.c.GetObjectACL(t.Context(), s.bucket, key)
	if err != nil {
		t.Fatal(err)
	}
	if grants(got, s.opts.allUsersURI(), "READ") != publicRead {
		t.Errorf("object ACL after %s = %+v", canned, got)
	}
}

func (s *suite) testBucketACL(t *testing.T) {
	orig, err := s.c.GetBucketACL(t.Context(), s.bucket)
	if err != nil {
		t.Fatal(err)
	}
	if orig.Owner.ID == "" || !ownerHasFullControl(orig) {
		t.Errorf("bucket ACL = %+v, want an owner with FULL_CONTROL", orig)
	}
	t.Cleanup(func() {
		ctx, cancel := cleanupContext()
		defer cancel()
		if err := s.c.PutBucketACLPolicy(ctx, s.bucket, orig); err != nil {
			t.Errorf("restore bucket ACL: %v", err)
		}
	})
	for _, tt := range []struct {
		canned      string
		read, write bool
	}{{"public-read", true, false}, {"public-read-write", true, true}, {"private", false, false}} {
		if err := s.c.SetBucketACL(t.Context(), s.bucket, tt.canned); err != nil {
			t.Fatal(err)
		}
		got, err := s.c.GetBucketACL(t.Context(), s.bucket)
		if err != nil {
			t.Fatal(err)
		}
		if grants(got, s.opts.allUsersURI(), "READ") != tt.read || grants(got, s.opts.allUsersURI(), "WRITE") != tt.write && !s.opts.Permissive {
			t.Errorf("bucket ACL after %s = %+v", tt.canned, got)
		}
	}
	if err := s.c.PutBucketACLPolicy(t.Context(), s.bucket, orig); err != nil {
		t.Fatal(err)
	}
	if got, err := s.c.GetBucketACL(t.Context(), s.bucket); err != nil || len(got.Grants) != len(orig.Grants) {
		t.Errorf("after PutBucketACLPolicy with the original policy: %+v, %v; want %+v", got, err, orig)
	}
}

// ownerHasFullControl reports whether p grants FULL_CONTROL to its owner.
func ownerHasFullControl(p *ks3.AccessControlPolicy) bool {
	for _, g := range p.Grants {
		if g.GranteeType == ks3.GranteeCanonicalUser && g.ID == p.Owner.ID && g.Permission == "FULL_CONTROL" {
			return true
		}
	}
	return false
}
