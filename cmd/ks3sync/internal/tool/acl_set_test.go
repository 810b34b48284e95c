package tool

import (
	"testing"

	"github.com/ks3sync/ks3sync/ks3"
)

func TestACLSetGrants(t *testing.T) {
	c := &aclSetCmd{
		read:        []string{`id=123,uri=` + ks3.AllUsersURI},
		write:       []string{`id="456"`},
		fullControl: []string{"ID=789"},
	}
	got, err := c.grants()
	if err != nil {
		t.Fatal(err)
	}
	want := []ks3.Grant{
		{GranteeType: ks3.GranteeCanonicalUser, ID: "123", Permission: "READ"},
		{GranteeType: ks3.GranteeGroup, URI: ks3.AllUsersURI, Permission: "READ"},
		{GranteeType: ks3.GranteeCanonicalUser, ID: "456", Permission: "WRITE"},
		{GranteeType: ks3.GranteeCanonicalUser, ID: "789", Permission: "FULL_CONTROL"},
	}
	if len(got) != len(want) {
		t.Fatalf("grants = %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("grant %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	for _, bad := range []string{"123", "id=", "email=a@b", ""} {
		if _, err := (&aclSetCmd{read: []string{bad}}).grants(); !isUsageErr(err) {
			t.Errorf("--grant-read %q: err = %v, want a usage error", bad, err)
		}
	}
}

func TestACLSetOneWay(t *testing.T) {
	tests := []struct {
		c      aclSetCmd
		canned string
		grants bool
		ok     bool
	}{
		{aclSetCmd{}, "private", false, true},
		{aclSetCmd{xmlFile: "p.xml"}, "", false, true},
		{aclSetCmd{}, "", true, true},
		{aclSetCmd{}, "", false, false},
		{aclSetCmd{xmlFile: "p.xml"}, "private", false, false},
		{aclSetCmd{xmlFile: "p.xml"}, "", true, false},
		{aclSetCmd{}, "world-writable", false, false},
	}
	for _, tc := range tests {
		err := tc.c.checkOneWay(tc.canned, tc.grants)
		if (err == nil) != tc.ok || err != nil && !isUsageErr(err) {
			t.Errorf("%+v, canned %q, grants %v: err = %v", tc.c, tc.canned, tc.grants, err)
		}
	}
}

func TestMvEndpoints(t *testing.T) {
	tests := []struct {
		from, to  string
		recursive bool
		wantDst   string // "" for a usage error
	}{
		{"ks3://bb1/a.txt", "ks3://bb1/c.txt", false, "ks3://bb1/c.txt"},
		{"ks3://bb1/d/a.txt", "ks3://cc2/e/", false, "ks3://cc2/e/a.txt"},
		{"ks3://bb1/d/a.txt", "ks3://cc2", false, "ks3://cc2/a.txt"},
		{"ks3://bb1/a.txt", "ks3://bb1/a.txt", false, ""},
		{"ks3://bb1/d/a.txt", "ks3://bb1/d/", false, ""},
		{"ks3://bb1/dir/", "ks3://bb1/x", false, ""},
		{"ks3://bb1/dir", "ks3://bb1/other", true, "ks3://bb1/other"},
		{"ks3://bb1/dir", "ks3://cc2/dir", true, "ks3://cc2/dir"},
		{"ks3://bb1/dir", "ks3://bb1/dir/sub", true, ""},
		{"ks3://bb1/dir/sub", "ks3://bb1/dir", true, ""},
		{"ks3://bb1", "ks3://bb1/x", true, ""},
	}
	for _, tc := range tests {
		c := &mvCmd{recursive: tc.recursive}
		_, dst, err := c.endpoints(tc.from, tc.to)
		switch {
		case tc.wantDst == "" && !isUsageErr(err):
			t.Errorf("mv %s %s (-r %v): err = %v, want a usage error", tc.from, tc.to, tc.recursive, err)
		case tc.wantDst != "" && (err != nil || dst.String() != tc.wantDst):
			t.Errorf("mv %s %s (-r %v): %s, %v; want %s", tc.from, tc.to, tc.recursive, dst, err, tc.wantDst)
		}
	}
}
