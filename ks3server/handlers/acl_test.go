package handlers

import (
	"net/http"
	"strings"
	"testing"
)

func TestACLDocuments(t *testing.T) {
	s := newTestServer(t)
	createBucket(t, s, "bkt")
	putObject(t, s, "bkt", "k", []byte("x"), nil)

	w := mustDo(t, s, call{method: "GET", bucket: "bkt", query: "acl"}, http.StatusOK)
	body := w.Body.String()
	// The Python SDK reads xsi:type on every Grantee unconditionally.
	if strings.Count(body, "<Grantee ") != strings.Count(body, `xsi:type="`) ||
		!strings.Contains(body, `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`) {
		t.Errorf("grantees without xsi:type or namespace: %s", body)
	}
	wantGrants(t, s, call{method: "GET", bucket: "bkt", query: "acl"}, "")

	mustDo(t, s, call{method: "PUT", bucket: "bkt", query: "acl", header: map[string]string{"x-kss-acl": "public-read"}}, http.StatusOK)
	wantGrants(t, s, call{method: "GET", bucket: "bkt", query: "acl"}, "READ")
	// An object with the default ACL shows its bucket's.
	wantGrants(t, s, call{method: "GET", bucket: "bkt", rawKey: "k", query: "acl"}, "READ")

	policy := `<AccessControlPolicy><Owner><ID>ks3sync</ID></Owner><AccessControlList>
		<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>ks3sync</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant>
		<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.ksyun.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant>
		<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.ksyun.com/groups/global/AllUsers</URI></Grantee><Permission>WRITE</Permission></Grant>
		</AccessControlList></AccessControlPolicy>`
	mustDo(t, s, call{method: "PUT", bucket: "bkt", rawKey: "k", query: "acl", body: []byte(policy)}, http.StatusOK)
	wantGrants(t, s, call{method: "GET", bucket: "bkt", rawKey: "k", query: "acl"}, "READ,WRITE")
	mustDo(t, s, call{method: "PUT", bucket: "bkt", rawKey: "k", query: "acl", header: map[string]string{"x-kss-acl": "private"}}, http.StatusOK)
	wantGrants(t, s, call{method: "GET", bucket: "bkt", rawKey: "k", query: "acl"}, "")

	tests := []struct {
		name string
		c    call
		code string
	}{
		{"unknown canned ACL", call{method: "PUT", bucket: "bkt", query: "acl", header: map[string]string{"x-kss-acl": "open"}}, "InvalidArgument"},
		{"no header and no body", call{method: "PUT", bucket: "bkt", query: "acl"}, "MalformedXML"},
		{"other account", call{method: "PUT", bucket: "bkt", query: "acl", body: []byte(
			`<AccessControlPolicy><AccessControlList><Grant><Grantee><ID>someone</ID></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>`)},
			"InvalidArgument"},
		{"write without read", call{method: "PUT", bucket: "bkt", query: "acl", body: []byte(
			`<AccessControlPolicy><AccessControlList><Grant><Grantee><URI>` + allUsersURI + `</URI></Grantee><Permission>WRITE</Permission></Grant></AccessControlList></AccessControlPolicy>`)},
			"InvalidArgument"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, do(t, s, tc.c), http.StatusBadRequest, tc.code)
		})
	}
	wantError(t, do(t, s, call{method: "GET", bucket: "bkt", rawKey: "missing", query: "acl"}), http.StatusNotFound, "NoSuchKey")
	wantError(t, do(t, s, call{method: "PUT", bucket: "bkt", rawKey: "missing", query: "acl",
		header: map[string]string{"x-kss-acl": "private"}}), http.StatusNotFound, "NoSuchKey")
}

// wantGrants checks that an ACL document grants the owner FULL_CONTROL and
// everyone the given comma-separated permissions.
func wantGrants(t *testing.T, s http.Handler, c call, everyone string) {
	t.Helper()
	var p struct {
		Owner  owner `xml:"Owner"`
		Grants []struct {
			Grantee struct {
				Type string `xml:"type,attr"`
				ID   string `xml:"ID"`
				URI  string `xml:"URI"`
			} `xml:"Grantee"`
			Permission string `xml:"Permission"`
		} `xml:"AccessControlList>Grant"`
	}
	decodeXML(t, mustDo(t, s, c, http.StatusOK), &p)
	var got []string
	owner := false
	for _, g := range p.Grants {
		switch {
		case g.Grantee.Type == "CanonicalUser" && g.Grantee.ID == p.Owner.ID && g.Permission == "FULL_CONTROL":
			owner = true
		case g.Grantee.Type == "Group" && g.Grantee.URI == allUsersURI:
			got = append(got, g.Permission)
		default:
			t.Errorf("unexpected grant %+v", g)
		}
	}
	if !owner || strings.Join(got, ",") != everyone {
		t.Errorf("owner grant %v, everyone %q; want everyone %q", owner, got, everyone)
	}
}
