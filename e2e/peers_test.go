package e2e

// Third-party peers: S3 tools nobody here wrote (the AWS CLI, boto3, rclone)
// against the embedded server, and ks3sync against an S3 server nobody here
// wrote (moto). A missing tool skips its test on a developer machine; under
// CI (CI set) it fails the test, because scripts/deps.sh installs them all.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/ks3/ks3test"
	"github.com/ks3sync/ks3sync/ks3server/handlers"
	"github.com/ks3sync/ks3sync/ks3server/ks3servertest"
	"github.com/ks3sync/ks3sync/planner"
)

// peerTimeout bounds one invocation of a peer tool.
const peerTimeout = 2 * time.Minute

// needPeer returns the path of a third-party tool. Without it the test is
// skipped, unless CI is set: there a missing peer is a failure.
func needPeer(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		missingPeer(t, name+" is not installed")
	}
	return p
}

// missingPeer skips or, under CI, fails the test.
func missingPeer(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s; scripts/deps.sh installs the peers and CI may not skip them", why)
	}
	t.Skipf("%s (run scripts/deps.sh)", why)
}

// peerEnv is the environment of a peer: this process's, without any AWS,
// KS3 or rclone settings of the developer (AWS_CA_BUNDLE, AWS_PROFILE, …),
// plus extra.
func peerEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "AWS_") || strings.HasPrefix(name, "KS3_") || strings.HasPrefix(name, "RCLONE_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

// runPeer runs a peer tool and returns its exit code and combined output.
func runPeer(t *testing.T, env []string, name string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env, cmd.Dir = env, t.TempDir()
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return ee.ExitCode(), string(out)
	case err != nil:
		t.Fatalf("run %s %s: %v", filepath.Base(name), strings.Join(args, " "), err)
	}
	return 0, string(out)
}

// mustPeer runs a peer tool and fails the test unless it succeeds.
func mustPeer(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	code, out := runPeer(t, env, name, args...)
	if code != 0 {
		t.Fatalf("%s %s: exit %d\n%s", filepath.Base(name), strings.Join(args, " "), code, out)
	}
	return out
}

// s3Env is the environment of the AWS CLI and boto3 for the test server:
// its keys, us-east-1, path-style addressing, and no user configuration.
func s3Env(t *testing.T, e *env) []string {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	if err := os.WriteFile(cfg, []byte("[default]\ns3 =\n    addressing_style = path\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return peerEnv(
		"AWS_ACCESS_KEY_ID="+ks3servertest.AccessKey,
		"AWS_SECRET_ACCESS_KEY="+ks3servertest.SecretKey,
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE="+cfg,
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "no-credentials"),
		"S3_ENDPOINT="+e.srv.URL,
		"HOME="+dir,
	)
}

// peerTree is a small folder with names that need escaping.
func peerTree() tree {
	return tree{
		"a.txt":                []byte("alpha\n"),
		"empty.txt":            {},
		"dir/nested/x.bin":     pseudoRandom(5, 70_000),
		"names/with space.txt": []byte("space"),
		"names/plus+sign.txt":  []byte("plus"),
		"names/ünï/中文.txt":     []byte("unicode"),
	}
}

// wantKeys checks the objects under prefix against tr, byte for byte.
func (e *env) wantKeys(t *testing.T, bucket, prefix string, tr tree) {
	t.Helper()
	keys := e.keys(bucket, prefix)
	if len(keys) != len(tr) {
		t.Fatalf("ks3://%s/%s holds %d objects %q, want %d", bucket, prefix, len(keys), keys, len(tr))
	}
	for rel, want := range tr {
		if got, _ := e.getObject(bucket, prefix+rel); !bytes.Equal(got, want) {
			t.Errorf("ks3://%s/%s%s: %d bytes differ from the local %d", bucket, prefix, rel, len(got), len(want))
		}
	}
}

