package ks3

import (
	"strings"
	"testing"
)

// sdkPolicy is an ACL document in the form the KS3 SDKs write and read:
// every grantee with a literal xsi:type and the xsi namespace declared.
const sdkPolicy = `<AccessControlPolicy>
  <Owner><ID>owner-id</ID><DisplayName>owner</DisplayName></Owner>
  <AccessControlList>
    <Grant>
      <Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>owner-id</ID><DisplayName>owner</DisplayName></Grantee>
      <Permission>FULL_CONTROL</Permission>
    </Grant>
    <Grant>
      <Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.ksyun.com/groups/global/AllUsers</URI></Grantee>
      <Permission>READ</Permission>
    </Grant>
  </AccessControlList>
</AccessControlPolicy>`

func TestParseAccessControlPolicy(t *testing.T) {
	p, err := ParseAccessControlPolicy(strings.NewReader(sdkPolicy))
	if err != nil {
		t.Fatal(err)
	}
	want := []Grant{
		{GranteeType: GranteeCanonicalUser, ID: "owner-id", DisplayName: "owner", Permission: PermissionFullControl},
		{GranteeType: GranteeGroup, URI: AllUsersURI, Permission: PermissionRead},
	}
	if p.Owner.ID != "owner-id" || len(p.Grants) != 2 || p.Grants[0] != want[0] || p.Grants[1] != want[1] {
		t.Errorf("parsed %+v", p)
	}
}

func TestParseAccessControlPolicyRefuses(t *testing.T) {
	grant := func(grantee, perm string) string {
		return `<AccessControlPolicy><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ` +
			grantee + `</Grantee><Permission>` + perm + `</Permission></Grant></AccessControlList></AccessControlPolicy>`
	}
	tests := []struct{ doc, why string }{
		{"<Policy/>", "AccessControlPolicy"},
		{"<AccessControlPolicy>", "EOF"},
		{grant(`xsi:type="CanonicalUser">`, "READ"), "needs an ID"},
		{grant(`xsi:type="Group"><ID>x</ID>`, "READ"), "needs a URI"},
		{grant(`xsi:type="AmazonCustomerByEmail"><ID>x</ID>`, "READ"), "grantee type"},
		{grant(`xsi:type="CanonicalUser"><ID>x</ID>`, "OWN"), `permission "OWN"`},
	}
	for _, tc := range tests {
		_, err := ParseAccessControlPolicy(strings.NewReader(tc.doc))
		if err == nil || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("%s: err = %v, want one saying %q", tc.doc, err, tc.why)
		}
	}
}
