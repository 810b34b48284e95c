package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3"
)

// The tool commands of the second wave (acl set with XML or grants,
// uploads parts, mv, du, url --expires-at checks, the callback answer in
// cp --help) against the embedded server, through the real binary.

// anonymousStatus GETs a path of the test server without credentials.
func (e *env) anonymousStatus(path string) int {
	e.t.Helper()
	resp, err := http.Get(e.srv.URL + path)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestToolACLSetXMLAndGrants(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("aclx")
	e.put("aclx", "obj", []byte("x"))
	if got := e.anonymousStatus("/aclx/obj"); got != http.StatusForbidden {
		t.Fatalf("anonymous GET of a private object: %d", got)
	}

	// Grants: everyone may read the object; the owner keeps full control.
	e.tool(0, "acl", "set", "ks3://aclx/obj", "--grant-read", "uri="+ks3.AllUsersURI)
	if got := e.anonymousStatus("/aclx/obj"); got != http.StatusOK {
		t.Errorf("anonymous GET after --grant-read AllUsers: %d", got)
	}
	var doc struct {
		Grants []struct {
			Permission string `json:"permission"`
			URI        string `json:"uri"`
		} `json:"grants"`
	}
	if err := json.Unmarshal([]byte(e.tool(0, "acl", "get", "ks3://aclx/obj", "--json").stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Grants) != 2 || doc.Grants[0].Permission != "FULL_CONTROL" || doc.Grants[1].URI != ks3.AllUsersURI {
		t.Errorf("grants after --grant-read: %+v", doc.Grants)
	}

	// An XML policy, on the bucket: private again, listing refused.
	e.tool(0, "acl", "set", "ks3://aclx", "--grant-read", "uri="+ks3.AllUsersURI)
	if got := e.anonymousStatus("/aclx/"); got != http.StatusOK {
		t.Errorf("anonymous listing of a public-read bucket: %d", got)
	}
	private := `<AccessControlPolicy><Owner><ID>x</ID></Owner><AccessControlList></AccessControlList></AccessControlPolicy>`
	policy := writeFile(t, e.dir, "private.xml", []byte(private))
	contains(t, e.tool(0, "acl", "set", "ks3://aclx", "--xml", policy), "set the policy of")
	if got := e.anonymousStatus("/aclx/"); got != http.StatusForbidden {
		t.Errorf("anonymous listing after the private policy: %d", got)
	}
	// From stdin, with the SDK's xsi:type grantees.
	public := `<AccessControlPolicy><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>` +
		ks3.AllUsersURI + `</URI></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>`
	r := e.toolIn([]byte(public), "acl", "set", "ks3://aclx", "--xml", "-")
	if r.code != 0 || e.anonymousStatus("/aclx/") != http.StatusOK {
		t.Errorf("public-read policy from stdin: %s", r)
	}

	// Refusals: the server's answer for a grant it cannot give, and bad input.
	contains(t, e.tool(1, "acl", "set", "ks3://aclx/obj", "--grant-write", "id=someone-else"), "InvalidArgument")
	bad := writeFile(t, e.dir, "bad.xml", []byte(`<AccessControlPolicy><AccessControlList><Grant><Permission>OWN</Permission></Grant></AccessControlList></AccessControlPolicy>`))
	contains(t, e.tool(2, "acl", "set", "ks3://aclx", "--xml", bad), "bad.xml", "grant 1")
	contains(t, e.tool(2, "acl", "set", "ks3://aclx", "--xml", filepath.Join(e.dir, "missing.xml")), "missing.xml")
	contains(t, e.tool(2, "acl", "set", "ks3://aclx", "private", "--xml", policy), "exactly one")
	contains(t, e.tool(2, "acl", "set", "ks3://aclx", "--grant-read", "bob"), "id=USER_ID")
}

func TestToolUploadsParts(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("parts")
	ctx := context.Background()
	id, err := e.client.InitiateMultipartUpload(ctx, "parts", "big.bin", ks3.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sizes := []int{5 << 20, 1234}
	for i, n := range sizes {
		if _, err := e.client.UploadPart(ctx, "parts", "big.bin", id, i+1, bytes.NewReader(make([]byte, n)), int64(n), nil); err != nil {
			t.Fatal(err)
		}
	}
	r := e.tool(0, "uploads", "parts", "ks3://parts/big.bin", "--upload-id", id)
	contains(t, r, "PART", "5242880", "1234", "2 parts, 5244114 bytes")
	out := e.tool(0, "uploads", "parts", "ks3://parts/big.bin", "--upload-id", id, "--json").stdout
	var got []map[string]any
	for _, line := range lines(out) {
		var p map[string]any
		if err := json.Unmarshal([]byte(line), &p); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		got = append(got, p)
	}
	if len(got) != 2 || got[0]["part_number"] != 1.0 || got[1]["size"] != 1234.0 || got[0]["etag"] == "" || got[0]["last_modified"] == nil {
		t.Errorf("--json parts: %v", got)
	}
	contains(t, e.tool(2, "uploads", "parts", "ks3://parts/big.bin"), "--upload-id")
	contains(t, e.tool(2, "uploads", "parts", "ks3://parts", "--upload-id", id), "KEY")
	contains(t, e.tool(1, "uploads", "parts", "ks3://parts/big.bin", "--upload-id", "no-such-upload"), "NoSuchUpload")
}

func TestToolMv(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("mvsrc")
	e.mkBucket("mvdst")
	e.put("mvsrc", "a.txt", []byte("alpha"))

	e.tool(0, "mv", "ks3://mvsrc/a.txt", "ks3://mvdst/moved/")
	if got, _ := e.getObject("mvdst", "moved/a.txt"); string(got) != "alpha" {
		t.Errorf("moved object = %q", got)
	}
	if keys := e.keys("mvsrc", ""); len(keys) != 0 {
		t.Errorf("source left: %q", keys)
	}

	// A copy that fails leaves the source alone.
	e.put("mvsrc", "b.txt", []byte("beta"))
	contains(t, e.tool(1, "mv", "ks3://mvsrc/b.txt", "ks3://no-such-bucket/b.txt"), "NoSuchBucket")
	if got, _ := e.getObject("mvsrc", "b.txt"); string(got) != "beta" {
		t.Errorf("source after a failed move = %q", got)
	}
	contains(t, e.tool(1, "mv", "ks3://mvsrc/missing.txt", "ks3://mvdst/x"), "missing.txt")
	e.tool(2, "mv", "ks3://mvsrc/b.txt", "ks3://mvsrc/b.txt")
	e.tool(2, "mv", "ks3://mvsrc/dir/", "ks3://mvdst/x")

	// -r moves a folder, keeping relative keys.
	for _, k := range []string{"tree/1", "tree/sub/2", "tree/sub/3", "treehouse"} {
		e.put("mvsrc", k, []byte(k))
	}
	r := e.tool(0, "mv", "-r", "ks3://mvsrc/tree", "ks3://mvdst/forest/")
	contains(t, r, "ks3://mvdst/forest/sub/3")
	if got := strings.Join(e.keys("mvdst", "forest/"), " "); got != "forest/1 forest/sub/2 forest/sub/3" {
		t.Errorf("moved keys: %s", got)
	}
	if got := strings.Join(e.keys("mvsrc", ""), " "); got != "b.txt treehouse" {
		t.Errorf("left in the source: %s", got)
	}
	contains(t, e.tool(2, "mv", "-r", "ks3://mvdst/forest", "ks3://mvdst/forest/deeper"), "overlap")
}

func TestToolDu(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("du-b")
	ctx := context.Background()
	for i, o := range []struct {
		key, class string
		size       int
	}{{"p/a", "", 10}, {"p/b", "STANDARD_IA", 200}, {"p/c/d", "STANDARD_IA", 3000}, {"q/e", "", 40000}, {"p2/f", "", 7}} {
		if _, err := e.client.PutObject(ctx, "du-b", o.key, bytes.NewReader(make([]byte, o.size)), int64(o.size),
			ks3.PutOptions{StorageClass: o.class}); err != nil {
			t.Fatalf("put %d: %v", i, err)
		}
	}
	var doc struct {
		Prefix  string `json:"prefix"`
		Objects int    `json:"objects"`
		Bytes   int    `json:"bytes"`
		Classes []struct {
			StorageClass string `json:"storage_class"`
			Objects      int    `json:"objects"`
			Bytes        int    `json:"bytes"`
		} `json:"classes"`
	}
	if err := json.Unmarshal([]byte(e.tool(0, "du", "ks3://du-b/p", "--json").stdout), &doc); err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("%s %d %d %+v", doc.Prefix, doc.Objects, doc.Bytes, doc.Classes)
	if want := "p/ 3 3210 [{StorageClass:STANDARD Objects:1 Bytes:10} {StorageClass:STANDARD_IA Objects:2 Bytes:3200}]"; got != want {
		t.Errorf("du p: %s, want %s", got, want)
	}
	contains(t, e.tool(0, "du", "ks3://du-b"), "STANDARD_IA", "total", "43217", "42 KiB")
	contains(t, e.tool(1, "du", "ks3://no-such-bucket"), "NoSuchBucket")
}

func TestToolURLExpiresAt(t *testing.T) {
	e := newEnv(t)
	past := time.Now().Add(-time.Hour).Unix()
	r := e.tool(2, "url", "ks3://bkt/key", "--expires-at", fmt.Sprint(past))
	contains(t, r, time.Unix(past, 0).UTC().Format(time.RFC3339), "past")
	future := time.Now().Add(time.Hour).Unix()
	contains(t, e.tool(0, "url", "ks3://bkt/key", "--expires-at", fmt.Sprint(future)), fmt.Sprint(future))
}

func TestToolCpHelpCallbackAnswer(t *testing.T) {
	e := newEnv(t)
	contains(t, e.tool(0, "cp", "--help"), `{"result":true}`, "--callback-url")
}