func TestPeerAWSCLI(t *testing.T) {
	aws := needPeer(t, "aws")
	e := newEnv(t)
	env := s3Env(t, e)
	cli := func(args ...string) string {
		t.Helper()
		return mustPeer(t, env, aws, append([]string{"--endpoint-url", e.srv.URL}, args...)...)
	}
	cli("s3", "mb", "s3://cli-bucket")

	big := pseudoRandom(3, 20<<20)
	bigPath := writeFile(t, t.TempDir(), "big.bin", big)
	before := e.srv.Stats().Requests[handlers.OpUploadPart]
	cli("s3", "cp", bigPath, "s3://cli-bucket/big.bin")
	if parts := e.srv.Stats().Requests[handlers.OpUploadPart] - before; parts < 2 {
		t.Errorf("aws s3 cp of 20 MB sent %d parts, want a multipart upload", parts)
	}
	if got, _ := e.getObject("cli-bucket", "big.bin"); !bytes.Equal(got, big) {
		t.Fatal("object uploaded by aws s3 cp differs from the file")
	}
	if out := cli("s3", "ls", "s3://cli-bucket/"); !strings.Contains(out, "20971520 big.bin") {
		t.Errorf("aws s3 ls:\n%s", out)
	}
	down := filepath.Join(t.TempDir(), "down.bin")
	cli("s3", "cp", "s3://cli-bucket/big.bin", down)
	if got, err := os.ReadFile(down); err != nil || !bytes.Equal(got, big) {
		t.Errorf("aws s3 cp download: %d bytes, %v; want the object", len(got), err)
	}

	testAWSCLISync(t, e, cli)
	testAWSCLIPresign(t, cli)
	testAWSCLIMetadata(t, cli)

	cli("s3", "rm", "s3://cli-bucket", "--recursive")
	cli("s3", "rb", "s3://cli-bucket")
	if err := e.client.HeadBucket(context.Background(), "cli-bucket"); ks3.ErrorCode(err) != "NoSuchBucket" {
		t.Errorf("bucket after aws s3 rb: %v, want NoSuchBucket", err)
	}
}

// testAWSCLISync syncs a folder up, changes it, syncs again, and syncs it
// back down.
func testAWSCLISync(t *testing.T, e *env, cli func(...string) string) {
	src := t.TempDir()
	tr := peerTree()
	tr.write(t, src)
	cli("s3", "sync", src, "s3://cli-bucket/sync/")
	e.wantKeys(t, "cli-bucket", "sync/", tr)

	changed := tree{"a.txt": []byte("alpha, changed\n"), "new.txt": []byte("new")}
	changed.write(t, src)
	for rel, data := range changed {
		tr[rel] = data
	}
	out := cli("s3", "sync", src, "s3://cli-bucket/sync/")
	if n := strings.Count(out, "upload:"); n != 2 {
		t.Errorf("second aws s3 sync uploaded %d files, want 2:\n%s", n, out)
	}
	e.wantKeys(t, "cli-bucket", "sync/", tr)

	dst := t.TempDir()
	cli("s3", "sync", "s3://cli-bucket/sync/", dst)
	if got := readTree(t, dst); !treesEqual(got, tr) {
		t.Errorf("aws s3 sync down: %d files differ from the %d uploaded", len(got), len(tr))
	}
}

func testAWSCLIPresign(t *testing.T, cli func(...string) string) {
	u := strings.TrimSpace(cli("s3", "presign", "s3://cli-bucket/sync/names/with space.txt", "--expires-in", "300"))
	if status, body := httpGet(t, u); status != http.StatusOK || body != "space" {
		t.Errorf("GET aws s3 presign URL: %d %q", status, body)
	}
	if status, _ := httpGet(t, strings.Replace(u, "with%20space", "with%20spacf", 1)); status != http.StatusForbidden {
		t.Errorf("GET a presigned URL for another key: %d, want 403", status)
	}
}

func testAWSCLIMetadata(t *testing.T, cli func(...string) string) {
	body := writeFile(t, t.TempDir(), "m.txt", []byte("meta"))
	cli("s3api", "put-object", "--bucket", "cli-bucket", "--key", "meta.txt", "--body", body,
		"--metadata", "color=red", "--storage-class", "STANDARD_IA")
	var head struct {
		Metadata      map[string]string
		ContentLength int
		StorageClass  string
	}
	if err := json.Unmarshal([]byte(cli("s3api", "head-object", "--bucket", "cli-bucket", "--key", "meta.txt")), &head); err != nil {
		t.Fatal(err)
	}
	if head.Metadata["color"] != "red" || head.ContentLength != 4 || head.StorageClass != "STANDARD_IA" {
		t.Errorf("aws s3api head-object = %+v", head)
	}
}

func treesEqual(a, b tree) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !bytes.Equal(v, w) {
			return false
		}
	}
	return true
}

func TestPeerBoto3(t *testing.T) {
	python := needPeer(t, "python3")
	if code, out := runPeer(t, peerEnv(), python, "-c", "import boto3"); code != 0 {
		missingPeer(t, "boto3 is not installed: "+strings.TrimSpace(out))
	}
	script, err := filepath.Abs(filepath.Join("testdata", "peers", "boto3_ops.py"))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	out := mustPeer(t, s3Env(t, e), python, script)
	for _, step := range []string{"multipart upload, list-parts, complete", "multipart abort", "metadata", "copy",
		"acl", "paging over 2500 keys", "delete_objects", "delete bucket"} {
		if !strings.Contains(out, "ok "+step+"\n") {
			t.Errorf("boto3 step %q did not pass:\n%s", step, out)
		}
	}
}

func TestPeerRclone(t *testing.T) {
	rclone := needPeer(t, "rclone")
	e := newEnv(t)
	dir := t.TempDir()
	env := peerEnv(
		"RCLONE_CONFIG="+filepath.Join(dir, "rclone.conf"),
		"RCLONE_CONFIG_KS_TYPE=s3",
		"RCLONE_CONFIG_KS_PROVIDER=Other",
		"RCLONE_CONFIG_KS_ENDPOINT="+e.srv.URL,
		"RCLONE_CONFIG_KS_ACCESS_KEY_ID="+ks3servertest.AccessKey,
		"RCLONE_CONFIG_KS_SECRET_ACCESS_KEY="+ks3servertest.SecretKey,
		"RCLONE_CONFIG_KS_FORCE_PATH_STYLE=true",
		"HOME="+dir,
	)
	rc := func(args ...string) (int, string) { t.Helper(); return runPeer(t, env, rclone, args...) }
	must := func(args ...string) string { t.Helper(); return mustPeer(t, env, rclone, args...) }
	must("mkdir", "ks:rclone-bucket")

	src := t.TempDir()
	tr := peerTree()
	tr.write(t, src)
	must("copy", src, "ks:rclone-bucket/copy")
	e.wantKeys(t, "rclone-bucket", "copy/", tr)
	puts := e.srv.Stats().Requests[handlers.OpPutObject]
	must("copy", src, "ks:rclone-bucket/copy")
	if again := e.srv.Stats().Requests[handlers.OpPutObject] - puts; again != 0 {
		t.Errorf("second rclone copy of an unchanged folder uploaded %d files", again)
	}

	must("sync", src, "ks:rclone-bucket/sync")
	delete(tr, "a.txt")
	if err := os.Remove(filepath.Join(src, "a.txt")); err != nil {
		t.Fatal(err)
	}
	changed := tree{"names/with space.txt": []byte("SPACE"), "added.txt": []byte("added")}
	changed.write(t, src)
	for rel, data := range changed {
		tr[rel] = data
	}
	must("sync", src, "ks:rclone-bucket/sync")
	e.wantKeys(t, "rclone-bucket", "sync/", tr)

	must("check", src, "ks:rclone-bucket/sync")
	writeFile(t, src, "names/with space.txt", []byte("Space"))
	if code, out := rc("check", src, "ks:rclone-bucket/sync"); code == 0 {
		t.Errorf("rclone check after a local edit: exit 0, want a difference\n%s", out)
	}
}

// startMoto runs moto's S3 server on a free loopback port until the test
// ends and returns its URL.
func startMoto(t *testing.T, moto string) string {
	t.Helper()
	addr := freeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	var out bytes.Buffer
	cmd := exec.Command(moto, "-H", "127.0.0.1", "-p", port)
	cmd.Env, cmd.Stdout, cmd.Stderr = peerEnv(), &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	u := "http://" + addr
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get(u + "/")
		if err == nil {
			resp.Body.Close()
			return u
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto_server did not start on %s: %v\n%s", u, err, out.String())
		}
	}
}

func TestPeerMoto(t *testing.T) {
	u := startMoto(t, needPeer(t, "moto_server"))
	// moto checks no signatures; the client signs with v4 all the same.
	c, err := ks3.New(ks3.Options{Endpoint: u, AccessKey: "moto", SecretKey: "moto-secret", Signature: ks3.SignatureV4})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("Conformance", func(t *testing.T) {
		if err := c.CreateBucket(t.Context(), "conformance", ks3.CreateBucketOptions{}); err != nil {
			t.Fatal(err)
		}
		ks3test.RunConformanceWith(t, c, "conformance", ks3test.Options{S3: true, Permissive: true})
	})
	t.Run("RunPushPull", func(t *testing.T) { testMotoRoundTrip(t, c, u) })
}

// testMotoRoundTrip pushes a folder to moto with `ks3sync run --signature
// v4` and pulls it into another folder.
func testMotoRoundTrip(t *testing.T, c *ks3.Client, u string) {
	if err := c.CreateBucket(t.Context(), "roundtrip", ks3.CreateBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	src, dst := t.TempDir(), t.TempDir()
	tr := sampleTree(9 << 20) // one multipart upload with 5 MiB parts
	tr.write(t, src)
	config := func(name, direction, local string) string {
		path := filepath.Join(e.dir, name)
		doc := fmt.Sprintf("endpoint: %s\nsignature: v4\nstate: %s\nmultipart_threshold: 8MiB\npart_size: 5MiB\n"+
			"pairs:\n  - name: %s\n    local: %s\n    bucket: roundtrip\n    prefix: tree/\n    direction: %s\n",
			u, filepath.Join(e.dir, name+".db"), direction, local, direction)
		if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	e.mustRun(0, "run", "--config", config("push.yaml", "push", src), "--no-progress")
	n := 0
	for it, err := range c.Walk(t.Context(), "roundtrip", ks3.ListObjectsOptions{Prefix: "tree/"}) {
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(it.Object.Key, "tree/"+planner.ReservedDir+"/") {
			continue // the pair's change journal
		}
		if _, ok := tr[strings.TrimPrefix(it.Object.Key, "tree/")]; !ok {
			t.Errorf("unexpected object %q", it.Object.Key)
		}
		n++
	}
	if n != len(tr) {
		t.Errorf("moto holds %d objects after the push, want %d", n, len(tr))
	}
	// S3 gives a multipart object the ETag "<md5 of the part MD5s>-<parts>".
	if info, err := c.HeadObject(t.Context(), "roundtrip", "tree/big/large.bin"); err != nil || !strings.HasSuffix(info.ETag, "-2") {
		t.Errorf("big file on moto: %+v, %v; want a 2-part multipart upload", info, err)
	}
	e.mustRun(0, "run", "--config", config("pull.yaml", "pull", dst), "--no-progress")
	if got := readTree(t, dst); !treesEqual(got, tr) {
		t.Errorf("pulled %d files, want the %d pushed, byte for byte", len(got), len(tr))
	}
	r := e.mustRun(0, "run", "--config", config("push.yaml", "push", src), "--no-progress", "--json")
	if strings.Contains(r.stdout, `"event":"upload"`) {
		t.Errorf("second push of an unchanged folder uploaded again:\n%s", r.stdout)
	}
}

func TestPeerS3cmd(t *testing.T) {
	s3cmd := needPeer(t, "s3cmd")
	e := newEnv(t)
	dir := t.TempDir()
	host := strings.TrimPrefix(e.srv.URL, "http://")
	cfg := writeFile(t, dir, "s3cfg", []byte(fmt.Sprintf("[default]\naccess_key = %s\nsecret_key = %s\n"+
		"host_base = %s\nhost_bucket = %s\nuse_https = False\nbucket_location = us-east-1\n",
		ks3servertest.AccessKey, ks3servertest.SecretKey, host, host)))
	env := peerEnv("HOME=" + dir)
	for _, tt := range []struct {
		name, bucket string
		flags        []string
	}{{"SigV4", "s3cmd-v4", nil}, {"SigV2", "s3cmd-v2", []string{"--signature-v2"}}} {
		t.Run(tt.name, func(t *testing.T) {
			must := func(args ...string) string {
				t.Helper()
				return mustPeer(t, env, s3cmd, append(append([]string{"-c", cfg}, tt.flags...), args...)...)
			}
			bucket := tt.bucket
			src := t.TempDir()
			tr := peerTree()
			tr.write(t, src)
			must("mb", "s3://"+bucket)
			must("put", "--recursive", src+"/", "s3://"+bucket+"/put/")
			e.wantKeys(t, bucket, "put/", tr)
			if out := must("ls", "--recursive", "s3://"+bucket); strings.Count(out, "s3://"+bucket+"/put/") != len(tr) {
				t.Errorf("s3cmd ls lists:\n%s", out)
			}
			dst := filepath.Join(t.TempDir(), "got.bin")
			must("get", "s3://"+bucket+"/put/dir/nested/x.bin", dst)
			if got, err := os.ReadFile(dst); err != nil || !bytes.Equal(got, tr["dir/nested/x.bin"]) {
				t.Errorf("s3cmd get: %d bytes, %v", len(got), err)
			}
			must("del", "--recursive", "--force", "s3://"+bucket+"/put/")
			must("rb", "s3://"+bucket)
			if err := e.client.HeadBucket(context.Background(), bucket); ks3.ErrorCode(err) != "NoSuchBucket" {
				t.Errorf("bucket after s3cmd rb: %v, want NoSuchBucket", err)
			}
		})
	}
}
